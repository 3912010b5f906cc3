import type { Kysely } from "kysely";
import type { Tables } from "./db/tables";
import type { DatabaseKind, QueryCounter } from "./db/open";
import type { VerifyCache } from "./verify/verifyCache";

/** What every route handler needs: the database, the pepper for hashing secrets, and a clock tests can move. */
export interface ServerContext {
  readonly db: Kysely<Tables>;
  readonly databaseKind: DatabaseKind;
  readonly pepper: string;
  readonly now: () => Date;
  readonly verifyCache: VerifyCache;
  readonly queries: QueryCounter;
  /**
   * The server's log (redacted) for events that are not a request line, such as a leaked root token,
   * which has no organization's audit log to go to. Unset (an app built in a test): standard error.
   */
  readonly log?: (line: Record<string, unknown>) => void;
}

export function isoNow(ctx: ServerContext): string {
  return ctx.now().toISOString();
}
