// An esbuild plugin for the plugin bundle (scripts/release/sea.js): modules that are loaded on first
// use instead of when the bundle starts.
//
// Why: the release executable starts from a V8 startup snapshot taken after the bundle's modules have
// been evaluated (sea.js). Node.js 20's snapshot builder cannot hold some of what they would load:
// - `http`, `https`, `http2` and `tls`: Node 20 cannot serialize the bindings behind `http`'s parser
//   and `http2`'s session ("global handle not serialized", a fatal check in V8's SnapshotCreator),
//   and `http` itself fails to load in the builder (`methods.toSorted is not a function`). gRPC
//   requires them at load but uses them only when the server is created, after the snapshot; the one
//   thing it reads at load, `http2.constants`, is a copy taken from the Node.js that makes the blob
//   (the same binary as the executable: a snapshot is only made for the machine's own platform).
// - axios: it probes `fetch` at load, which loads undici, which needs WebAssembly, absent in the
//   builder. It is only needed when a backend's client makes its first request; loading it then also
//   saves its ~25 ms (with its dependencies) on every start without a snapshot.
// A lazy module is a Proxy whose property reads load the real module. It covers the uses in the
// bundle: property reads (`http2.createServer`, `axios_1.default.create`, named imports) and, for axios,
// calls. It does not list the module's keys, so `import * as` of one of these in code evaluated at
// load would see an empty object: only the importers below get the proxy, and the snapshot build fails
// loudly (a fatal check) if anything else loads one of the builtins while it is taken.
"use strict";

/** Builtins gRPC gets as a proxy (see above). */
const LAZY_BUILTINS = ["http", "https", "http2", "tls"];

/** The bundle's own code (dist/), which imports axios: node_modules are left alone. */
const isOwnCode = (importer) => !importer.split(/[\\/]/).includes("node_modules");
const isGrpc = (importer) => /[\\/]node_modules[\\/]@grpc[\\/]grpc-js[\\/]/.test(importer);

/**
 * The source of a proxy module for `id`. `constants` (http2's) is the copy taken now while a snapshot
 * is being built, the real module's otherwise. `__esModule` is never the real module's: TypeScript's
 * `__importDefault` reads it, and must not load the module to do so.
 */
function proxySource(id, callable) {
  const constants = id === "http2" ? JSON.stringify(require("node:http2").constants) : "undefined";
  return `"use strict";
const { startupSnapshot } = require("node:v8");
const copied = ${constants};
let loaded;
const load = () => (loaded ??= require(${JSON.stringify(id)}));
module.exports = new Proxy(${callable ? "function () {}" : "{}"}, {
  get: (_, key) => (key === "__esModule" ? undefined : key === "constants" && copied && startupSnapshot.isBuildingSnapshot() ? copied : load()[key]),
  ${callable ? "apply: (_, self, args) => Reflect.apply(load(), self, args)," : ""}
});
`;
}

/**
 * The esbuild plugin: gRPC's `http`, `https`, `http2`, `tls` and the bundle's own `axios` become proxies.
 * `root` is the project, whose node_modules the real axios is bundled from.
 */
function lazyModules({ root }) {
  return {
    name: "lazy-modules",
    setup(build) {
      const builtin = new RegExp(`^(node:)?(${LAZY_BUILTINS.join("|")})$`);
      build.onResolve({ filter: builtin }, (args) =>
        args.namespace === "file" && isGrpc(args.importer) ? { path: args.path.replace(/^node:/, ""), namespace: "lazy-builtin" } : undefined,
      );
      build.onResolve({ filter: /^axios$/ }, (args) =>
        args.namespace === "file" && isOwnCode(args.importer) ? { path: "axios", namespace: "lazy-package" } : undefined,
      );
      // Inside a proxy, the real module: a builtin stays a `require` at run time, axios is bundled.
      build.onResolve({ filter: builtin, namespace: "lazy-builtin" }, (args) => ({ path: args.path, external: true }));
      build.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => ({ contents: proxySource(args.path, false), loader: "js" }));
      build.onLoad({ filter: /.*/, namespace: "lazy-package" }, (args) => ({
        contents: proxySource(args.path, true),
        loader: "js",
        resolveDir: root,
      }));
    },
  };
}

module.exports = { lazyModules, LAZY_BUILTINS };
