import { KeyApiError } from "./keyApiError";

/**
 * What to run when `pulumi refresh` or `pulumi destroy` cannot reach the key API or has its token
 * refused. Pulumi's engine configures a provider for refresh and destroy from the settings the last
 * update saved in state, not from the current stack config (for every provider, dynamic or native):
 * after the key server moved (`apikeys:endpoint`) or the admin token was rotated and the old one
 * revoked, they keep calling the old endpoint with the old token until an `up` saves the new ones.
 */
export const SAVED_SETTINGS_ADVICE =
  "if the key server moved or the admin token changed since the last `pulumi up`, run `pulumi up` first, or " +
  "`pulumi refresh --run-program` / `pulumi destroy --run-program`: refresh and destroy use the settings saved by the last update";

/**
 * A read's or delete's failure, with SAVED_SETTINGS_ADVICE when it is the kind stale settings cause:
 * the API unreachable (no HTTP status) or the token refused (401, 403). Any other error is returned as it is.
 */
export function withSavedSettingsAdvice(error: unknown): unknown {
  if (!(error instanceof KeyApiError) || error.advice) return error;
  const unreachable = error.status === undefined;
  const refused = error.status === 401 || error.status === 403;
  return unreachable || refused ? error.withAdvice(SAVED_SETTINGS_ADVICE) : error;
}
