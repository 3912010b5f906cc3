import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseDescription } from "../../provider/backends/http/load";
import { runReview } from "../../review/cli";
import { parseRulesFile, RiskCatalogue } from "../../shared/privilegeRisks";

const HUB = resolve(__dirname, "../../examples/key-apis/jupyterhub.yaml");
const TYPE = "pulumi-nodejs:dynamic/apikeys:ApiKey";

/** JupyterHub's description with a `risks` map, as a team would add to it. */
const RISKS = `
risks:
  "admin:*": { risk: high, reason: "administers the hub: users, servers, groups" }
  "read:users:name*": { risk: low, reason: "reads user names only" }
  "tokens": { risk: low, reason: "as the description rates it" }
`;

/** `pulumi preview --json` of a described API's key whose scopes change (an update as JupyterHub's replace shows it). */
function preview(before: string[], after: string[], connection: Record<string, unknown> = { backend: "http", api: "hub.yaml" }) {
  const urn = `urn:pulumi:dev::lab::${TYPE}::notebook-bot`;
  return JSON.stringify({
    steps: [
      {
        op: "replace",
        urn,
        replaceReasons: ["scopes"],
        oldState: { type: TYPE, inputs: { displayName: "notebook-bot", scopes: before, connection }, outputs: { backend: "http", scopes: before } },
        newState: { type: TYPE, inputs: { displayName: "notebook-bot", scopes: after, connection } },
      },
    ],
  });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "scope-risks-"));
  writeFileSync(join(dir, ".git"), "");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function review(args: string[], stdin: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runReview(args, { stdin: () => stdin, stdout: (s) => out.push(s), stderr: (s) => err.push(s), cwd: dir });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("the review of a described API's keys: scopes are their privileges", () => {
  test("scopes added and removed are listed; the description's risks rate them, the rules file's scopes over them, and an unrated scope is unknown", () => {
    writeFileSync(join(dir, "hub.yaml"), `${readHub()}${RISKS}`);
    writeFileSync(join(dir, "apikeys-review.json"), JSON.stringify({ scopes: [{ scope: "tokens", risk: "medium", reason: "can mint tokens for the user" }] }));
    const text = preview(["read:users:name!user=alice", "read:servers"], ["read:users:name!user=alice", "admin:users", "tokens", "access:servers"]);

    const json = review(["--format", "json"], text);
    expect(json.code).toBe(0);
    const [change] = (JSON.parse(json.stdout) as { changes: Record<string, unknown>[] }).changes;
    expect(change).toMatchObject({
      operation: "replace",
      scopesAdded: ["admin:users", "tokens", "access:servers"],
      scopesRemoved: ["read:servers"],
      scopeRisks: [
        { scope: "admin:users", risk: "high", reason: "administers the hub: users, servers, groups", source: "jupyterhub description (hub.yaml)" },
        { scope: "tokens", risk: "medium", reason: "can mint tokens for the user", source: "rules file" },
        { scope: "access:servers", risk: "unknown", reason: expect.stringContaining("no rule says what this scope grants") },
      ],
      risks: [
        { severity: "high", privilege: "scope admin:users", reason: "administers the hub: users, servers, groups" },
        { severity: "medium", privilege: "scope tokens", reason: "can mint tokens for the user" },
      ],
    });
    expect(change.notes).toEqual(expect.arrayContaining(["reduced access: 1 scope removed", expect.stringMatching(/^scope access:servers: risk unknown — /)]));

    const markdown = review([], text);
    expect(markdown.stdout).toContain("`admin:users` (scope)<br>`tokens` (scope)<br>`access:servers` (scope)");
    expect(markdown.stdout).toContain("`read:servers` (scope)");
    expect(markdown.stdout).toContain("⛔ high: grants scope admin:users — administers the hub: users, servers, groups");
    expect(markdown.stdout).toContain("scope access:servers: risk unknown");
    expect(review(["--fail-on", "high"], text).code).toBe(2);
  });

  test("a low scope is a note, not a risk; a key whose connection.api the preview does not show takes the descriptions given with --api", () => {
    writeFileSync(join(dir, "rated.yaml"), `${readHub()}${RISKS}`);
    const text = preview([], ["read:users:name!user=alice"], { backend: "http" });
    const without = JSON.parse(review(["--format", "json"], text).stdout) as { changes: { scopeRisks: { risk: string }[] }[] };
    expect(without.changes[0].scopeRisks).toEqual([expect.objectContaining({ risk: "unknown" })]);
    const given = JSON.parse(review(["--format", "json", "--api", "rated.yaml"], text).stdout) as {
      changes: { scopeRisks: unknown[]; risks: unknown[]; notes: string[] }[];
    };
    expect(given.changes[0].scopeRisks).toEqual([
      { scope: "read:users:name!user=alice", risk: "low", reason: "reads user names only", source: "jupyterhub description (rated.yaml)" },
    ]);
    expect(given.changes[0].risks).toEqual([]);
    expect(given.changes[0].notes).toContain("scope read:users:name!user=alice: low risk — reads user names only");
  });

  test("a wrong risks entry is refused naming the field; so is a wrong scopes entry of the rules file", () => {
    expect(() => parseDescription("hub.yaml", `${readHub()}\nrisks:\n  "admin:*": { risk: severe, reason: "too much" }\n`)).toThrow(
      /the key API description hub\.yaml has a wrong risks\.admin:\*\.risk: it must be one of low, medium, high/,
    );
    expect(() => parseRulesFile(JSON.stringify({ scopes: [{ scope: "admin:*", risk: "severe", reason: "too much" }] }), "apikeys-review.json")).toThrow(
      'apikeys-review.json: scopes[0].risk: must be "high", "medium" or "low"',
    );
    writeFileSync(join(dir, "broken.yaml"), `${readHub()}\nrisks:\n  "admin:*": { risk: severe, reason: "too much" }\n`);
    const refused = review(["--api", "broken.yaml"], preview([], ["admin:users"]));
    expect(refused).toMatchObject({ code: 66, stderr: expect.stringContaining("has a wrong risks.admin:*.risk") });
  });

  test("the most specific rule decides, within the rules file and within the description", () => {
    const catalogue = new RiskCatalogue({
      scopes: [
        { scope: "admin:*", risk: "high", reason: "administers" },
        { scope: "admin:users:read", risk: "low", reason: "reads users only" },
      ],
    });
    expect(catalogue.assessScope("admin:users:read")).toMatchObject({ risk: "low" });
    expect(catalogue.assessScope("admin:groups")).toMatchObject({ risk: "high" });
    expect(catalogue.assessScope("read:users", [{ scope: "read:*", risk: "medium", reason: "reads" }])).toMatchObject({ risk: "medium" });
    expect(catalogue.assessScope("servers")).toMatchObject({ risk: "unknown" });
  });
});

function readHub(): string {
  return readFileSync(HUB, "utf8");
}
