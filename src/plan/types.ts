/**
 * The plan: everything `apply` will do, as data. `hotup plan --json` prints
 * exactly this object; `apply` carries out exactly this object.
 */

import type { Finding } from '../validate/finding.js';

export const PLAN_SCHEMA = 'hotup.plan/1';

/**
 * One finding that shaped a host's decision: a named rule, what it saw, what
 * to do. The validation rules' findings, and those hotup adds outside them
 * (the live check's), whose rule ids are not the rules'.
 */
export type PlanReason = Omit<Finding, 'rule' | 'app' | 'module'> & { rule: string };

/**
 * hot: release_handler upgrades the live node. restart: the new release is
 * installed and the node restarted into it. noop: already there.
 * blocked: neither would work; nothing is touched.
 */
export type HostAction = 'hot' | 'restart' | 'noop' | 'blocked';

export interface HostPlan {
  host: string;
  from: string | null;
  to: string;
  action: HostAction;
  reasons: PlanReason[];
  /** The relup's up-path from `from`, one readable line per instruction. */
  instructions: string[];
  /** The relup can take the node back to `from` hot (its down-path has no emulator restart). */
  hotRollback: boolean;
  /** Disagreements between start_erl.data, RELEASES and the live node. */
  warnings: string[];
}

export interface PlannedTarball {
  /** Path on the machine running hotup. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface PlannedAppup {
  app: string;
  source: 'project' | 'build' | 'generated';
  text: string | null;
}

/** Where an appup came from, in words. */
export const APPUP_SOURCE: Record<PlannedAppup['source'], string> = {
  generated: 'generated from the module diff',
  project: 'the project\'s rel/appups/ one',
  build: 'the build\'s own (ebin/)',
};

export interface UpgradePlan {
  schema: typeof PLAN_SCHEMA;
  app: string;
  environment: string;
  deployTo: string;
  /** appups: for a rebar3 or mix build, where each upgraded application's appup came from (and its text, unless the build's own). */
  target: { vsn: string; tarball: PlannedTarball | null; appups?: PlannedAppup[] };
  hosts: HostPlan[];
}
