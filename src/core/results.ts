/** What an apply or downgrade did on each host: the data its summary and JSON result are made of. */
import type { HostPlan, UpgradePlan } from '../plan/types.js';
import type { Execution } from '../plan/policy.js';

/** untouched: not reached, because an earlier host failed. */
export type HostOutcome = 'upgraded' | 'unchanged' | 'rolled_back' | 'failed' | 'untouched';

export interface HostResult {
  host: string;
  from: string | null;
  to: string;
  action: HostPlan['action'];
  execution: Execution;
  outcome: HostOutcome;
  ms: number;
  /** Measured on the restart path (and on a rollback by restart). */
  downtimeMs?: number;
  /**
   * Hot path, when the relup suspended processes: how long install_release took, within which they
   * were held (the measured upper bound of their pause; the plan's expected pause is the estimate).
   */
  pauseMs?: number;
  error?: { code: string; message: string };
}

export interface ApplyResult {
  plan: UpgradePlan;
  hosts: HostResult[];
}

