import type { Kysely } from "kysely";
import { writeAudit } from "../audit/auditLog";
import type { Tables } from "../db/tables";
import { hashSecret, newId, newPepper, newToken, secretHint } from "../ids";

export interface Organization {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

/** An organization admin token, returned exactly once. */
export interface IssuedToken {
  readonly id: string;
  readonly token: string;
  readonly hint: string;
}

async function insertToken(db: Kysely<Tables>, pepper: string, orgId: string, now: string): Promise<IssuedToken> {
  const token = newToken("at");
  const issued = { id: newId("tok"), token, hint: secretHint(token) };
  await db.insertInto("tokens").values({ id: issued.id, org_id: orgId, hash: hashSecret(pepper, token), hint: issued.hint, created_at: now }).execute();
  return issued;
}

export async function createOrganization(db: Kysely<Tables>, pepper: string, name: string, now: string): Promise<{ organization: Organization; token: IssuedToken }> {
  const organization = { id: newId("org"), name, createdAt: now };
  const token = await db.transaction().execute(async (trx) => {
    await trx.insertInto("organizations").values({ id: organization.id, name, created_at: now }).execute();
    const issued = await insertToken(trx, pepper, organization.id, now);
    await writeAudit(trx, { orgId: organization.id, at: now, action: "organization.create", actor: "root", details: { name } });
    return issued;
  });
  return { organization, token };
}

export async function createOrganizationToken(db: Kysely<Tables>, pepper: string, orgId: string, actor: string, now: string): Promise<IssuedToken> {
  return db.transaction().execute(async (trx) => {
    const issued = await insertToken(trx, pepper, orgId, now);
    await writeAudit(trx, { orgId, at: now, action: "token.create", actor, details: { tokenId: issued.id, hint: issued.hint } });
    return issued;
  });
}

export async function organizationExists(db: Kysely<Tables>, orgId: string): Promise<boolean> {
  return (await db.selectFrom("organizations").select("id").where("id", "=", orgId).executeTakeFirst()) !== undefined;
}

/** Who a bearer token is: the root, an organization's admin, or nobody. */
export type Caller = { kind: "root"; actor: "root" } | { kind: "organization"; orgId: string; actor: string };

export async function identifyCaller(db: Kysely<Tables>, pepper: string, rootTokenHash: string, token: string): Promise<Caller | undefined> {
  const hash = hashSecret(pepper, token);
  if (hash === rootTokenHash) return { kind: "root", actor: "root" };
  const row = await db.selectFrom("tokens").select(["id", "org_id"]).where("hash", "=", hash).executeTakeFirst();
  return row ? { kind: "organization", orgId: row.org_id, actor: row.id } : undefined;
}

/**
 * The pepper and the root token's hash live in the database so replicas agree on them. Both inserts
 * are "first writer wins", so replicas starting together end with the same values.
 */
export async function bootstrapSettings(
  db: Kysely<Tables>,
  options: { pepper?: string; rootToken?: string },
): Promise<{ pepper: string; rootTokenHash: string; generatedRootToken?: string }> {
  const read = async (name: string) => (await db.selectFrom("settings").select("value").where("name", "=", name).executeTakeFirst())?.value;
  const insertOnce = (name: string, value: string) =>
    db.insertInto("settings").values({ name, value }).onConflict((oc) => oc.column("name").doNothing()).execute();

  if (!options.pepper) await insertOnce("pepper", newPepper());
  const pepper = options.pepper ?? (await read("pepper"))!;

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
