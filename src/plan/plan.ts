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

export function planHosts(f: PlanFacts): HostPlan[] {
  return f.statuses.map((s) => {
    const noop = s.running === f.target;
    const reasons = [...f.findings, ...(f.hostFindings?.get(s.host) ?? [])];
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
