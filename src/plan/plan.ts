/** Pure: host readings + the built release + findings → one HostPlan per host. */
import type { HostStatus } from './host-status.js';
import type { HostAction, HostPlan, PlanReason } from './types.js';

export interface PlanFacts {
  statuses: HostStatus[];
  target: string;
  /** Readable up-path instructions from the running version; empty when there is no relup. */
  instructions: string[];
  /** Findings of the validation rules for the upgrade all hosts share. */
  findings: PlanReason[];
  /** hot | restart | blocked, from the findings. */
  decision: Exclude<HostAction, 'noop'>;
  hotRollback: boolean;
}

export function planHosts(f: PlanFacts): HostPlan[] {
  return f.statuses.map((s) => {
    const noop = s.running === f.target;
    return {
      host: s.host,
      from: s.running,
      to: f.target,
      action: noop ? 'noop' : f.decision,
      reasons: noop ? [] : f.findings,
      instructions: noop ? [] : f.instructions,
      hotRollback: !noop && f.hotRollback,
      warnings: s.disagreements,
    };
  });
}
