import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runCli } from "../../../review/cli";
import { AS_OF, apiKey, daysBefore, exportText } from "../exportFixture";

const HUB = resolve(__dirname, "../../../examples/key-apis/jupyterhub.yaml");

/** A key of JupyterHub's description as state holds it: the http backend, scopes, no privileges. */
const hubKey = (name: string, outputs: Record<string, unknown>) =>
  apiKey(name, {
    backend: "http",
    organizationId: "jupyterhub",
    environment: undefined,
    privileges: undefined,
    scopes: ["read:users:name!user=alice"],
    rotation: { rotateAfterDays: 30 },
    createdAt: daysBefore(120),
    rotatedAt: daysBefore(10),
    lastUsedAt: undefined,
    ...outputs,
  });

interface JsonKey {
  name: string;
  lastUse: { reported: boolean; at?: string; daysUnused?: number };
  scopes: { scope: string; risk: string; reason: string }[];
  findings: { kind: string; message: string }[];
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "report-described-"));
  writeFileSync(join(dir, ".git"), "");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function report(resources: unknown[], format = "json") {
  writeFileSync(join(dir, "stack.json"), exportText(resources));
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(["report", join(dir, "stack.json"), "--format", format], {
    stdin: () => "",
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    cwd: dir,
    now: () => AS_OF,
  });
  return { code, out: out.join(""), err: err.join("") };
}
const keys = (out: string) => Object.fromEntries((JSON.parse(out) as { keys: JsonKey[] }).keys.map((k) => [k.name, k]));

describe("the credential report on keys of a described API (connection.backend: http)", () => {
  test("a recorded lastUsedAt is judged: a key unused for 100 days is reported unused, not 'not reported'", () => {
    const { err, out } = report([hubKey("idle", { lastUsedAt: daysBefore(100) }), hubKey("busy", { lastUsedAt: daysBefore(2) })]);
    expect(err).toBe("");
    const byName = keys(out);
    expect(byName.idle.lastUse).toEqual({ reported: true, at: daysBefore(100), daysUnused: 100 });
    expect(byName.idle.findings.map((f) => f.kind)).toContain("unused");
    expect(byName.busy.lastUse).toMatchObject({ reported: true, daysUnused: 2 });
    expect(report([hubKey("idle", { lastUsedAt: daysBefore(100) })], "markdown").out).toContain(`${daysBefore(100).slice(0, 10)} (100 days ago)`);
  });

  test("no lastUsedAt: never used where the key's own description answers lastUsedAt, unknown where nothing says", () => {
    const described = hubKey("described", { connection: { backend: "http", api: HUB } });
    const unknown = hubKey("unknown", {});
    const byName = keys(report([described, unknown]).out);
    expect(byName.described.lastUse).toEqual({ reported: true, daysUnused: 120 });
    expect(byName.described.findings.map((f) => f.kind)).toContain("never-used");
    expect(byName.unknown.lastUse).toEqual({ reported: false });
    expect(byName.unknown.findings.map((f) => f.kind)).not.toContain("never-used");
  });

  test("the report lists a key's scopes with their risk: the description's risks, the rules file's scopes, else unknown", () => {
    writeFileSync(join(dir, "hub.yaml"), `${readFileSync(HUB, "utf8")}\nrisks:\n  "admin:*": { risk: high, reason: "administers the hub" }\n`);
    writeFileSync(join(dir, "apikeys-review.json"), JSON.stringify({ scopes: [{ scope: "read:users:name*", risk: "low", reason: "reads user names" }] }));
    const key = hubKey("admin-bot", { connection: { backend: "http", api: "hub.yaml" }, scopes: ["admin:users", "read:users:name!user=alice", "servers"] });
    const [row] = Object.values(keys(report([key]).out));
    expect(row.scopes).toEqual([
      { scope: "admin:users", risk: "high", reason: "administers the hub" },
      { scope: "read:users:name!user=alice", risk: "low", reason: "reads user names" },
      { scope: "servers", risk: "unknown", reason: expect.stringContaining("no rule says what this scope grants") },
    ]);
    const markdown = report([key], "markdown").out;
    expect(markdown).toContain("`admin:users` (scope) ⛔ high<br>`read:users:name!user=alice` (scope) low<br>`servers` (scope) risk unknown");
    expect(report([key], "csv").out.split("\r\n")[1]).toContain(`,"admin:users (high); read:users:name!user=alice (low); servers (unknown)",high,`);
  });
});
