/** Three projects: fast suites (server, provider, setup scripts over loopback), the console in Chromium, and the end-to-end suite on the real Pulumi engine. */
const tsJest = ["ts-jest", { tsconfig: "tsconfig.test.json" }];
module.exports = {
  // An explicit budget instead of Jest's default 5 s. On 2 cores Jest runs every file in band
  // (maxWorkers 1), after and beside the e2e suites' engines and Go builds; there a case that
  // starts a key server measured 0.3-0.5 s alone and 0.9-2.2 s per `apikeys-server` process
  // start under load (load average 8), and the first case of a file (native gRPC harness, first
  // requests to a new in-process server) went past 5 s in full runs. A real hang still fails,
  // within 20 s. Top level, not in a project: jest-circus reads only the global testTimeout (a
  // project's is ignored: a 6 s case still failed at 5 s with it there). The e2e files set their own.
  testTimeout: 20_000,
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      // What the project needs besides npm packages, started when it is not given (test/services/).
      globalSetup: "<rootDir>/test/services/unit.ts",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: [
        "<rootDir>/test/server/**/*.test.ts",
        "<rootDir>/test/provider/**/*.test.ts",
        "<rootDir>/test/vendors/**/*.test.ts",
        "<rootDir>/test/review/**/*.test.ts",
        "<rootDir>/test/policy/**/*.test.ts",
        "<rootDir>/test/shared/**/*.test.ts",
        "<rootDir>/test/docs/**/*.test.ts",
        "<rootDir>/test/setup/**/*.test.ts",
        "<rootDir>/test/fuzz/**/*.test.ts",
      ],
    },
    {
      displayName: "console",
      testEnvironment: "node",
      globalSetup: "<rootDir>/test/services/console.ts",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/test/console/**/*.test.ts"],
    },
    {
      displayName: "e2e",
      testEnvironment: "node",
      globalSetup: "<rootDir>/test/services/e2e.ts",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
    },
  ],
};
