/** Measures how long a service was unreachable while an action ran: last good probe before, first good probe after. */

export interface Outage {
  /** 0 when no probe failed. */
  downtimeMs: number;
  probes: number;
}

export async function measureOutage(
  probe: () => Promise<boolean>,
  action: () => Promise<void>,
  opts: { intervalMs?: number; settleMs?: number } = {},
): Promise<Outage> {
  const intervalMs = opts.intervalMs ?? 200;
  const settleMs = opts.settleMs ?? 60_000;
  const samples: Array<{ at: number; ok: boolean }> = [];
  let finishedAt: number | null = null;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const loop = (async () => {
    // Bounded: stops at the first good probe after the action, or settleMs after it.
    for (;;) {
      const ok = await probe().catch(() => false);
      const at = Date.now();
      samples.push({ at, ok });
      if (finishedAt !== null && (ok || at - finishedAt > settleMs)) return;
      // The end of the action wakes the loop: the service is probed at once, not up to an interval later.
      let timer: NodeJS.Timeout | undefined;
      const interval = new Promise((r) => (timer = setTimeout(r, intervalMs)));
      await (finishedAt === null ? Promise.race([interval, done]) : interval);
      clearTimeout(timer);
    }
  })();
  try {
    await action();
  } finally {
    finishedAt = Date.now();
    finished();
  }
  await loop;
  const firstBad = samples.findIndex((s) => !s.ok);
  if (firstBad < 0) return { downtimeMs: 0, probes: samples.length };
  const lastGood = firstBad > 0 ? samples[firstBad - 1]!.at : samples[0]!.at;
  const backUp = samples.slice(firstBad).find((s) => s.ok);
  return { downtimeMs: (backUp?.at ?? Date.now()) - lastGood, probes: samples.length };
}
