import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import type { Hono } from "hono";
import type { AppEnv } from "../http/appEnv";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/**
 * The console's own scripts only, no inline code, no framing, and API calls to this origin only:
 * a page that shows secrets must not be scriptable by anything else.
 */
const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
};

/** Where the built console is: next to the compiled server (dist/console), or in dist/console from the sources. */
export function defaultConsoleDir(serverDir: string): string | undefined {
  return [join(serverDir, "..", "console"), join(serverDir, "dist", "console")].find(
    (dir) => existsSync(join(dir, "assets")) && existsSync(join(dir, "index.html")),
  );
}

/** Serves the console's static files (read once at start: a few kilobytes) at `/` and `/assets/*`. */
export function mountConsole(app: Hono<AppEnv>, dir: string | undefined): void {
  if (!dir) {
    app.get("/", (c) => c.text("The console is not built: run `npm run build` (it runs vite build into server/dist/console).", 404));
    return;
  }
  const files = new Map<string, { body: Uint8Array<ArrayBuffer>; type: string }>();
  for (const name of readdirSync(join(dir, "assets"))) {
    files.set(`/assets/${name}`, {
      body: new Uint8Array(readFileSync(join(dir, "assets", name))),
      type: CONTENT_TYPES[extname(name)] ?? "application/octet-stream",
    });
  }
  const index = new Uint8Array(readFileSync(join(dir, "index.html")));
  app.get("/", (c) => c.body(index, 200, { ...SECURITY_HEADERS, "Content-Type": CONTENT_TYPES[".html"], "Cache-Control": "no-store" }));
  app.get("/assets/:name", (c) => {
    const file = files.get(c.req.path);
    if (!file) return c.text("not found", 404);
    // Vite puts a content hash in every asset name: they never change under the same URL.
    return c.body(file.body, 200, { ...SECURITY_HEADERS, "Content-Type": file.type, "Cache-Control": "public, max-age=31536000, immutable" });
  });
}
