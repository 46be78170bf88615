/** Waiting on a condition, never on the clock alone. */

/**
 * Polls COND until it returns something other than false/undefined/null (or
 * stops throwing), at most TIMEOUT; then fails naming WHAT was awaited and
 * the last error seen.
 */
export async function waitFor<T>(what: string, cond: () => Promise<T | false | null | undefined> | T | false | null | undefined,
  opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v !== false && v !== undefined && v !== null) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message ?? String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}
