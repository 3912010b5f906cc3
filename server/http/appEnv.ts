import type { Caller } from "../tokens/tokenStore";

/** What the middleware puts on each request's context for the handlers after it. */
export type AppEnv = { Variables: { requestId: string; caller?: Caller; clientAddress: string; orgId?: string } };
