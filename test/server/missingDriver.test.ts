import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCli } from "../helpers/serverCli";

/**
 * npm drops `better-sqlite3`, an optional dependency, without failing the install when its native
 * build fails; the server then cannot load it. A preload makes this installation's driver unloadable
 * the same way (Node's own MODULE_NOT_FOUND, with its require stack), and the real command starts.
 */
describe("apikeys-server without its SQLite driver", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "apikeys-nodriver-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("says the driver is missing and how to build it, once, without a require stack", async () => {
    const preload = join(dir, "without-better-sqlite3.js");
    writeFileSync(
      preload,
      `const Module = require("node:module");
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (request === "better-sqlite3") {
    const error = new Error("Cannot find module 'better-sqlite3'\\nRequire stack:\\n- " + (parent && parent.filename));
    error.code = "MODULE_NOT_FOUND";
    error.requireStack = [parent && parent.filename];
    throw error;
  }
  return resolve.call(this, request, parent, ...rest);
};
`,
    );
    const failed = await startCli({ DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}` }, { nodeArgs: ["--require", preload] }).catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    const stderr = String((failed as Error).message).replace(/^apikeys-server exited with 1: /, "");
    expect(stderr).toMatch(/^apikeys-server: the SQLite driver \(better-sqlite3\) is not installed/);
    expect(stderr).toContain("npm_config_nodedir");
    expect(stderr).toContain("build-essential");
    expect(stderr).toContain("DATABASE_URL=postgres://");
    expect(stderr).toContain("Installing where prebuilt binaries cannot be downloaded");
    expect(stderr).not.toContain("Require stack");
    expect(stderr.match(/better-sqlite3/g)?.length).toBeLessThanOrEqual(3);
  });
});
