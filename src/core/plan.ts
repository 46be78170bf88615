/** `hotup plan <env>`: discover, build with a relup from the running version, inspect, decide. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { scratchDir } from '../scratch.js';
import { HotupError } from '../errors.js';
import type { HostStatus } from '../node/discover.js';
import { buildHostFacts } from '../helper/facts.js';
import type { Executor } from '../remote/executor.js';
import { liveCheck } from '../node/live-check.js';
import { planHosts } from '../plan/plan.js';
import { PLAN_SCHEMA, type PlanReason, type PlannedTarball, type UpgradePlan } from '../plan/types.js';
import { validate } from '../validate/index.js';
import { findPath, hasHotPath } from '../validate/relup-paths.js';
import { describeInstruction } from '../report/relup.js';
import { countFindings } from '../report/findings.js';
import { runStep } from './step.js';
import { runHook } from './hooks.js';
import { buildExecutor, buildHelper, environment, hostNamed, type CoreContext } from './context.js';
import { discoverEnvironment } from './status.js';
import { assemble, buildTarget } from './build-target.js';
import { hostRunningFacts, runningFacts } from './running-release.js';
import { sameVersionRules } from '../validate/same-version.js';
import { withDeployLock } from './guard.js';
import type { BeamSource } from '../node/live-facts.js';
import { buildBeams, planLive, rememberBeams } from './live.js';

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Digest and size of a tarball on this machine. */
export async function describeTarball(file: string): Promise<PlannedTarball> {
  return { path: file, sha256: await sha256File(file), bytes: (await stat(file)).size };
}

/**
 * Both results; when either fails, the other is still waited for (a build is
 * not left running behind an error), then the first failure is thrown.
 */
async function both<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

/** The one version every host runs; hosts on different versions need separate upgrades. */
function commonRunning(statuses: HostStatus[]): string {
  const versions = [...new Set(statuses.map((s) => s.running))];
  if (versions.length === 1 && versions[0]) return versions[0];
  const table = statuses.map((s) => `  ${s.host}: ${s.running ?? 'unknown'}`).join('\n');
  throw new HotupError(
    'PLAN_BLOCKED',
    `the hosts do not run one known version, so no single relup fits them all:\n${table}`,
    'Bring the hosts to one version first (upgrade the stragglers, or restart them into the same release), then plan again.',
  );
}

/** The tarball on this machine, where ship uploads it from: a remote build host's is downloaded. */
async function localTarball(exec: Executor, remote: boolean, tarball: string): Promise<string> {
  if (!remote) return tarball;
  const dir = await scratchDir('hotup-artifact-');
  const local = path.join(dir, path.posix.basename(tarball));
  await exec.download(tarball, local);
  return local;
}

/** --check-live: every live node checks the install itself (the tarball is shipped and unpacked for it). */
async function checkLive(ctx: CoreContext, envName: string, statuses: HostStatus[], vsn: string, tarball: PlannedTarball): Promise<Map<string, PlanReason[]>> {
  const env = environment(ctx.config, envName);
  const out = new Map<string, PlanReason[]>();
  for (const s of statuses) {
    if (!s.live.up || s.running === vsn) continue;
    const host = await hostNamed(ctx, env, s.host);
    const found = await runStep(ctx.emit, 'check_install', s.host, async () => {
      const f = await liveCheck(host, vsn, tarball);
      return { value: f, detail: f.map((x) => x.message).join('; ') };
    });
    out.set(s.host, found);
  }
  return out;
}

export interface PlanOptions {
  checkLive?: boolean;
  version?: string;
  /** The plan is for a restart (apply --restart): the build makes no appups and no relup, only the tarball. */
  restart?: boolean;
}

export async function plan(ctx: CoreContext, envName: string, opts: PlanOptions = {}): Promise<UpgradePlan> {
  return (await planWithReadings(ctx, envName, opts)).plan;
}

/** The plan, and the host readings it was decided on (what a saved plan pins). */
export async function planWithReadings(ctx: CoreContext, envName: string, opts: PlanOptions = {}): Promise<{ plan: UpgradePlan; statuses: HostStatus[] }> {
  const env = environment(ctx.config, envName);
  const { app, build } = ctx.config;
  const version = opts.version ?? null;
  const exec = await buildExecutor(ctx);
  const helper = await buildHelper(ctx);
  const beforeBuild = ctx.config.hooks.before_build;
  // The hosts are read while the release is assembled, unless a before_build hook must run between the two.
  const [statuses, early] = beforeBuild
    ? [await discoverEnvironment(ctx, envName), null]
    : await both(discoverEnvironment(ctx, envName), assemble(ctx, version));
  const running = commonRunning(statuses);
  const vars = { env: envName, app, from: running };
  await runHook(ctx.emit, 'before_build', beforeBuild, vars, ctx.config.root);
  const assembled = beforeBuild ? await assemble(ctx, version) : early;
  // The running release's facts come from a host, read while the relup is made (or, for a build of the running
  // version, to compare its code with what runs).
  const fromHost = hostRunningFacts(ctx, envName, statuses, running);
  fromHost.catch(() => undefined);
  const oldFacts = (relDir: string) => runningFacts(fromHost, helper, relDir, running);
  const target = await buildTarget(ctx, envName, statuses, running, version, assembled, oldFacts, { relup: !opts.restart });

  let tarball: PlannedTarball | null = null;
  let findings: PlanReason[] = [];
  let instructions: string[] = [];
  let hotRollback = false;
  let hostFindings: Map<string, PlanReason[]> | undefined;
  let beams: BeamSource | undefined;
  const built = target.built;
  if (built) {
    const { old } = target;
    const inspected = await runStep(ctx.emit, 'inspect', undefined, async () => {
      const [newFacts, { facts, notes }] = await Promise.all([buildHostFacts(helper, built.relDir, built.vsn), old ?? oldFacts(built.relDir)]);
      const f: PlanReason[] = [...validate({ running, target: built.vsn, old: facts, new: newFacts, appupsLacking: target.appupsLacking }), ...notes];
      return { value: { relup: newFacts.relup, findings: f }, detail: `relup decoded: ${countFindings(f)}` };
    });
    findings = inspected.findings;
    instructions = (inspected.relup && findPath(inspected.relup.up, running)?.instructions.map(describeInstruction)) ?? [];
    hotRollback = !!inspected.relup && hasHotPath(findPath(inspected.relup.down, running));
    // Read only: which processes the upgrade would kill, suspend or fail to convert, on every live node.
    beams = buildBeams(exec, built.relDir, build.host !== 'local');
    hostFindings = await planLive(ctx, envName, statuses, built.vsn, inspected.relup ? findPath(inspected.relup.up, running) : undefined, beams);
    tarball = await describeTarball(await localTarball(exec, build.host !== 'local', built.tarball!));
    await runHook(ctx.emit, 'after_build', ctx.config.hooks.after_build, { ...vars, to: built.vsn }, ctx.config.root);
    // The live check ships and unpacks on the hosts: under their deploy lock, as apply does.
    if (opts.checkLive) {
      const t = tarball;
      const checked = await withDeployLock(ctx, envName, `hotup plan --check-live ${envName}`, () => checkLive(ctx, envName, statuses, built.vsn, t));
      for (const [h, f] of checked) hostFindings.set(h, [...(hostFindings.get(h) ?? []), ...f]);
    }
  }

  // The version that runs, built again: the same code is nothing to do; other code cannot be upgraded to.
  if (!built && target.vsn === running) {
    findings = await runStep(ctx.emit, 'inspect', undefined, async () => {
      const [runs, rebuilt] = await Promise.all([fromHost, buildHostFacts(helper, target.relDir, running)]);
      if (!runs) return { value: [], skipped: true, detail: `release ${running} could not be read on a host to compare with the build` };
      const f = sameVersionRules(runs, rebuilt);
      return { value: f, detail: f.length ? `the build of ${running} has other code than the hosts run` : `the build of ${running} has the code the hosts run` };
    });
  }

  const result: UpgradePlan = {
    schema: PLAN_SCHEMA,
    app,
    environment: envName,
    deployTo: env.deployTo,
    target: { vsn: target.vsn, tarball, ...(built?.appups ? { appups: built.appups } : {}) },
    hosts: planHosts({ statuses, target: target.vsn, instructions, findings, hotRollback, ...(hostFindings ? { hostFindings } : {}) }),
  };
  if (beams) rememberBeams(result, beams);
  ctx.emit({ type: 'plan', plan: result });
  return { plan: result, statuses };
}
