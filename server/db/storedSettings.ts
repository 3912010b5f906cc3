import { createHmac } from "node:crypto";
import type { Kysely } from "kysely";
import { hashSecret, newPepper, newToken } from "../ids";
import type { Tables } from "./tables";

/** The server refuses to start because its settings do not fit the database it was pointed at. */
export class StoredSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoredSettingsError";
  }
}

/** Identifies a pepper without revealing it: an HMAC of a fixed label, keyed by the pepper. */
export function pepperFingerprint(pepper: string): string {
  return createHmac("sha256", pepper).update("pulumi-apikeys pepper fingerprint v1").digest("base64url").slice(0, 16);
}

/**
 * The pepper and the root token's hash live in the database so replicas agree on them. Both inserts
 * are "first writer wins", so replicas starting together end with the same values. A fingerprint of
 * the pepper is kept too: every stored hash depends on the pepper, so starting with another one
 * would refuse every key and token while looking healthy. The server stops instead.
 */
export async function bootstrapSettings(
  db: Kysely<Tables>,
  options: { pepper?: string; rootToken?: string },
): Promise<{ pepper: string; rootTokenHash: string; generatedRootToken?: string }> {
  const read = async (name: string) => (await db.selectFrom("settings").select("value").where("name", "=", name).executeTakeFirst())?.value;
  const insertOnce = (name: string, value: string) =>
    db
      .insertInto("settings")
      .values({ name, value })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();

  const storedPepper = await read("pepper");
  if (!options.pepper && storedPepper === undefined) await insertOnce("pepper", newPepper());
  const pepper = options.pepper ?? (await read("pepper"))!;

  // Databases from before the fingerprint: the generated pepper, if any, is the one in use.
  const expected = (await read("pepper_fingerprint")) ?? (storedPepper !== undefined ? pepperFingerprint(storedPepper) : undefined);
  const actual = pepperFingerprint(pepper);
  if (expected !== undefined && expected !== actual) {
    throw new StoredSettingsError(
      options.pepper
        ? `APIKEYS_PEPPER is not the pepper this database's keys and tokens were hashed with (fingerprint ${actual}, the database expects ${expected}); ` +
            "with it every key and token would be refused. Start with the original APIKEYS_PEPPER" +
            (storedPepper !== undefined ? " (or unset it: this database keeps the pepper it generated)" : "") +
            '. The pepper cannot be changed for an existing database; see docs/key-server.md, "The pepper".'
        : `this database's keys were hashed with a pepper given in APIKEYS_PEPPER (fingerprint ${expected}); set APIKEYS_PEPPER to it again`,
    );
  }
  await insertOnce("pepper_fingerprint", actual);

  let generatedRootToken: string | undefined;
  if (options.rootToken) {
    const hash = hashSecret(pepper, options.rootToken);
    await db
      .insertInto("settings")
      .values({ name: "root_token_hash", value: hash })
      .onConflict((oc) => oc.column("name").doUpdateSet({ value: hash }))
      .execute();
  } else if ((await read("root_token_hash")) === undefined) {
    const candidate = newToken("rt");
    await insertOnce("root_token_hash", hashSecret(pepper, candidate));
    if ((await read("root_token_hash")) === hashSecret(pepper, candidate)) generatedRootToken = candidate;
  }
  return { pepper, rootTokenHash: (await read("root_token_hash"))!, generatedRootToken };
}
