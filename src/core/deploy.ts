/**
 * `hotup apply` and `hotup downgrade` as whole flows, returning data:
 * lock → plan → confirm → journal → apply (ship → install → verify → health
 * → make permanent, per host) → summary. The caller only asks and renders.
 */
import { beforeAnyChange } from '../errors.js';
import type { UpgradePlan } from '../plan/types.js';
import { apply, executions, type ApplyOptions } from './apply.js';
import { planDowngrade } from './downgrade.js';
import { journaled, withDeployLock, type LockControl } from './guard.js';
import { plan } from './plan.js';
import type { ApplyResult } from './results.js';
import type { CoreContext } from './context.js';

/** Asks the user; resolves to go on, throws (ABORTED) to stop before anything is touched. */
export type Confirm = (question: string) => Promise<void>;

export interface RunApplyOptions extends ApplyOptions {
  /** The version the build must make (HOTUP_VERSION). */
  version?: string;
}

/** What apply asks of the plan: the version, and whether a restart was asked for (then no relup is made). */
export interface ApplyPlanOptions {
  version?: string;
  restart?: boolean;
}

/** How a flow gets its plan: `plan` (build and inspect) for apply, `planDowngrade` for downgrade. */
export type Planner<O> = (ctx: CoreContext, envName: string, opts: O) => Promise<UpgradePlan>;

async function carryOut(ctx: CoreContext, control: LockControl, p: UpgradePlan, opts: ApplyOptions): Promise<ApplyResult> {
  control.deferStops();
  const j = await journaled({ ...ctx, interrupts: control }, p);
  try {
    return await apply(j.ctx, p, opts);
  } finally {
    await j.flush();
  }
}

export async function runApply(ctx: CoreContext, envName: string, opts: RunApplyOptions, confirm: Confirm,
  makePlan: Planner<ApplyPlanOptions> = plan): Promise<ApplyResult> {
  const { version, ...applyOpts } = opts;
  return withDeployLock(ctx, envName, `hotup apply ${envName}`, async (control) => {
    const p = await beforeAnyChange(async () => {
      const made = await makePlan(ctx, envName, { ...(version ? { version } : {}), ...(applyOpts.restart ? { restart: true } : {}) });
      const how = executions(made, applyOpts);
      if (how.some((h) => h !== 'noop')) {
        await confirm(`Apply this plan to ${envName} (${made.hosts.map((h, i) => `${h.host}: ${how[i]}`).join(', ')})?`);
      }
      return made;
    });
    return carryOut(ctx, control, p, applyOpts);
  });
}

export async function runDowngrade(ctx: CoreContext, envName: string, opts: { to?: string }, confirm: Confirm,
  makePlan: Planner<string | undefined> = planDowngrade): Promise<ApplyResult> {
  return withDeployLock(ctx, envName, `hotup downgrade ${envName}`, async (control) => {
    const p = await beforeAnyChange(async () => {
      const made = await makePlan(ctx, envName, opts.to);
      if (made.hosts.some((h) => h.action !== 'noop')) await confirm(`Downgrade ${envName}?`);
      return made;
    });
    return carryOut(ctx, control, p, {});
  });
}
