import { readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { startServerAndStack } from "../helpers/engineFixture";
import { liveKeys, whoami } from "../helpers/fixtures";
import { waitUntil } from "../helpers/waitUntil";

jest.setTimeout(150_000);

/** Every process whose parent chain leads to `root`, `root` included. */
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/** The `pulumi up` CLI the Automation API started for this stack (its working directory is the stack's). */
function pulumiUpProcess(workDir: string): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (cmdline[0].endsWith("/pulumi") && cmdline.includes("up") && readlinkSync(`/proc/${entry}/cwd`) === workDir) return Number(entry);
    } catch {
      // not ours to read, or gone
    }
  }
  return undefined;
}

/** Every empty `.attrs` sidecar under `dir`: what a kill during the file backend's write can leave. */
function emptySidecars(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".attrs"))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => statSync(path).size === 0);
}

/**
 * The engine and its provider host are killed with SIGKILL while creates are in flight (the API made
 * keys whose answers never reached state). The user removes the stale lock, runs `pulumi refresh`
 * (clearing the pending creates) and `pulumi up`: every declared key exists once, every key on the
 * server is in state, and no secret is lost.
 */
test("SIGKILL of the engine in the middle of an up: refresh + up converge with no orphaned and no duplicated key", async () => {
  const { server, org, proxy, stack, close } = await startServerAndStack({ name: "sigkill", faultProxy: true });
  // Every create's answer is held back 1.5 s after the server made the key: the kill lands while
  // some keys exist on the server but not in state.
  proxy.inject({ kind: "delay-response", ms: 1500 }, { method: "POST", pathIncludes: "/keys", times: 1000 });
  const count = 30;
  stack.keys = Object.fromEntries(Array.from({ length: count }, (_, i) => [`key-${i}`, { description: `key ${i}`, environment: "live" as const }]));
  const listKeys = () => liveKeys(server, org);
  try {
    let settled: string | undefined;
    const up = stack.up({ parallel: 8 }).then(
      () => (settled = "finished"),
      () => (settled = "killed"),
    );
    await waitUntil("12 keys on the server, or the end of the up", async () => settled !== undefined || (await listKeys()).length >= 12, {
      timeoutMs: 120_000,
      intervalMs: 25,
    });
    expect(settled).toBeUndefined(); // the run was still going when it was killed
    const cli = pulumiUpProcess(stack.workDir);
    expect(cli).toBeDefined();
    const killed = processTree(cli!);
    for (const pid of killed) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    // The Automation API may never settle a run whose CLI died (it waits for the CLI's event log to
    // end); what matters is that the engine is gone.
    expect(await Promise.race([up, new Promise((r) => setTimeout(() => r("killed"), 10_000))])).toBe("killed");
    expect(pulumiUpProcess(stack.workDir)).toBeUndefined();
    expect(killed.length).toBeGreaterThanOrEqual(2); // the CLI and the dynamic-provider host at least
    const onServerAtKill = (await listKeys()).length;
    const stateAtKill = stack.exportedState();
    const inStateAtKill = (await listKeys()).filter((k) => stateAtKill.includes(k.id)).length;
    // The point of the test: keys exist that the state does not know.
    expect(onServerAtKill).toBeGreaterThan(inStateAtKill);
    expect(onServerAtKill).toBeLessThan(count);

    // What a user does after a crash on a file backend (docs/troubleshooting.md): remove the lock the
    // killed run left behind, and an empty `.attrs` file beside the state. The file backend's storage
    // (gocloud.dev fileblob) writes a file's sidecar `<file>.attrs` in place (create, truncate, then
    // write) before it renames the file itself into place: a kill in between leaves it empty, and the
    // next command fails with "failed to load checkpoint: EOF" (seen once in a loaded run).
    rmSync(join(stack.workDir, "state", ".pulumi", "locks"), { recursive: true, force: true });
    for (const file of emptySidecars(join(stack.workDir, "state"))) rmSync(file);
    proxy.inject({ kind: "delay-response", ms: 0 }, { method: "POST", pathIncludes: "/keys", times: 100_000 });
    await stack.stack.refresh({ clearPendingCreates: true, color: "never", onOutput: (l) => stack.log.push(l) });
    const result = await stack.up({ parallel: 8 });

    const keys = await listKeys();
    expect(keys).toHaveLength(count);
    const inState = Object.entries(result.outputs)
      .filter(([n]) => n.endsWith(".keyId"))
      .map(([, o]) => o.value as string);
    expect(new Set(inState).size).toBe(count);
    expect(keys.map((k) => k.id).sort()).toEqual([...inState].sort());
    // Each secret in state works and names its own key.
    for (const [name, output] of Object.entries(result.outputs).filter(([n]) => n.endsWith(".secret"))) {
      const who = await whoami(server, output.value);
      expect(who.body.keyId).toBe(result.outputs[name.replace(".secret", ".keyId")].value);
    }
    // And nothing of it in plain text on disk.
    const state = stack.exportedState();
    for (const [, output] of Object.entries(result.outputs).filter(([n]) => n.endsWith(".secret"))) expect(state).not.toContain(output.value);
  } finally {
    await close();
  }
});
