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
 * A pepper is an HMAC key. The rule we rely on is its length alone: at least 32 characters, what
 * `openssl rand -base64 32` (44) and the generated pepper (43) comfortably pass. We cannot measure how
 * random an operator's value is, so no character-class or entropy rule; length is the one check that
 * refuses a typed word or a placeholder like "changeme" without refusing a real random value. Keys
 * and tokens themselves are 143+ random bits, so the pepper is the second line (it keeps a stolen
 * database from confirming a guessed root token offline), not the first.
 */
const MIN_PEPPER_LENGTH = 32;
const SHORT_PEPPER = `must be at least ${MIN_PEPPER_LENGTH} characters; generate one with \`openssl rand -base64 32\`, or leave APIKEYS_PEPPER unset and the server generates one and keeps it in the database`;

/**
 * The pepper and the root token's hash live in the database so replicas agree on them. Both inserts
 * are "first writer wins", so replicas starting together end with the same values. A fingerprint of
 * the pepper is kept too: every stored hash depends on the pepper, so starting with another one
 * would refuse every key and token while looking healthy. The server stops instead.
 *
 * Every check runs before the first write: a refused start leaves the database as it found it. (A
 * refused start used to store a generated pepper first, and the next refusal then advised unsetting
 * APIKEYS_PEPPER, which the database now refused too.)
 */
export async function bootstrapSettings(
  db: Kysely<Tables>,
  options: { pepper?: string; rootToken?: string },
): Promise<{ pepper: string; rootTokenHash: string; generatedRootToken?: string; warnings: string[] }> {
  const read = async (name: string) => (await db.selectFrom("settings").select("value").where("name", "=", name).executeTakeFirst())?.value;
  // For a row written just before (by this start or a replica's): a missing one is a database that lost a write.
  const readWritten = async (name: string) => {
    const value = await read(name);
    if (value === undefined) throw new StoredSettingsError(`the settings row ${name} was written but cannot be read back; check the database`);
    return value;
  };
  const insertOnce = (name: string, value: string) =>
    db
      .insertInto("settings")
      .values({ name, value })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();

  const storedPepper = await read("pepper");
  const storedFingerprint = await read("pepper_fingerprint");
  // Databases from before the fingerprint: the generated pepper, if any, is the one in use.
  const expected = storedFingerprint ?? (storedPepper !== undefined ? pepperFingerprint(storedPepper) : undefined);
  const warnings: string[] = [];

  if (options.pepper !== undefined) {
    const actual = pepperFingerprint(options.pepper);
    if (expected !== undefined && expected !== actual) {
      throw new StoredSettingsError(
        `APIKEYS_PEPPER is not the pepper this database's keys and tokens were hashed with (fingerprint ${actual}, the database expects ${expected}); ` +
          "with it every key and token would be refused. Start with the original APIKEYS_PEPPER" +
          (storedPepper !== undefined && pepperFingerprint(storedPepper) === expected ? " (or unset it: this database keeps the pepper it generated)" : "") +
          '. The pepper cannot be changed for an existing database; see docs/key-server.md, "The pepper".',
      );
    }
    if (options.pepper.length < MIN_PEPPER_LENGTH) {
      // A database already hashed with a short pepper keeps it: a pepper cannot be changed without
      // new keys, and refusing it would lock its owner out of every key. New databases are refused.
      if (expected === undefined) throw new StoredSettingsError(`APIKEYS_PEPPER: ${SHORT_PEPPER}`);
      warnings.push(
        `APIKEYS_PEPPER is shorter than ${MIN_PEPPER_LENGTH} characters; this database was hashed with it, so it is accepted, ` +
          'but a new database would refuse it. To move to a longer pepper, start a new database and issue new keys (see docs/key-server.md, "The pepper").',
      );
    }
  } else if (storedPepper === undefined ? expected !== undefined : expected !== pepperFingerprint(storedPepper)) {
    throw new StoredSettingsError(
      `this database's keys were hashed with a pepper given in APIKEYS_PEPPER (fingerprint ${expected}); set APIKEYS_PEPPER to it again`,
    );
  }

  // The checks passed: from here on the start goes ahead and may write.
  if (options.pepper === undefined && storedPepper === undefined) await insertOnce("pepper", newPepper());
  // Of replicas starting together on a new database, the first insert wins and every one reads it.
  const pepper = options.pepper ?? (await readWritten("pepper"));
  const actual = pepperFingerprint(pepper);
  await insertOnce("pepper_fingerprint", actual);
  if ((await read("pepper_fingerprint")) !== actual) {
    // Only when another replica, started at the same moment on the same new database, won with
    // another pepper: both cannot serve the same keys.
    throw new StoredSettingsError(
      "another server started on this new database at the same moment with a different APIKEYS_PEPPER; give every replica the same APIKEYS_PEPPER (or none)",
    );
  }

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
  return { pepper, rootTokenHash: await readWritten("root_token_hash"), generatedRootToken, warnings };
}
