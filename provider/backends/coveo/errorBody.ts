import { standardErrorBody, textOf, type ErrorBody } from "../../http/keyApiClient";

/**
 * Coveo's error answer: `{message, errorCode, requestID}` (the request id in the body as well as in
 * X-Request-ID), or RFC 7807 problem details.
 */
export function coveoErrorBody(data: unknown): ErrorBody {
  const standard = standardErrorBody(data);
  if (data === null || typeof data !== "object" || Array.isArray(data)) return standard;
  const errorCode = "errorCode" in data ? data.errorCode : undefined;
  const requestID = "requestID" in data ? data.requestID : undefined;
  return {
    ...standard,
    ...(errorCode !== undefined && errorCode !== null && errorCode !== "" ? { code: textOf(errorCode) } : {}),
    ...(typeof requestID === "string" ? { requestId: requestID } : {}),
  };
}
