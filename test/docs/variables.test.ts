import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { userDocuments } from "../helpers/userDocuments";

const root = join(__dirname, "../..");

/** The files under a folder whose names match (sources, scripts), without dependencies, builds or scratch folders. */
function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) return [];
    return statSync(path).isDirectory() ? filesUnder(path, pattern) : pattern.test(name) ? [path] : [];
  });
}

/** Where a user reads about settings. */
const documents = userDocuments;

describe("environment variables", () => {
  test("every APIKEYS_* variable the product reads is documented in the README, docs/ or the server's README", () => {
    const read = new Set(
      ["provider", "server", "review", "policy", "shared"]
        .flatMap((dir) => filesUnder(join(root, dir), /\.ts$/))
        .flatMap((file) => readFileSync(file, "utf8").match(/\bAPIKEYS_[A-Z][A-Z_]*[A-Z]\b/g) ?? []),
    );
    // Not settings: a name the release build defines in the bundled plugin, and the tests' own.
    for (const name of [...read]) if (name === "APIKEYS_RELEASE" || name.startsWith("APIKEYS_TEST_")) read.delete(name);
    const docs = documents()
      .map((file) => readFileSync(join(root, file), "utf8"))
      .join("\n");
    expect([...read].filter((name) => !new RegExp(`\\b${name}\\b`).test(docs)).sort()).toEqual([]);
    expect(read.size).toBeGreaterThan(15);
  });

  test("every APIKEYS_* variable the README and docs/ name is one the product reads (no stale or misspelt name)", () => {
    const read = new Set(
      ["provider", "server", "review", "policy", "shared", "scripts", "bin", "test"]
        .flatMap((dir) => filesUnder(join(root, dir), /\.(ts|sh|js)$/))
        .flatMap((file) => readFileSync(file, "utf8").match(/\bAPIKEYS_[A-Z][A-Z_]*[A-Z]\b/g) ?? []),
    );
    const named = documents().flatMap((file) =>
      (readFileSync(join(root, file), "utf8").match(/\bAPIKEYS_[A-Z][A-Z_]*[A-Z]\b/g) ?? []).map((name) => ({ file, name })),
    );
    // The tests' own variables (the maintainer's guide names them) count: the test folder is searched too.
    const unknown = named.filter(({ name }) => !read.has(name)).map(({ file, name }) => `${file}: ${name}`);
    expect([...new Set(unknown)]).toEqual([]);
    expect(named.length).toBeGreaterThan(15);
  });
});
