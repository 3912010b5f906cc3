#!/usr/bin/env node
// Counts type assertions (`x as T`, `<T>x`, not `as const`) and non-null assertions (`x!`) in the
// product code, per folder, with the TypeScript parser: a grep cannot tell `as` in a comment or a
// string from a cast. `node scripts/countAssertions.js --list [folder]` prints each one.
const fs = require("fs");
const path = require("path");
const ts = require("typescript");

const root = path.resolve(__dirname, "..");
const folders = ["provider", "server", "review", "policy", "shared", "console/src"];
const list = process.argv.includes("--list");
const only = process.argv.slice(2).find((a) => !a.startsWith("--"));

function sourceFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return ["node_modules", "dist"].includes(entry.name) ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

function assertionsIn(file) {
  const text = fs.readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    const isConst = (type) => ts.isTypeReferenceNode(type) && type.typeName.getText(source) === "const";
    if ((ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && !isConst(node.type)) found.push(["cast", node]);
    if (ts.isNonNullExpression(node)) found.push(["non-null", node]);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.map(([kind, node]) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    return { kind, where: `${path.relative(root, file)}:${line + 1}`, text: node.getText(source).replace(/\s+/g, " ").slice(0, 100) };
  });
}

const totals = { cast: 0, "non-null": 0 };
for (const folder of folders) {
  if (only && !folder.startsWith(only) && !only.startsWith(folder)) continue;
  const found = sourceFiles(path.join(root, folder)).flatMap(assertionsIn);
  const casts = found.filter((f) => f.kind === "cast").length;
  const nonNull = found.length - casts;
  totals.cast += casts;
  totals["non-null"] += nonNull;
  console.log(`${folder.padEnd(12)} casts ${String(casts).padStart(4)}  non-null ${String(nonNull).padStart(3)}`);
  if (list) for (const f of found) console.log(`  ${f.kind.padEnd(8)} ${f.where}  ${f.text}`);
}
console.log(`${"total".padEnd(12)} casts ${String(totals.cast).padStart(4)}  non-null ${String(totals["non-null"]).padStart(3)}`);
