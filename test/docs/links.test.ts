import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { userDocuments } from "../helpers/userDocuments";
import * as ts from "typescript";
import { checkApiKeyInputs } from "../../provider";
import { packageSchema } from "../../provider/native/schema";
import { anchorsOf, checkLinks, codeBlocks, formatProblem, githubSlug, linksOf } from "./markdownLinks";

const yaml = require("js-yaml") as { load(text: string): unknown };

const root = join(__dirname, "../..");
const markdownFiles = userDocuments();
const docs = markdownFiles.filter((file) => file.startsWith("docs/"));
const readme = readFileSync(join(root, "README.md"), "utf8");

describe("the link checker", () => {
  test("makes GitHub's anchors: lowercase, spaces to -, punctuation and code marks dropped", () => {
    expect(githubSlug("Which provider? The dynamic `ApiKey` or the native `apikeys:index:ApiKey`")).toBe(
      "which-provider-the-dynamic-apikey-or-the-native-apikeysindexapikey",
    );
    expect(githubSlug("Leak response: secret-scanning alerts")).toBe("leak-response-secret-scanning-alerts");
    expect(githubSlug("Tools built for this machine (tools/)")).toBe("tools-built-for-this-machine-tools");
    expect(githubSlug("Moving a TypeScript stack from `ApiKey` to `NativeApiKey`")).toBe("moving-a-typescript-stack-from-apikey-to-nativeapikey");
    expect(githubSlug("The team's rules_file, **bold** and [a link](x.md)")).toBe("the-teams-rules_file-bold-and-a-link");
    expect([...anchorsOf('# A\n\n```md\n# Not a heading\n```\n\n## A\n<a id="kept"></a>\n')]).toEqual(["a", "a-1", "kept"]);
  });

  test("finds links outside code, with their line, and skips code blocks and code spans", () => {
    const text = [
      "# T",
      "see [the docs](docs/a.md#x) and `[not](a link)`",
      "",
      "```",
      "[no](link.md)",
      "```",
      "[wrapped",
      "text](b.md 'title') ![img](c.png)",
      "[ref]: <d.md>",
    ].join("\n");
    expect(linksOf(text)).toEqual([
      { line: 2, target: "docs/a.md#x" },
      { line: 8, target: "b.md" },
      { line: 8, target: "c.png" },
      { line: 9, target: "d.md" },
    ]);
  });

  test("names the file, the line and the target of every broken link", () => {
    const dir = mkdtempSync(join(tmpdir(), "links-"));
    mkdirSync(join(dir, "docs"));
    writeFileSync(join(dir, "docs", "topic.md"), "# Topic\n\n## Some section\n");
    writeFileSync(
      join(dir, "README.md"),
      [
        "# Title",
        "[fine](docs/topic.md#some-section) [fine](#title) [folder](docs) [web](https://example.com/a?b#c)",
        "[missing file](docs/gone.md)",
        "[missing anchor](docs/topic.md#no-such-section)",
        "[missing local anchor](#nowhere)",
        "[bad url](https://exa mple.com) [absolute](/docs/topic.md)",
      ].join("\n"),
    );
    expect(checkLinks(dir, ["README.md"]).map(formatProblem)).toEqual([
      'README.md:3: broken link "docs/gone.md": no such file or folder: docs/gone.md',
      'README.md:4: broken link "docs/topic.md#no-such-section": no heading with the anchor #no-such-section in docs/topic.md',
      'README.md:5: broken link "#nowhere": no heading with the anchor #nowhere in README.md',
      'README.md:6: broken link "/docs/topic.md": an absolute path: GitHub resolves it against github.com, not the repository; use a relative path',
    ]);
    writeFileSync(join(dir, "README.md"), "[bad url](https://exa%20mple.com/)\n[bad host](https://nodots/)\n");
    expect(checkLinks(dir, ["README.md"]).map((p) => p.line)).toEqual([1, 2]);
  });
});

describe("README.md and docs/", () => {
  test("the README links to every page of docs/", () => {
    const linked = new Set(linksOf(readme).map(({ target }) => target.split("#")[0]));
    expect(docs.filter((page) => !linked.has(page))).toEqual([]);
  });

  test.each(markdownFiles)("every link in %s resolves (files, folders, #anchors; http(s) by syntax)", (file) => {
    expect(checkLinks(root, [file]).map(formatProblem)).toEqual([]);
  });

  test.each(["README.md", ...docs])("every `npm run <script>` in %s names a script of package.json", (file) => {
    const scripts = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts);
    const text = readFileSync(join(root, file), "utf8");
    const named = [...text.matchAll(/\bnpm\s+(?:run(?:-script)?\s+(\w[\w-]*(?::\w[\w-]*)*)|(test|start)\b)/g)].map((m) => m[1] ?? m[2]);
    if (file === "README.md") expect(named).toEqual(expect.arrayContaining(["demo", "test"]));
    expect(named.filter((script) => !scripts.includes(script))).toEqual([]);
  });
});

describe("the README's examples", () => {
  const blocks = codeBlocks(readme);

  test("the TypeScript examples type-check against the package", () => {
    const examples = blocks.filter((b) => b.lang === "ts" || b.lang === "typescript");
    expect(examples.length).toBeGreaterThan(0);
    const configFile = ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile);
    // tsconfig.json maps `pulumi-apikeys` to provider/index.ts: the examples compile against the
    // package's sources as they are now, with no build needed.
    const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
    const compilerOptions: ts.CompilerOptions = { ...options, noEmit: true, declaration: false, sourceMap: false, noUnusedLocals: true };
    const virtual = new Map(examples.map((b, i) => [join(root, "test", "docs", `readme-example-${i + 1}.ts`), b]));
    const host = ts.createCompilerHost(compilerOptions, true);
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (name, language, ...rest) =>
      virtual.has(name) ? ts.createSourceFile(name, virtual.get(name)!.code, language) : getSourceFile.call(host, name, language, ...rest);
    host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
    host.readFile = (name) => virtual.get(name)?.code ?? readFile.call(host, name);
    const program = ts.createProgram([...virtual.keys()], compilerOptions, host);
    const errors: string[] = [];
    for (const [name, block] of virtual) {
      const source = program.getSourceFile(name)!;
      for (const d of ts.getPreEmitDiagnostics(program, source)) {
        const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
        errors.push(`README.md:${block.line + at}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
      }
    }
    expect(errors).toEqual([]);
  }, 120_000);

  test("the YAML example parses, declares apikeys:ApiKey resources, and their properties pass the provider's check", () => {
    const examples = blocks.filter((b) => b.lang === "yaml" || b.lang === "yml");
    expect(examples.length).toBeGreaterThan(0);
    for (const block of examples) {
      const program = yaml.load(block.code) as { runtime?: string; resources?: Record<string, { type: string; properties?: Record<string, unknown> }> };
      expect(program.runtime).toBe("yaml");
      const keys = Object.entries(program.resources ?? {}).filter(([, r]) => r.type === "apikeys:ApiKey");
      expect(keys.length).toBeGreaterThan(0);
      for (const [name, resource] of keys) {
        // Interpolations (${...}) are the engine's to resolve; every other property must be a valid input.
        // The native provider names a key without a displayName after its resource, as check expects.
        const literal = Object.fromEntries(Object.entries(resource.properties ?? {}).filter(([, v]) => !JSON.stringify(v).includes("${")));
        const declared = { displayName: name, ...literal };
        expect({ name, failures: checkApiKeyInputs({}, declared, new Date()).failures }).toEqual({ name, failures: [] });
      }
    }
  });

  test("the Python example calls the generated SDK with arguments its schema has", () => {
    const examples = blocks.filter((b) => b.lang === "python" || b.lang === "py");
    expect(examples.length).toBeGreaterThan(0);
    const schema = packageSchema("0.0.0") as {
      resources: Record<string, { inputProperties: Record<string, unknown> }>;
      types: Record<string, { properties: Record<string, unknown> }>;
    };
    // The Python SDK's classes: ApiKey, and one <Type>Args per named type; arguments in snake_case.
    const classes: Record<string, string[]> = { ApiKey: Object.keys(schema.resources["apikeys:index:ApiKey"].inputProperties) };
    for (const [token, type] of Object.entries(schema.types)) classes[`${token.split(":").pop()}Args`] = Object.keys(type.properties);
    const camel = (name: string) => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    const unknown: string[] = [];
    for (const block of examples) {
      expect(block.code).toContain("import pulumi_apikeys as apikeys");
      const calls = [...block.code.matchAll(/\bapikeys\.(\w+)\(/g)];
      expect(calls.map((c) => c[1])).toContain("ApiKey");
      for (const call of calls) {
        const properties = classes[call[1]];
        if (!properties) {
          unknown.push(`apikeys.${call[1]}: no such class in the SDK`);
          continue;
        }
        // The call's keyword arguments at its own nesting level.
        let depth = 0;
        let args = "";
        for (const ch of block.code.slice(call.index! + call[0].length)) {
          if (ch === ")" && depth === 0) break;
          if (ch === "(" || ch === "[" || ch === "{") depth++;
          if (ch === ")" || ch === "]" || ch === "}") depth--;
          args += depth === 0 ? ch : " ";
        }
        for (const kw of args.matchAll(/\b(\w+)\s*=(?!=)/g)) {
          if (!properties.includes(camel(kw[1]))) unknown.push(`apikeys.${call[1]}(${kw[1]}=...): no input ${camel(kw[1])}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });
});
