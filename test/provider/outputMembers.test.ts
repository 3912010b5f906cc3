import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import { apiKeyInputsSchema } from "../../provider/keyState/inputs";
import { API_KEY_OUTPUTS } from "../../provider/keyState/outputs";

const root = join(__dirname, "../..");

/** Every property a stack can read from a key: the table's outputs and every declared input. */
const readable = [...API_KEY_OUTPUTS, ...Object.keys(apiKeyInputsSchema().shape)];

/**
 * A stack program that reads every output of a key of `className`, each into a variable of the type
 * ApiKeyOutputs gives it. docs/languages.md moves a stack to the native provider by renaming the
 * class: the same program, with the other class name, must compile too.
 */
function programReading(className: string, names: readonly string[]): string {
  return [
    `import type * as pulumi from "@pulumi/pulumi";`,
    `import { ${className}, type ApiKeyOutputs } from "pulumi-apikeys";`,
    `const key = new ${className}("search", { environment: "live" });`,
    ...names.map((name) => `export const ${name}: pulumi.Output<ApiKeyOutputs["${name}"]> = key.${name};`),
    "",
  ].join("\n");
}

/** The type errors of each program, compiled together against the package's sources (tsconfig.json maps `pulumi-apikeys`). */
function typeErrors(programs: Record<string, string>): Record<string, string[]> {
  const { options } = ts.parseJsonConfigFileContent(ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile).config, ts.sys, root);
  const compilerOptions: ts.CompilerOptions = { ...options, noEmit: true, declaration: false, sourceMap: false };
  const virtual = new Map(Object.entries(programs).map(([name, code]) => [join(root, "test", "provider", `${name}.ts`), code]));
  const host = ts.createCompilerHost(compilerOptions, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) => {
    const code = virtual.get(name);
    return code === undefined ? getSourceFile.call(host, name, language, ...rest) : ts.createSourceFile(name, code, language);
  };
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => virtual.get(name) ?? readFile.call(host, name);
  const program = ts.createProgram([...virtual.keys()], compilerOptions, host);
  return Object.fromEntries(
    [...virtual.keys()].map((file) => [
      file.slice(join(root, "test", "provider").length + 1, -".ts".length),
      ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, " ")),
    ]),
  );
}

describe("the outputs both resource classes expose", () => {
  test("a program reading every output, each with the type ApiKeyOutputs gives it, compiles with ApiKey and with NativeApiKey", () => {
    expect(readable).toEqual(expect.arrayContaining(["secretPending", "lastUsedAt", "description", "environment", "enabled", "expiresAt", "lifetime"]));
    const errors = typeErrors({
      "reads-dynamic": programReading("ApiKey", readable),
      "reads-native": programReading("NativeApiKey", readable),
      // The control: a name no class declares fails, so the two programs above were checked for real.
      "reads-unknown": programReading("NativeApiKey", ["notAnOutput"]),
    });
    expect(errors["reads-dynamic"]).toEqual([]);
    expect(errors["reads-native"]).toEqual([]);
    expect(errors["reads-unknown"].join("\n")).toMatch(/notAnOutput/);
  }, 120_000);
});

describe("the outputs at run time", () => {
  const registered = new Map<string, Record<string, unknown>>();
  beforeAll(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.set(args.name, args.inputs);
          return { id: `key_${args.name}`, state: { ...args.inputs, keyId: `key_${args.name}` } };
        },
        call: () => ({}),
      },
      "shop",
      "dev",
      false,
    );
  });

  test("every output and input is an Output member of both classes, and an input left out is registered as not set", async () => {
    // Loaded after setMocks, as a program loads the package after the engine set up the runtime.
    const { ApiKey, NativeApiKey } = require("../../provider") as typeof import("../../provider");
    const keys = { dynamic: new ApiKey("dynamic", {}), native: new NativeApiKey("native", {}) };
    for (const [kind, key] of Object.entries(keys)) {
      const members = key as unknown as Record<string, unknown>;
      expect({ kind, missing: readable.filter((name) => !pulumi.Output.isInstance(members[name])) }).toEqual({ kind, missing: [] });
    }
    // Registered (the dynamic provider serialized): the mock saw what the engine would.
    await Promise.all(Object.values(keys).map((key) => new Promise((resolve) => key.keyId.apply(resolve))));
    // The members exist without declaring an input: no undefined inputs reach the engine.
    const inputs = registered.get("dynamic") ?? {};
    expect(Object.keys(inputs).filter((name) => inputs[name] === undefined)).toEqual([]);
    expect(inputs).not.toHaveProperty("rotation");
  });

  test("the placeholders never hide a declared input: both classes register what the program declares", async () => {
    const { ApiKey, NativeApiKey } = require("../../provider") as typeof import("../../provider");
    const declared = {
      description: "storefront search, owned by web",
      environment: "live" as const,
      lifetime: "P90D",
      rotation: { renewBeforeExpiry: "P14D" },
    };
    const keys = [new ApiKey("declared-dynamic", declared), new NativeApiKey("declared-native", declared)];
    await Promise.all(keys.map((key) => new Promise((resolve) => key.keyId.apply(resolve))));
    for (const name of ["declared-dynamic", "declared-native"]) expect({ name, ...registered.get(name) }).toMatchObject({ name, ...declared });
  });
});
