import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { BACKEND_NAMES } from "../../provider";

const providerDir = join(__dirname, "../../provider");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
}

describe("the provider's structure", () => {
  // "reference" is also an ordinary word; the vendors' names are not. "http" is one too (URLs, the
  // provider/http/ client): for it, what must appear nowhere else is its folder (`backends/http`, `"./http"`).
  const mentions = (text: string, name: string) => (name === "http" ? /backends\/http\b|from "\.\/http"/.test(text) : text.includes(name));
  test.each(BACKEND_NAMES.filter((name) => name !== "reference"))(
    "the %s backend lives in its own folder: its name appears nowhere else but the registry",
    (name) => {
      const mentioning = files(providerDir)
        .filter((file) => mentions(readFileSync(file, "utf8"), name))
        .map((file) => relative(providerDir, file));
      expect(mentioning.filter((file) => !file.startsWith(`backends/${name}/`))).toEqual(["backends/registry.ts"]);
      expect(mentioning.some((file) => file.startsWith(`backends/${name}/`))).toBe(true);
    },
  );
});
