import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AS_OF, apiKey, daysBefore, exportText, impersonate } from "./exportFixture";

/** `pulumi-apikeys` as npm installs it: the package's bin, built (dist/review/cli.js). */
const root = resolve(__dirname, "../..");
const bin = join(root, "dist", "review", "cli.js");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "apikeys-cli-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command with standard input from a pipe (`input`, empty by default), in an empty directory (no rules file). */
function run(args: string[], input = "") {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, input, encoding: "utf8", env: { PATH: process.env.PATH, NO_COLOR: "1" } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const running: ChildProcess[] = [];
afterEach(() => running.splice(0).forEach((child) => child.kill("SIGKILL")));

/**
 * Runs the command with a terminal as its standard input, as a person typing it: `script` gives it
 * a pseudo-terminal. Nothing is ever typed, so a command that reads standard input waits forever.
 */
function atTerminal(args: string[]): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, bin, ...args].map((word) => `'${word}'`).join(" ");
  const child = spawn("script", ["-qec", command, "/dev/null"], { cwd: dir, env: { PATH: process.env.PATH, NO_COLOR: "1" } });
  running.push(child);
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((done) => child.once("exit", (code) => done({ code, output: output.replace(/\r\n/g, "\n") })));
}

/** `pulumi preview --json` with one key created that gains a high-risk privilege (SEARCH_API/IMPERSONATE). */
const preview = JSON.stringify({
  steps: [
    {
      op: "create",
      urn: "urn:pulumi:dev::shop::pulumi-nodejs:dynamic/apikeys:ApiKey::support",
      newState: { type: "pulumi-nodejs:dynamic/apikeys:ApiKey", inputs: { displayName: "support", environment: "live", privileges: [impersonate] } },
    },
  ],
});

describe("pulumi-apikeys, the command", () => {
  test("bare at a terminal: the usage, listing the commands, instead of waiting on standard input", async () => {
    const { code, output } = await atTerminal([]);
    expect(output).toMatch(/^pulumi-apikeys: /);
    expect(output).toContain("pulumi-apikeys review [FILE]");
    expect(output).toContain("pulumi-apikeys report [FILE...]");
    expect(output).toContain("pulumi-apikeys conformance --api FILE");
    expect(output).toContain("--version");
    expect(code).toBe(0);
  });

  test("review with no file at a terminal: says where the preview comes from, instead of waiting", async () => {
    const { code, output } = await atTerminal(["review"]);
    expect(output).toBe(
      "review: reads `pulumi preview --json` from a FILE or from standard input, which is a terminal here:\n  pulumi preview --json > preview.json && pulumi-apikeys review preview.json\n",
    );
    expect(code).toBe(64);
  });

  test("bare with a pipe: the review of standard input, as before", () => {
    const { code, stdout } = run([], preview);
    expect(stdout).toContain("support");
    expect(code).toBe(0);
  });

  test("a mistyped command is refused by name, with the commands there are (not read as a file)", () => {
    expect(run(["reveiw"])).toEqual({
      code: 64,
      stdout: "",
      stderr: 'pulumi-apikeys: unknown command "reveiw"; did you mean "review"?\nCommands: review, report, conformance (pulumi-apikeys --help)\n',
    });
    expect(run(["audit"]).stderr).toBe('pulumi-apikeys: unknown command "audit"\nCommands: review, report, conformance (pulumi-apikeys --help)\n');
  });

  test("a file as the first argument is still reviewed; a missing one is named", () => {
    writeFileSync(join(dir, "preview.json"), preview);
    expect(run(["preview.json"])).toMatchObject({ code: 0, stdout: expect.stringContaining("support") });
    expect(run(["missing.json"])).toMatchObject({
      code: 66,
      stderr: expect.stringMatching(/^review: ENOENT: no such file or directory, open 'missing\.json'\n$/),
    });
  });

  test("--version prints the package's version", () => {
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(run(["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  test("--help prints the usage", () => {
    expect(run(["--help"])).toMatchObject({ code: 0, stdout: expect.stringContaining("pulumi-apikeys <command> --help") });
  });
});

describe("--fail-on, one syntax for review and report", () => {
  beforeEach(() => {
    writeFileSync(join(dir, "preview.json"), preview);
    // A live key with a high-risk privilege, unused for 200 days: an unused-high-risk finding (high).
    writeFileSync(join(dir, "export.json"), exportText([apiKey("support", { privileges: [impersonate], lastUsedAt: daysBefore(200) })]));
  });
  const asOf = ["--as-of", AS_OF.toISOString()];

  test.each([
    ["one value (the review's old form)", ["--fail-on", "high"]],
    ["a comma-separated list (the report's form)", ["--fail-on", "high,medium"]],
    ["the option repeated", ["--fail-on", "medium", "--fail-on", "high"]],
  ])("%s: review and report both take it and fail", (_form, failOn) => {
    expect(run(["review", "preview.json", ...failOn]).code).toBe(2);
    expect(run(["report", "export.json", ...asOf, ...failOn]).code).toBe(2);
  });

  test("a kind only the report knows fails the review with the same wording as the report's refusal", () => {
    const review = run(["review", "preview.json", "--fail-on", "high,stale-secret"]);
    const report = run(["report", "export.json", ...asOf, "--fail-on", "high,escalation"]);
    expect(review).toMatchObject({
      code: 64,
      stderr: 'review: --fail-on takes high, medium or escalation (same as medium), comma-separated; got "stale-secret"\n',
    });
    expect(report.code).toBe(64);
    expect(report.stderr).toMatch(
      /^report: --fail-on takes high, medium, low or a finding kind \(unused-high-risk, [^)]*\), comma-separated; got "escalation"\n$/,
    );
  });

  test("escalation still means any risk in the review, alone or in a list", () => {
    expect(run(["review", "preview.json", "--fail-on", "escalation"]).code).toBe(2);
    expect(run(["review", "preview.json", "--fail-on", "high,escalation"]).code).toBe(2);
  });
});
