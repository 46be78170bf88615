/**
 * What the core tells the outside world while it works. Core code only emits
 * events; reporters decide how a person (stderr) or a program (stdout JSON)
 * sees them.
 */
import type { HostStatus } from '../node/discover.js';
import type { UpgradePlan } from '../plan/types.js';
import type { HostResult } from './results.js';

export type StepName =
  | 'discover'
  | 'build'
  | 'relup'
  | 'tar'
  | 'inspect'
  | 'replace'
  | 'ship'
  | 'unpack'
  | 'check_install'
  | 'runtime_config'
  | 'live_facts'
  | 'install'
  | 'make_permanent'
  | 'verify_code'
  | 'verify'
  | 'set_boot'
  | 'restart'
  | 'health'
  | 'rollback'
  | 'prune'
  | 'fetch_old'
  | 'bootstrap'
  | 'sync'
  | 'hook';

export interface ErrorInfo {
  code: string;
  message: string;
  remedy: string;
  host?: string;
}

export type HotupEvent =
  | { type: 'step'; phase: 'start'; step: StepName; host?: string; detail?: string }
  | { type: 'step'; phase: 'done' | 'skip'; step: StepName; host?: string; detail?: string; ms: number }
  | { type: 'step'; phase: 'fail'; step: StepName; host?: string; ms: number; error: ErrorInfo }
  | { type: 'progress'; step: 'ship'; host: string; transferred: number; total: number }
  | { type: 'log'; level: 'info' | 'warn'; host?: string; message: string }
  /** A line a build or a hook printed, as it printed it (terminal escapes removed). */
  | { type: 'output'; source: 'build' | 'hook'; host?: string; line: string }
  | { type: 'status'; hosts: HostStatus[] }
  | { type: 'plan'; plan: UpgradePlan }
  | { type: 'summary'; hosts: HostResult[] };

export type Emit = (event: HotupEvent) => void;
