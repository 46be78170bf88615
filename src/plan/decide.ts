/** Findings decide how a host moves: hot, by restart, or not at all. Pure. */
import type { HostAction, PlanReason } from './types.js';

export function decide(findings: PlanReason[]): Exclude<HostAction, 'noop'> {
  if (findings.some((f) => f.effect === 'block')) return 'blocked';
  if (findings.some((f) => f.effect === 'restart')) return 'restart';
  return 'hot';
}
