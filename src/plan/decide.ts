/** Findings decide how a host moves: hot, by restart, or not at all. Pure. */
import type { Effect } from '../validate/finding.js';

export interface Decision<F> {
  /** hot: release_handler upgrades the live node; restart: the node restarts into the new release; blocked: neither would work. */
  kind: 'hot' | 'restart' | 'blocked';
  /** The findings that made it so (empty for hot: nothing stood in the way). */
  reasons: F[];
}

/** Any finding-like value counts by its effect: the rules' findings and the live check's alike. */
export function decide<F extends { effect: Effect }>(findings: F[]): Decision<F> {
  const blocking = findings.filter((f) => f.effect === 'block');
  if (blocking.length > 0) return { kind: 'blocked', reasons: blocking };
  const restarting = findings.filter((f) => f.effect === 'restart');
  if (restarting.length > 0) return { kind: 'restart', reasons: restarting };
  return { kind: 'hot', reasons: [] };
}
