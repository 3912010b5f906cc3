import { errorCodeOf, messageOf } from "../shared/caught";

/**
 * What to do when a database driver, an optional dependency, is not installed. npm drops
 * `better-sqlite3` without failing the install when its native build fails (no prebuilt binary
 * downloadable, no C/C++ toolchain or Node's headers to build one); Node then reports only
 * `Cannot find module` and a require stack, which says nothing of why or of the fix (README.md,
 * "Installing where prebuilt binaries cannot be downloaded").
 */
const ADVICE: Record<string, string> = {
  "better-sqlite3": `the SQLite driver (better-sqlite3) is not installed. npm leaves it out without failing the install when
its native build fails: no prebuilt binary could be downloaded, and no C/C++ toolchain or Node's headers
were there to build one. Build it with the headers your Node ships with:
  apt-get install build-essential python3        # Debian/Ubuntu: gcc, g++, make, and python3 for node-gyp
  export npm_config_nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  npm install apikeys-server
  node -e 'require("better-sqlite3")'           # fails loudly if the build was dropped again
or run on PostgreSQL instead: DATABASE_URL=postgres://...
(apikeys-server's README: "Installing where prebuilt binaries cannot be downloaded")`,
  pg: `the PostgreSQL driver (pg) is not installed: run \`npm install pg\` beside apikeys-server, or use DATABASE_URL=sqlite:<file>`,
};

/** The line(s) `apikeys-server` prints for a failed start: a missing driver explained, anything else its message. */
export function startFailureMessage(error: unknown): string {
  if (errorCodeOf(error) === "MODULE_NOT_FOUND") {
    const module = /^Cannot find module '([^']+)'/.exec(messageOf(error))?.[1];
    if (module && ADVICE[module]) return ADVICE[module];
  }
  return messageOf(error);
}
