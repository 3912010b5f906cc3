import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// Static files the reference server serves at `/`; relative asset URLs so any mount path works.
// An .mts file: the package is CommonJS, and Vite warns when it loads an ESM config as CommonJS.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  build: { outDir: "../server/dist/console", emptyOutDir: true, sourcemap: false, target: "es2022" },
});
