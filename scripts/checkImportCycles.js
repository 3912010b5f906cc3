#!/usr/bin/env node
// Fails when the TypeScript sources import each other in a cycle at run time (type-only imports are
// erased by tsc and do not count). A cycle makes load order matter: a module can see another's
// exports still undefined. Run by `npm run lint`.
const { readFileSync, readdirSync, statSync, existsSync } = require("node:fs");
const { join, dirname, resolve, relative } = require("node:path");

const root = resolve(__dirname, "..");
const roots = ["provider", "server", "shared", "review", "policy"].map((d) => join(root, d));

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name === "dist") return [];
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

function resolveImport(from, specifier) {
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, join(base, "index.ts")].find((candidate) => existsSync(candidate));
}

/** Relative imports that survive compilation: not `import type`, and not a list of `type` names only. */
function runtimeImports(file) {
  const text = readFileSync(file, "utf8");
  const found = [];
  const pattern = /^\s*(?:import|export)\s+(type\s+)?([^;]*?)\s*from\s*"(\.[^"]+)"|^\s*import\s+"(\.[^"]+)"/gms;
  for (const match of text.matchAll(pattern)) {
    const [, typeOnly, clause, specifier, bare] = match;
    if (bare) {
      found.push(bare);
      continue;
    }
    if (typeOnly) continue;
    const names = clause.match(/^\{([^}]*)\}$/s);
    if (names && names[1].split(",").every((n) => n.trim() === "" || n.trim().startsWith("type "))) continue;
    found.push(specifier);
  }
  return found.map((s) => resolveImport(file, s)).filter(Boolean);
}

const graph = new Map();
for (const dir of roots) for (const file of sources(dir)) graph.set(file, runtimeImports(file));

const state = new Map();
const cycles = [];
function visit(file, path) {
  if (state.get(file) === "done") return;
  if (state.get(file) === "open") {
    cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(root, f)).join(" -> "));
    return;
  }
  state.set(file, "open");
  for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
  state.set(file, "done");
}
for (const file of graph.keys()) visit(file, []);

if (cycles.length > 0) {
  console.error(`import cycles (a module's exports can be undefined while it loads):\n  ${cycles.join("\n  ")}`);
  process.exit(1);
}
console.log(`no import cycles among ${graph.size} modules`);
