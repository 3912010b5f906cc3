/**
 * Waits for something another process or the event loop brings about (a log line, a file, a moment
 * named in a stack's state): checks `condition` every `intervalMs` until it answers a truthy value,
 * and answers that value. Past `timeoutMs` it throws, naming `what` it waited for, so a test fails on
 * the condition instead of on a later assertion about its consequences.
 *
 * Use it instead of a fixed sleep (which is too long on a fast machine and too short on a slow one)
 * and instead of a hand-written poll loop. For the server's own time, move its clock instead
 * (`TestServer.clock`): nothing needs to wait for that.
 */
export async function waitUntil<T>(
  what: string,
  condition: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 5000, intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) throw new Error(`waited ${timeoutMs} ms for ${what}, in vain`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
