import type { Context } from "hono";
import type { AppEnv } from "../http/appEnv";
import { FeatureRoutes, named, type RouteSpec } from "../http/featureRoutes";
import type { KeyVerifier } from "./keyVerifier";
import { verifiedKeySchema } from "./schemas";

/** `GET /v1/whoami` and `POST /v1/verify` (see KeyVerifier). The server answers GET /v1/whoami on a fast path first (http/fastWhoami.ts). */
export function verifyRoutes(verifier: KeyVerifier): FeatureRoutes {
  const verify = async (c: Context<AppEnv>) => {
    const answer = await verifier.answer({
      authorization: c.req.header("authorization"),
      apiKey: c.req.header("x-api-key"),
      clientId: c.req.header("x-client-id"),
      clientAddress: c.get("clientAddress"),
    });
    return answer.status === 200 ? c.json(answer.body) : c.json({ error: { ...answer.error, requestId: c.get("requestId") } }, 401);
  };
  const answers: RouteSpec["answers"] = {
    200: { description: "Who the key is", body: named("VerifiedKey", verifiedKeySchema()) },
    401: { description: "Refused, with reason MISSING, NOT_FOUND, DISABLED, EXPIRED or REVOKED" },
  };
  const headers = [
    { name: "x-client-id", description: "With x-api-key: the key's id, for clients that send id and secret apart" },
    { name: "x-api-key", description: "The key's secret, when not sent as Authorization" },
  ];
  return new FeatureRoutes()
    .add({ method: "get", path: "/whoami", summary: "Verify a key", security: "apiKey", headers, answers }, verify)
    .add({ method: "post", path: "/verify", summary: "Verify a key", security: "apiKey", headers, answers }, verify);
}
