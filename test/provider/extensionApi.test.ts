import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import * as backends from "../../provider/extension";

const root = join(__dirname, "../..");
const entry = join(root, "provider/extension.ts");

/** Every exported name of the extension API, with the declarations (and their members) that lack TSDoc. */
function undocumented(): { exports: string[]; missing: string[] } {
  const program = ts.createProgram([entry], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const missing: string[] = [];
  const documented = (symbol: ts.Symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim().length > 0;
  const exports = checker.getExportsOfModule(module);
  for (const exported of exports) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!documented(symbol)) missing.push(exported.name);
    for (const declaration of symbol.declarations ?? []) {
      // The members a backend author reads: an interface's or a class's (public), a type literal's.
      const members: readonly ts.Node[] =
        ts.isInterfaceDeclaration(declaration) || ts.isClassDeclaration(declaration)
          ? declaration.members
          : ts.isTypeAliasDeclaration(declaration) && ts.isTypeLiteralNode(declaration.type)
            ? declaration.type.members
            : [];
      for (const member of members) {
        if (ts.isConstructorDeclaration(member) || !("name" in member) || !member.name) continue;
        const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
        if (modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)) continue;
        const memberSymbol = checker.getSymbolAtLocation(member.name as ts.Node);
        if (memberSymbol && !documented(memberSymbol)) missing.push(`${exported.name}.${memberSymbol.name}`);
      }
    }
  }
  return { exports: exports.map((e) => e.name).sort(), missing };
}

describe("the extension API (pulumi-apikeys/backends)", () => {
  test("is a subpath export of the package, built from provider/extension.ts", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, unknown> };
    expect(pkg.exports["./backends"]).toEqual({ types: "./dist/provider/extension.d.ts", default: "./dist/provider/extension.js" });
  });

  test("exports defineBackend, the KeyBackend contract and what a backend author needs, each with TSDoc on every member", () => {
    const { exports, missing } = undocumented();
    expect(exports).toEqual(
      expect.arrayContaining([
        "BackendDescriptor",
        "KeyBackend",
        "KeySpec",
        "RemoteKey",
        "IssuedRemoteKey",
        "KeyChanges",
        "RollOptions",
        "ResolvedConnection",
        "defineBackend",
        "KeyApiError",
      ]),
    );
    expect(missing).toEqual([]);
  });

  test("defineBackend types a backend written outside the repository, and the provider's errors are the same classes", () => {
    const descriptor = backends.defineBackend({
      name: "signed",
      inputFields: () => ({}),
      supportedInputs: ["expiresAt"],
      updatableFields: new Set(["displayName"]),
      rotation: "replace",
      rollsInPlace: false,
      graceKeptBy: "stack",
      reportsLastUse: false,
      maxGracePeriodSeconds: 0,
      create: () => {
        throw new backends.ConnectionConfigError("token", "not reachable in this test");
      },
    });
    expect(descriptor.name).toBe("signed");
    expect(backends.SHARED_OPTIONAL_INPUTS).toContain("expiresAt");
    expect(() => descriptor.create({ endpoint: "https://x", token: "t", organizationId: "o", backend: "signed" }, {})).toThrow(backends.ConnectionConfigError);
  });
});
