/**
 * Limits the provider and the key server agree on. The provider refuses in `check` what the server
 * would refuse at `up`, so a preview already says it.
 */

/** The longest grace period an old secret keeps working after a roll or a deletion: 30 days. */
export const MAX_GRACE_PERIOD_SECONDS = 30 * 86_400;

/** How a grace period over the cap is refused, on both sides. */
export const MAX_GRACE_PERIOD_MESSAGE = `must be at most 30 days (${MAX_GRACE_PERIOD_SECONDS} seconds)`;
