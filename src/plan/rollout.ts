/** The order hosts are upgraded in: the canaries first, then the rest, N at a time. Pure. */

export interface RolloutShape {
  /** Hosts upgraded at once (1 = rolling). */
  parallel: number;
  /** Hosts upgraded (and health-checked) before any other is touched; 0 = none. */
  canary: number;
}

/** Waves of host indexes; a failure in one wave stops all later waves. */
export function waves(indexes: number[], shape: RolloutShape): number[][] {
  const out: number[][] = [];
  const canaries = indexes.slice(0, Math.max(0, shape.canary));
  const rest = indexes.slice(canaries.length);
  for (let i = 0; i < canaries.length; i += shape.parallel) out.push(canaries.slice(i, i + shape.parallel));
  for (let i = 0; i < rest.length; i += shape.parallel) out.push(rest.slice(i, i + shape.parallel));
  return out;
}
