import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { linksOf } from "./markdownLinks";

const root = join(__dirname, "../..");

/** The files `npm pack` puts in the package (paths relative to the package root). */
function packedFiles(): Set<string> {
  const answer = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" })) as Array<{
    files: Array<{ path: string }>;
  }>;
  return new Set(answer[0].files.map((f) => f.path));
}

/**
 * The README is what npm shows and what a user opens in node_modules/pulumi-apikeys: every relative
 * link in it, and in the docs it links to, must lead to a file or folder the package ships. (The
 * repository's own link check, links.test.ts, cannot see a file left out of `files`.)
 */
describe("the published package's documentation", () => {
  const packed = packedFiles();
  const shipped = (path: string) => packed.has(path) || [...packed].some((file) => file.startsWith(`${path}/`));
  // The registry pages link the way the Pulumi Registry serves them (`installation-configuration`, no
  // extension), not as files: releaseDocs.test.ts checks them.
  const markdown = [...packed].filter(
    (file) => file.endsWith(".md") && (file === "README.md" || (file.startsWith("docs/") && !file.startsWith("docs/registry/"))),
  );

  test("ships the README and the docs it links to", () => {
    expect(markdown).toEqual(expect.arrayContaining(["README.md", "docs/install.md", "docs/languages.md"]));
  });

  test.each(markdown)("%s links only to what the package ships", (file) => {
    const text = readFileSync(join(root, file), "utf8");
    const missing = linksOf(text)
      .filter(({ target }) => !/^[a-z]+:/i.test(target) && !target.startsWith("#"))
      // Screenshots stay in the repository: 580 KB of PNG against a 220 KB package.
      .filter(({ target }) => !/\.png$/i.test(target.split("#")[0]))
      .map(({ line, target }) => ({ line, target, path: normalize(join(dirname(file), decodeURI(target.split("#")[0]))).replace(/\/$/, "") }))
      .filter(({ path }) => !shipped(path));
    expect(missing.map(({ line, target }) => `${file}:${line}: ${target}`)).toEqual([]);
  });
});
