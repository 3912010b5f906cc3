import type { Kysely } from "kysely";
import type { Tables } from "./db/tables";
import type { DatabaseKind } from "./db/open";

/** What every route handler needs: the database, the pepper for hashing secrets, and a clock tests can move. */
export interface ServerContext {
  readonly db: Kysely<Tables>;
  readonly databaseKind: DatabaseKind;
  readonly pepper: string;
  readonly now: () => Date;
}

export function isoNow(ctx: ServerContext): string {
  return ctx.now().toISOString();
}
