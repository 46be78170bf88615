/** `hotup apply <env>`: carry out a plan, host by host. */
import { HotupError } from '../errors.js';
import type { HostPlan, UpgradePlan } from '../plan/types.js';
import { shipTarball } from '../release/ship.js';
import { hotUpgrade } from '../release/upgrade.js';
import { runStep } from '../report/step.js';
import { environment, nodeTarget, type CoreContext } from './context.js';

export type HostOutcome = 'upgraded' | 'unchanged' | 'failed';

export interface HostResult {
  host: string;
  from: string | null;
  to: string;
  action: HostPlan['action'];
  outcome: HostOutcome;
  ms: number;
}

export interface ApplyResult {
  plan: UpgradePlan;
  hosts: HostResult[];
}

/** Refuses the whole plan before anything is touched when any host cannot go hot. */
export function assertApplicable(plan: UpgradePlan): void {
  const stuck = plan.hosts.filter((h) => h.action === 'blocked' || h.action === 'restart');
  if (stuck.length === 0) return;
  const lines = stuck.flatMap((h) => [
    `  ${h.host}: ${h.action}`,
    ...h.reasons.filter((r) => r.severity !== 'info').map((r) => `    [${r.rule}] ${r.message}`),
  ]);
  throw new HotupError(
    'PLAN_BLOCKED',
    `no hot upgrade is possible on ${stuck.length} host(s); nothing was changed:\n${lines.join('\n')}`,
    stuck[0]?.reasons.find((r) => r.severity !== 'info')?.remedy ?? 'Fix the findings above and plan again.',
  );
}

export async function apply(ctx: CoreContext, plan: UpgradePlan): Promise<ApplyResult> {
  assertApplicable(plan);
  const env = environment(ctx.config, plan.environment);
  const results: HostResult[] = [];
  for (const hp of plan.hosts) {
    const started = Date.now();
    const spec = env.hosts.find((h) => h.raw === hp.host);
    if (!spec) throw new HotupError('USAGE', `the plan names host ${hp.host}, which environment ${plan.environment} does not list`,
      'Make the plan again with the current config.');
    const base = { host: hp.host, from: hp.from, to: hp.to, action: hp.action };
    if (hp.action === 'noop') {
      results.push({ ...base, outcome: 'unchanged', ms: 0 });
      continue;
    }
    const node = await nodeTarget(ctx, env, spec);
    const tarball = plan.target.tarball;
    if (!tarball) throw new HotupError('USAGE', 'the plan has no tarball to ship', 'Make the plan again.');
    try {
      await runStep(ctx.emit, 'ship', hp.host, async () => {
        const shipped = await shipTarball(node.exec, node.root, node.app, hp.to, tarball, (p) =>
          ctx.emit({ type: 'progress', step: 'ship', host: hp.host, transferred: p.transferred, total: p.total }),
        );
        return shipped === 'present'
          ? { value: undefined, skipped: true, detail: 'identical tarball already on the host' }
          : { value: undefined, detail: `${(tarball.bytes / 1e6).toFixed(1)} MB, sha256 verified` };
      });
      await hotUpgrade(node, hp.to, ctx.emit);
      results.push({ ...base, outcome: 'upgraded', ms: Date.now() - started });
    } catch (e) {
      results.push({ ...base, outcome: 'failed', ms: Date.now() - started });
      throw e;
    }
  }
  return { plan, hosts: results };
}
