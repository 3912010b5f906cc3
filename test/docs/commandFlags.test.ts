import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { userDocuments } from "../helpers/userDocuments";
import { runCli } from "../../review/cli";
import { initOrganizationCommand } from "../../server/bootstrap/initOrganization";
import { settingFlags } from "../../server/settings";

const root = join(__dirname, "../..");
const read = (file: string) => readFileSync(join(root, file), "utf8");

/** The `--flags` a text names. */
const flagsIn = (text: string) => new Set(text.match(/(?<![\w-])--[a-z][a-z-]*/g) ?? []);

/** What `pulumi-apikeys <argv>` prints on standard output. */
async function cliOutput(argv: string[]): Promise<string> {
  let out = "";
  await runCli(argv, { stdin: () => "", stdout: (s) => (out += s), stderr: () => undefined, cwd: root, stdinIsTerminal: () => true });
  return out;
}

async function initOrgHelp(): Promise<string> {
  let out = "";
  await initOrganizationCommand(["--help"], {}, { stdout: (s) => (out += s), stderr: () => undefined });
  return out;
}

/** Each command a user types, the flags it takes (its `--help`, or the server's settings table), and the page that documents it. */
async function commands(): Promise<Array<{ command: string; flags: Set<string>; page: string[] }>> {
  const serverFlags = new Set(Object.keys(settingFlags()).map((name) => `--${name}`));
  return [
    { command: "pulumi-apikeys review", flags: flagsIn(await cliOutput(["review", "--help"])), page: ["docs/review.md"] },
    { command: "pulumi-apikeys report", flags: flagsIn(await cliOutput(["report", "--help"])), page: ["docs/report.md"] },
    { command: "pulumi-apikeys conformance", flags: flagsIn(await cliOutput(["conformance", "--help"])), page: ["docs/backends.md"] },
    { command: "apikeys-server init-org", flags: flagsIn(await initOrgHelp()), page: ["docs/key-server.md"] },
    { command: "apikeys-server", flags: new Set([...serverFlags, "--help"]), page: ["docs/key-server.md", "server/README.md"] },
  ];
}

/** Where users read commands: the pages a user reads and the example workflows. */
function documents(): string[] {
  const inDir = (dir: string, suffix: string) =>
    readdirSync(join(root, dir))
      .filter((name) => name.endsWith(suffix))
      .map((name) => `${dir}/${name}`);
  return [...userDocuments(), ...inDir("examples/gitops", ".yml"), ...inDir("examples/gitops", ".sh")];
}

/**
 * Every command line the docs show (`pulumi-apikeys …`, `apikeys-server …`, up to a pipe, a
 * redirection, a comment or the end of the code span), with the flags written on it. A bare
 * `pulumi-apikeys FILE` is the review.
 */
function documentedCommandLines(): Array<{ where: string; command: string; flags: Set<string> }> {
  const lines: Array<{ where: string; command: string; flags: Set<string> }> = [];
  for (const file of documents()) {
    read(file)
      .split("\n")
      .forEach((line, index) => {
        for (const match of line.matchAll(/(?<![\w/-])(pulumi-apikeys|apikeys-server)\b((?: +[^\s`|;&#>)]+)*)/g)) {
          const words = match[2].trim().split(/ +/);
          const sub =
            match[1] === "pulumi-apikeys"
              ? ["review", "report", "conformance"].includes(words[0])
                ? words[0]
                : "review"
              : words[0] === "init-org"
                ? "init-org"
                : "";
          lines.push({ where: `${file}:${index + 1}`, command: `${match[1]}${sub ? ` ${sub}` : ""}`, flags: flagsIn(match[2]) });
        }
      });
  }
  return lines;
}

describe("command flags in the docs agree with the commands", () => {
  test("every flag written on a command line in the docs is one that command takes", async () => {
    const known = new Map((await commands()).map((c) => [c.command, c.flags]));
    const unknown = documentedCommandLines().flatMap(({ where, command, flags }) =>
      [...flags].filter((flag) => flag !== "--version" && !known.get(command)?.has(flag)).map((flag) => `${where}: ${command} ${flag}`),
    );
    expect(unknown).toEqual([]);
    expect(documentedCommandLines().length).toBeGreaterThan(20);
  });

  test("every flag a command takes is documented on its page", async () => {
    const missing = (await commands()).flatMap(({ command, flags, page }) => {
      const documented = flagsIn(page.map(read).join("\n"));
      return [...flags].filter((flag) => flag !== "--help" && !documented.has(flag)).map((flag) => `${command} ${flag} (${page.join(" or ")})`);
    });
    expect(missing).toEqual([]);
  });

  test("the flags are read from each command itself (a help text that lost its options fails here)", async () => {
    const byCommand = new Map((await commands()).map((c) => [c.command, c.flags]));
    for (const [command, flag] of [
      ["pulumi-apikeys review", "--fail-on"],
      ["pulumi-apikeys report", "--stack"],
      ["pulumi-apikeys conformance", "--api"],
      ["apikeys-server init-org", "--name"],
      ["apikeys-server", "--database-url"],
    ] as const) {
      expect(byCommand.get(command)).toContain(flag);
    }
  });
});
