import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../helpers/engine";

jest.setTimeout(240_000);

/**
 * `npm run demo`, run twice on its own state: the real `pulumi up` through the CLI and the Node.js
 * language host (the update history says "cli", where the Automation API's inline programs say
 * "auto.inline"); the first run creates, the second changes nothing.
 */
test("the demo runs pulumi up through the CLI and the language host, proves a key authenticates, repairs a leaked key, and a second run changes nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "apikeys-demo-"));
  const stackName = `demo-e2e-${Date.now().toString(36)}`;
  const env = {
    ...process.env,
    APIKEYS_DEMO_DATA_DIR: join(dir, "data"),
    APIKEYS_DEMO_STATE_DIR: join(dir, "state"),
    APIKEYS_DEMO_STACK: stackName,
    NO_COLOR: "1",
  };
  // As scripts/demo.sh runs it (after setup): the TypeScript demo through the dev dependency tsx.
  const run = () =>
    promisify(execFile)(join(repoRoot, "node_modules/.bin/tsx"), [join(repoRoot, "scripts/demo.ts")], { cwd: repoRoot, env, maxBuffer: 10 * 1024 * 1024 });
  try {
    const first = await run();
    expect(first.stdout).toContain('demo: changes: {"create":5} (run by the cli)');
    // The language host and our plugin launchers sit beside the pulumi binary: no "from $PATH" warning.
    expect(first.stdout + first.stderr).not.toContain("from $PATH");
    expect(first.stdout).toMatch(/demo: the search key authenticates: key_\w+ "Search front end" \(live\), 2 privileges/);
    expect(first.stdout).toMatch(/searchKey\s+\[secret\]/);
    expect(first.stdout).not.toMatch(/ak_(live|test)_[0-9A-Za-z]{30}/);
    // The leak drill: the alert revokes the CI key, the review says why it is replaced, up issues a working successor.
    expect(first.stdout).toContain("demo: leak drill: a signed alert reports the CI key in a public repository: true_positive; the key now answers REVOKED");
    expect(first.stdout).toMatch(
      /demo: leak drill: review: \| ci-integration-tests \| \*\*replace\*\* .*\*\*new secret\*\* \(replaces a key revoked as leaked\)/,
    );
    expect(first.stdout).toMatch(/demo: leak drill: after pulumi up the CI key's successor authenticates: key_\w+/);
    const second = await run();
    expect(second.stdout).toContain('demo: changes: {"same":5} (run by the cli)');
    expect(second.stdout).toContain("demo: key server stopped");
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(repoRoot, `Pulumi.${stackName}.yaml`), { force: true });
  }
});
