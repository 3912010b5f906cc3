import { existsSync } from "node:fs";
import { startStrapi, type StrapiServer } from "../helpers/strapi";

/**
 * The Strapi harness itself (test/helpers/strapi.ts), on a real Strapi 5: what the described-API tests
 * over Strapi rely on. A token made through the admin API authenticates on the content API, a
 * regenerate gives it a new secret and refuses the old one at once, a delete refuses it, and close
 * stops the real node process.
 */
describe("a real Strapi's API tokens (the harness of the described-API tests)", () => {
  let strapi: StrapiServer | undefined;
  const server = () => {
    if (!strapi) throw new Error("Strapi did not start (see beforeAll)");
    return strapi;
  };

  // A first start runs Strapi's database migrations: 9 s measured alone, more beside other suites.
  beforeAll(async () => {
    strapi = await startStrapi();
  }, 180_000);
  afterAll(async () => {
    await strapi?.close();
  }, 30_000);

  test("the administrator's JWT manages tokens; any other bearer is refused with 401", async () => {
    expect((await server().admin("GET", "/api-tokens")).status).toBe(200);
    expect((await server().admin("GET", "/api-tokens", { token: "not-a-jwt" })).status).toBe(401);
  });

  test("a token made through the admin API authenticates, regenerate gives a new secret and refuses the old one at once, delete refuses it", async () => {
    const made = await server().admin("POST", "/api-tokens", { body: { name: "harness", description: "made by the test", type: "read-only", lifespan: null } });
    expect(made.status).toBe(201);
    const { id, accessKey } = made.body.data;
    expect(typeof accessKey).toBe("string");
    expect(await server().contentStatus(accessKey)).toBe(200);
    expect(await server().contentStatus(`${accessKey}0`)).toBe(401);

    const regenerated = await server().admin("POST", `/api-tokens/${id}/regenerate`);
    expect(regenerated.status).toBe(201);
    const renewed: string = regenerated.body.data.accessKey;
    expect(renewed).not.toBe(accessKey);
    expect(await server().contentStatus(renewed)).toBe(200);
    // No grace: Strapi replaces the stored hash, so the old secret fails on the very next request.
    expect(await server().contentStatus(accessKey)).toBe(401);

    const deleted = await server().admin("DELETE", `/api-tokens/${id}`);
    expect(deleted.status).toBe(200);
    expect(await server().contentStatus(renewed)).toBe(401);
    expect((await server().admin("GET", `/api-tokens/${id}`)).status).toBe(404);
  });

  test("close stops the node process that runs Strapi and removes its project folder", async () => {
    const { pid, dir } = server();
    expect(existsSync(dir)).toBe(true);
    expect(() => process.kill(pid, 0)).not.toThrow();
    await server().close();
    strapi = undefined;
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
    expect(existsSync(dir)).toBe(false);
  }, 30_000);
});
