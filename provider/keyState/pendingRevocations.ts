/**
 * An old key kept working after a rotation on an API that can only delete at once: the stack
 * records it, and the first `up` after `revokeAfter` deletes it (a `preview` shows that as an update).
 */
export interface PendingRevocation {
  readonly keyId: string;
  /** ISO-8601: when the old key may be deleted. */
  readonly revokeAfter: string;
}

/** The entries whose time has come. */
export function dueRevocations(pending: readonly PendingRevocation[] | undefined, now: Date): PendingRevocation[] {
  return (pending ?? []).filter((entry) => Date.parse(entry.revokeAfter) <= now.getTime());
}

/** The entries still waiting. */
export function waitingRevocations(pending: readonly PendingRevocation[] | undefined, now: Date): PendingRevocation[] {
  return (pending ?? []).filter((entry) => Date.parse(entry.revokeAfter) > now.getTime());
}
