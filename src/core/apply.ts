/** `hotup apply <env>`: carry out a plan, host by host, with health checks and rollback. */
import { beforeAnyChange, HotupError, isHotupError } from '../errors.js';
import type { ApplyResult, HostOutcome, HostResult } from './results.js';
import type { EnvironmentConfig, HostSpec } from '../config/types.js';
import type { HostPlan, UpgradePlan } from '../plan/types.js';
import { execution, type ApplyChoices, type Execution } from '../plan/policy.js';
import { waves, type RolloutShape } from '../plan/rollout.js';
import { shipTarball } from '../host/ship.js';
import { hotInstall, settle } from '../node/upgrade.js';
import { restartInto } from '../node/restart.js';
import { readHostNow } from '../node/discover.js';
import { earlierBuild, removeEarlierBuild } from '../node/unpack.js';
import { checkHealth, describeProbe, healthCheckFor, probeOnce } from '../health/probe.js';
import type { Host } from '../host/host.js';
import { runStep } from './step.js';
import { pruneAfterApply } from './prune.js';
import { stopPoint } from './interrupt.js';
import { runHook } from './hooks.js';
import { environment, type CoreContext } from './context.js';
import { liveBeforeInstall } from './live.js';
import type { Emit } from './events.js';

/** Refuses the whole plan before anything is touched when any host cannot go as asked. */
export function executions(plan: UpgradePlan, choices: ApplyChoices): Execution[] {
  return plan.hosts.map((h) => execution(h, choices));
}

/** The environment's health check on one host; without one, the node answering is the check. */
async function healthy(ctx: CoreContext, env: EnvironmentConfig, spec: HostSpec, host: Host): Promise<void> {
  await runStep(ctx.emit, 'health', spec.raw, async () => {
    if (!env.health) {
      if (!(await host.nodeUp())) throw new HotupError('HEALTH_FAILED', 'the node does not answer', 'Look at the node\'s logs.', { host: spec.raw });
      return { value: undefined, detail: 'node answers (no health check configured)' };
    }
    const check = healthCheckFor(env.health, spec);
    const attempts = await checkHealth(check, host, host.env).catch((e: unknown) => {
      throw isHotupError(e) ? e.onHost(spec.raw) : e;
    });
    return { value: undefined, detail: `${describeProbe(check.probe)} ok${attempts > 1 ? ` after ${attempts} attempts` : ''}` };
  });
}

function restartOptions(env: EnvironmentConfig, spec: HostSpec, host: Host, shipped: boolean) {
  const check = env.health ? healthCheckFor(env.health, spec) : undefined;
  return {
    nodeWaitMs: env.nodeWaitMs,
    shipped,
    ...(env.restart ? { restart: env.restart } : {}),
    ...(check ? { probe: () => probeOnce(check.probe, host, check.timeoutMs, host.env).then(() => true, () => false) } : {}),
  };
}

/**
 * Back to FROM after a failed upgrade: hot through the relup's down-path when the
 * node is alive and the path exists, otherwise a restart into FROM.
 */
async function rollback(ctx: CoreContext, env: EnvironmentConfig, spec: HostSpec, host: Host, hp: HostPlan, cause: HotupError): Promise<HotupError> {
  const from = hp.from!;
  ctx.emit({ type: 'log', level: 'warn', host: spec.raw, message: `${cause.message}: rolling back to ${from}` });
  let hot = false;
  try {
    await runStep(ctx.emit, 'rollback', spec.raw, async () => {
      hot = hp.hotRollback && (await host.nodeUp());
      if (hot) await hotInstall(host, from, ctx.emit, env.nodeWaitMs);
      else await restartInto(host, from, restartOptions(env, spec, host, false), ctx.emit);
      await healthy(ctx, env, spec, host);
      if (hot) await settle(host, from, ctx.emit);
      return { value: undefined, detail: `back on ${from} (${hot ? 'hot, through the relup\'s down-path' : 'by restart'})` };
    });
  } catch (e) {
    const now = await readHostNow(host);
    const remedy = now.boots && now.boots !== now.runs
      ? `Restart the node (bin/${host.app} restart, or its service) to go back to ${now.boots}; \`hotup status\` shows the release table.`
      : `Run \`hotup status\` to see the release table, then bring the node to ${from} by hand (bin/${host.app} stop; bin/${host.app} daemon).`;
    return new HotupError('UPGRADE_FAILED', `upgrade to ${hp.to} failed (${cause.message}) and the rollback to ${from} failed too (${(e as Error).message}); ${now.text}`,
      remedy, { host: spec.raw, cause: e });
  }
  // Read back by the rollback's own verify and health steps.
  const how = hot ? 'hot, through the down-path' : 'by a restart (the state its processes held in memory was lost)';
  return new HotupError('ROLLED_BACK', `upgrade to ${hp.to} failed (${cause.message}); the node was rolled back ${how} and serves ${from}`,
    cause.remedy, { host: spec.raw, cause });
}

async function upgradeHost(ctx: CoreContext, env: EnvironmentConfig, spec: HostSpec, plan: UpgradePlan, hp: HostPlan, how: Execution): Promise<{ downtimeMs?: number | undefined; pauseMs?: number | undefined }> {
  const vars = { env: env.name, app: ctx.config.app, host: hp.host, from: hp.from, to: hp.to };
  // The tarball of this build is on the host (a downgrade ships none): it is what gets unpacked.
  const shipped = plan.target.tarball !== null;
  // Until the tarball is on the host, the node is as it was: a failure here is "stopped before any change".
  const host = await beforeAnyChange(async () => {
    await runHook(ctx.emit, 'before_upgrade', ctx.config.hooks.before_upgrade, vars, ctx.config.root);
    const h = await ctx.host(env, spec);
    const tarball = plan.target.tarball;
    // A downgrade plan ships nothing: the release it goes back to is installed.
    const earlier = tarball ? await earlierBuild(h, hp.to) : null;
    if (earlier) await runStep(ctx.emit, 'replace', hp.host, () => removeEarlierBuild(h, hp.to, earlier));
    if (tarball) await runStep(ctx.emit, 'ship', hp.host, async () => {
      const sent = await shipTarball(h, hp.to, tarball, (p) =>
        ctx.emit({ type: 'progress', step: 'ship', host: hp.host, transferred: p.transferred, total: p.total }),
      );
      return sent === 'present'
        ? { value: undefined, skipped: true, detail: 'identical tarball already on the host' }
        : { value: undefined, detail: `${(tarball.bytes / 1e6).toFixed(1)} MB, sha256 verified` };
    });
    return h;
  });
  let downtimeMs: number | undefined;
  let pauseMs: number | undefined;
  try {
    const stop = () => stopPoint(ctx.interrupts, `${how === 'hot' ? 'installing' : 'restarting into'} ${hp.to}`, hp.host);
    if (how === 'hot') {
      let suspended = 0;
      // The install's own time bounds the pause of the processes it suspends: taken from its step.
      const emit: Emit = (e) => {
        if (e.type === 'step' && e.step === 'install' && e.phase === 'done' && suspended > 0) pauseMs = e.ms;
        ctx.emit(e);
      };
      await hotInstall(host, hp.to, emit, env.nodeWaitMs, async () => {
        stop();
        suspended = await liveBeforeInstall(ctx, host, plan, hp);
      });
      if (pauseMs !== undefined) {
        ctx.emit({ type: 'log', level: 'info', host: hp.host, message: `the ${suspended} process(es) release_handler suspended were held within install_release's ${pauseMs} ms` });
      }
      // Permanent only once healthy: until then a restart boots the release that ran before.
      await healthy(ctx, env, spec, host);
      await settle(host, hp.to, ctx.emit);
    } else {
      downtimeMs = await restartInto(host, hp.to, { ...restartOptions(env, spec, host, shipped), beforeChange: stop }, ctx.emit);
      await healthy(ctx, env, spec, host);
    }
  } catch (e) {
    // Without the link no rollback can be done, nor the lock given back: say what to look at once it is back.
    if (isHotupError(e) && e.code === 'LINK_LOST') {
      throw new HotupError('LINK_LOST', `${e.message} while upgrading to ${hp.to}`,
        `The node itself may be fine. Once the host answers again: \`hotup status ${env.name}\` shows what it runs (an apply cut off after install is finished by \`hotup apply ${env.name}\`), and \`hotup lock release ${env.name}\` frees the deploy lock if it stayed held.`,
        { host: spec.raw, cause: e, untouched: e.untouched });
    }
    // Failures that leave the node on the old release, untouched, need no rollback.
    if (!isHotupError(e) || e.untouched || !hp.from) throw e;
    const rolledBack = await rollback(ctx, env, spec, host, hp, e);
    if (rolledBack.code === 'ROLLED_BACK') await runHook(ctx.emit, 'on_rollback', ctx.config.hooks.on_rollback, vars, ctx.config.root);
    throw rolledBack;
  }
  // After an apply, not a downgrade (which ships nothing): the release a downgrade leaves stays.
  if (env.prune && shipped) {
    // The upgrade stands whatever the prune does: a failed prune is a warning, not a failed apply.
    await pruneAfterApply(host, env.prune.keep, ctx.emit).catch((e: unknown) =>
      ctx.emit({ type: 'log', level: 'warn', host: hp.host, message: `the upgrade to ${hp.to} stands; prune after it failed: ${(e as Error).message}` }));
  }
  await runHook(ctx.emit, 'after_upgrade', ctx.config.hooks.after_upgrade, vars, ctx.config.root);
  return { downtimeMs, pauseMs };
}

export interface ApplyOptions extends ApplyChoices, Partial<RolloutShape> {}

export async function apply(ctx: CoreContext, plan: UpgradePlan, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const how = executions(plan, opts);
  const env = environment(ctx.config, plan.environment);
  const results: HostResult[] = plan.hosts.map((hp, i) => ({
    host: hp.host, from: hp.from, to: hp.to, action: hp.action, execution: how[i]!,
    outcome: how[i] === 'noop' ? 'unchanged' : 'untouched', ms: 0,
  }));
  const todo = plan.hosts.flatMap((_, i) => (how[i] === 'noop' ? [] : [i]));
  let failure: unknown;
  for (const wave of waves(todo, { parallel: Math.max(1, opts.parallel ?? 1), canary: opts.canary ?? 0 })) {
    await Promise.all(wave.map(async (i) => {
      const hp = plan.hosts[i]!;
      const spec = env.hosts.find((h) => h.raw === hp.host);
      const started = Date.now();
      try {
        stopPoint(ctx.interrupts, `upgrading ${hp.host}`, hp.host);
        if (!spec) throw new HotupError('USAGE', `the plan names host ${hp.host}, which environment ${plan.environment} does not list`, 'Make the plan again with the current config.');
        const { downtimeMs, pauseMs } = await upgradeHost(ctx, env, spec, plan, hp, how[i]!);
        results[i] = { ...results[i]!, outcome: 'upgraded', ms: Date.now() - started, ...(downtimeMs !== undefined ? { downtimeMs } : {}), ...(pauseMs !== undefined ? { pauseMs } : {}) };
      } catch (e) {
        const outcome: HostOutcome = !isHotupError(e) ? 'failed' : e.code === 'ROLLED_BACK' ? 'rolled_back' : e.code === 'ABORTED' ? 'untouched' : 'failed';
        results[i] = { ...results[i]!, outcome, ms: Date.now() - started, error: { code: isHotupError(e) ? e.code : 'INTERNAL', message: (e as Error).message } };
        failure ??= e;
      }
    }));
    // Stop at the first failure: the hosts of later waves stay untouched.
    if (failure) break;
  }
  ctx.emit({ type: 'summary', hosts: results });
  if (failure) throw Object.assign(failure as Error, { results });
  return { plan, hosts: results };
}
