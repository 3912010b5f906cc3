import { defineConfig } from "vite";

// Static files the reference server serves at `/`; relative asset URLs so any mount path works.
export default defineConfig({
  root: __dirname,
  base: "./",
  build: { outDir: "../dist/console", emptyOutDir: true, sourcemap: false, target: "es2022" },
});
