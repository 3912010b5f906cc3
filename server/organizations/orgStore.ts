import type { Kysely } from "kysely";
import { writeAudit } from "../audit/auditLog";
import type { Tables } from "../db/tables";
import { newId } from "../ids";
import { insertToken, type IssuedToken } from "../tokens/tokenStore";

export interface Organization {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

/** An organization and its first admin token (a "manage" token named "initial admin token"). */
export async function createOrganization(
  db: Kysely<Tables>,
  pepper: string,
  name: string,
  now: string,
): Promise<{ organization: Organization; token: IssuedToken }> {
  const organization = { id: newId("org"), name, createdAt: now };
  const token = await db.transaction().execute(async (trx) => {
    await trx.insertInto("organizations").values({ id: organization.id, name, created_at: now }).execute();
    await writeAudit(trx, { orgId: organization.id, at: now, action: "organization.create", actor: "root", details: { name } });
    return insertToken(trx, pepper, organization.id, { name: "initial admin token", description: "", scope: "manage", expiresAt: null }, "root", now);
  });
  return { organization, token };
}

export async function organizationExists(db: Kysely<Tables>, orgId: string): Promise<boolean> {
  return (await db.selectFrom("organizations").select("id").where("id", "=", orgId).executeTakeFirst()) !== undefined;
}
