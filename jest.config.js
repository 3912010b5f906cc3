/** Three projects: fast suites (server, provider, setup scripts over loopback), the console in Chromium, and the end-to-end suite on the real Pulumi engine. */
const tsJest = ["ts-jest", { tsconfig: "tsconfig.test.json" }];
module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: [
        "<rootDir>/test/server/**/*.test.ts",
        "<rootDir>/test/provider/**/*.test.ts",
        "<rootDir>/test/vendors/**/*.test.ts",
        "<rootDir>/test/review/**/*.test.ts",
        "<rootDir>/test/docs/**/*.test.ts",
        "<rootDir>/test/setup/**/*.test.ts",
      ],
    },
    {
      displayName: "console",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/test/console/**/*.test.ts"],
    },
    {
      displayName: "e2e",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
    },
  ],
};
