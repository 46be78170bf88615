/** Findings decide how a host moves: hot, by restart, or not at all. Pure. */
import type { HostAction, PlanReason } from './types.js';

/** Rules whose finding means release_handler cannot do it, but a restart into the new release can. */
const RESTART_RULES = new Set(['relup/no-up-path', 'relup/restart-emulator']);

export function decide(findings: PlanReason[]): Exclude<HostAction, 'noop'> {
  const blocking = findings.filter((f) => f.severity === 'error' && !RESTART_RULES.has(f.rule));
  if (blocking.length > 0) return 'blocked';
  if (findings.some((f) => RESTART_RULES.has(f.rule))) return 'restart';
  return 'hot';
}
