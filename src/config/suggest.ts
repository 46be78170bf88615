/** "Did you mean …?" for misspelt keys. Pure. */

/** Edit distance where swapping two neighbouring letters counts as one edit (hsots → hosts). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known key closest to KEY, if it is close enough to be a likely typo. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const typed = key.toLowerCase().replaceAll('-', '_');
  const allowed = Math.max(1, Math.floor(typed.length / 3));
  let best: { key: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(typed, k);
    if (d <= allowed && (!best || d < best.d)) best = { key: k, d };
  }
  return best?.key;
}
