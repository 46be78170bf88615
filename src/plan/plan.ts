/** Pure: host readings + the built release + findings → one HostPlan per host. */
import type { HostStatus } from './host-status.js';
import type { HostPlan, PlanReason } from './types.js';
import { decide } from './decide.js';

export interface PlanFacts {
  statuses: HostStatus[];
  target: string;
  /** Readable up-path instructions from the running version; empty when there is no relup. */
  instructions: string[];
  /** Findings of the validation rules for the upgrade all hosts share. */
  findings: PlanReason[];
  hotRollback: boolean;
  /** Findings of one host only (the live dry run), by host. */
  hostFindings?: Map<string, PlanReason[]>;
}

/**
 * The node runs TARGET, installed by an apply that never made it permanent
 * (interrupted, or its health check never finished): apply resumes it: health
 * check, then make_permanent; a rollback restarts into the permanent one.
 */
function resume(s: HostStatus, target: string): HostPlan | null {
  if (!s.live.up || s.running !== target || !s.permanent || s.permanent === target) return null;
  return {
    host: s.host,
    from: s.permanent,
    to: target,
    action: 'hot',
    reasons: [{
      rule: 'host/installed-not-permanent',
      severity: 'warning',
      effect: 'none',
      message: `${target} runs but is not permanent (permanent: ${s.permanent}): an apply was interrupted after install`,
      remedy: `apply finishes it (health check, then make_permanent); a restart before that boots ${s.permanent}.`,
    }],
    instructions: [],
    hotRollback: false,
    warnings: s.disagreements,
  };
}

/** A node that is not running cannot be upgraded hot; starting it into the new release is a restart someone asks for. */
function nodeDown(s: HostStatus, target: string): PlanReason[] {
  if (s.live.up || s.running === target) return [];
  return [{
    rule: 'host/node-down',
    severity: 'error',
    effect: 'restart',
    message: `the node is not running (${s.live.reason}); it would boot ${s.running ?? 'an unknown release'}`,
    remedy: 'Start the node and plan again for a hot upgrade, or apply with --restart to start it on the new release.',
  }];
}

export function planHosts(f: PlanFacts): HostPlan[] {
  return f.statuses.map((s) => {
    const resumed = resume(s, f.target);
    if (resumed) return resumed;
    const reasons = [...f.findings, ...(f.hostFindings?.get(s.host) ?? []), ...nodeDown(s, f.target)];
    // The target runs already: nothing to do, unless the findings say its build differs from what runs.
    const noop = s.running === f.target && decide(reasons).kind !== 'blocked';
    return {
      host: s.host,
      from: s.running,
      to: f.target,
      action: noop ? 'noop' : decide(reasons).kind,
      reasons: noop ? [] : reasons,
      instructions: noop ? [] : f.instructions,
      hotRollback: !noop && f.hotRollback,
      warnings: s.disagreements,
    };
  });
}
