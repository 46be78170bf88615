/** `hotup plan <env>`: discover, build with a relup from the running version, inspect, decide. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HotupError, isHotupError } from '../errors.js';
import type { HostStatus } from '../release/discover.js';
import { assembleRelease, hasRelease, makeUpgrade, type BuiltRelease } from '../release/build.js';
import { fetchOldRelease } from '../release/fetch-old.js';
import { buildHostFacts, hostFacts } from '../release/facts.js';
import type { HelperHost } from '../release/helper.js';
import type { Executor } from '../remote/executor.js';
import { syncSource } from '../release/source-sync.js';
import { assembleMixRelease, makeMixUpgrade, type AppupUsed } from '../release/build-mix.js';
import { liveCheck } from '../release/live-check.js';
import type { ReleaseFacts } from '../terms/model.js';
import { planHosts } from '../plan/plan.js';
import { PLAN_SCHEMA, type PlanReason, type PlannedTarball, type UpgradePlan } from '../plan/types.js';
import { validate } from '../validate/index.js';
import type { Finding } from '../validate/finding.js';
import { findPath, hasHotPath } from '../validate/relup-paths.js';
import { describeInstruction } from '../report/relup.js';
import { countFindings } from '../report/findings.js';
import { runStep } from '../report/step.js';
import { runHook } from '../release/hooks.js';
import { buildExecutor, buildHelper, encoder, environment, nodeTarget, type CoreContext } from './context.js';
import { discoverEnvironment } from './status.js';

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function describeTarball(file: string): Promise<PlannedTarball> {
  return { path: file, sha256: await sha256File(file), bytes: (await stat(file)).size };
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

/** The running release's facts from the first host that can give them, else the build host's copy. */
async function runningFacts(ctx: CoreContext, envName: string, statuses: HostStatus[], running: string,
  helper: HelperHost, relDir: string): Promise<{ facts: ReleaseFacts | null; notes: Finding[] }> {
  const env = environment(ctx.config, envName);
  const first = statuses.find((s) => s.startErl);
  const spec = env.hosts.find((h) => h.raw === first?.host);
  if (first?.startErl && spec) {
    try {
      const node = await nodeTarget(ctx, env, spec);
      return { facts: await hostFacts(node.exec, node.root, first.startErl.erts, running), notes: [] };
    } catch (e) {
      if (!isHotupError(e)) throw e;
      ctx.emit({ type: 'log', level: 'warn', host: first.host, message: `could not read release ${running} there: ${e.message}` });
    }
  }
  try {
    return {
      facts: await buildHostFacts(helper, relDir, running),
      notes: [{
        rule: 'release/old-facts-from-build',
        severity: 'info',
        effect: 'none',
        message: `release ${running} was compared as the build host has it, not as the hosts run it`,
        remedy: 'If the build host rebuilt that version since, changed modules can be missed; let hotup read a host.',
      }],
    };
  } catch (e) {
    if (!isHotupError(e)) throw e;
    return { facts: null, notes: [] };
  }
}

/** release_handler, which every hot upgrade runs through, is part of sasl. */
function saslRule(facts: ReleaseFacts): PlanReason[] {
  if (facts.apps.some((a) => a.name === 'sasl')) return [];
  return [{
    rule: 'release/no-sasl',
    severity: 'error',
    effect: 'restart',
    message: `release ${facts.vsn} does not include sasl, so the node has no release_handler to upgrade it`,
    remedy: 'Add sasl to the release: in rebar.config, {release, {App, Vsn}, [App, sasl]}; in mix.exs, extra_applications: [:sasl].',
  }];
}

/**
 * The build host lacks the running release (a fresh CI checkout): bring it
 * from a production host that has it, so the relup can be made from it.
 */
async function fetchRunningRelease(ctx: CoreContext, envName: string, statuses: HostStatus[], running: string, build: { exec: Executor; relDir: string }): Promise<void> {
  const env = environment(ctx.config, envName);
  const source = statuses.find((s) => s.releasesFile?.some((r) => r.vsn === running && r.erts));
  const row = source?.releasesFile?.find((r) => r.vsn === running);
  // Without a source, the relup step says what is missing and how to build it.
  if (!source || !row) return;
  await runStep(ctx.emit, 'fetch_old', source.host, async () => {
    const node = await nodeTarget(ctx, env, env.hosts.find((h) => h.raw === source.host)!);
    await fetchOldRelease(node, row, build);
    return { value: undefined, detail: `release ${running} brought from the host into ${build.relDir}` };
  });
}

/** The tarball on this machine, where ship uploads it from: a remote build host's is downloaded. */
async function localTarball(exec: Executor, remote: boolean, tarball: string): Promise<string> {
  if (!remote) return tarball;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hotup-artifact-'));
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
    const node = await nodeTarget(ctx, env, env.hosts.find((h) => h.raw === s.host)!);
    const found = await runStep(ctx.emit, 'check_install', s.host, async () => {
      const f = await liveCheck(node, vsn, tarball);
      return { value: f, detail: f.map((x) => x.message).join('; ') };
    });
    out.set(s.host, found);
  }
  return out;
}

export async function plan(ctx: CoreContext, envName: string, opts: { checkLive?: boolean } = {}): Promise<UpgradePlan> {
  const env = environment(ctx.config, envName);
  const { app, build } = ctx.config;
  const statuses = await discoverEnvironment(ctx, envName);
  const running = commonRunning(statuses);
  const exec = await buildExecutor(ctx);
  const helper = await buildHelper(ctx);

  const vars = { env: envName, app, from: running };
  const mix = build.tool === 'mix';
  await runHook('before_build', ctx.config.hooks.before_build, vars, ctx.config.root);
  if (build.host !== 'local') {
    await runStep(ctx.emit, 'sync', build.host.raw, async () => {
      const src = await syncSource(ctx.config.root, exec, build.path);
      if (src.dirty) ctx.emit({ type: 'log', level: 'warn', message: 'the checkout has uncommitted changes; the build host builds the last commit without them' });
      return { value: undefined, detail: `commit ${src.commit.slice(0, 12)} checked out in ${build.path}` };
    });
  }
  const assembled = await runStep(ctx.emit, 'build', undefined, async () => {
    const a = mix ? await assembleMixRelease(exec, build, app) : await assembleRelease(exec, build, app);
    return { value: a, detail: `${app} ${a.vsn} assembled in ${build.path}` };
  });

  let tarball: PlannedTarball | null = null;
  let findings: PlanReason[] = [];
  let instructions: string[] = [];
  let hotRollback = false;
  let appups: AppupUsed[] | undefined;
  let hostFindings: Map<string, PlanReason[]> | undefined;
  if (assembled.vsn !== running) {
    if (!(await hasRelease(exec, assembled.relDir, running, app))) {
      await fetchRunningRelease(ctx, envName, statuses, running, { exec, relDir: assembled.relDir });
    }
    // Mix makes no appups: they come from the module diff, so the running release is read first.
    const old = mix ? await runningFacts(ctx, envName, statuses, running, helper, assembled.relDir) : null;
    const built: BuiltRelease & { appups?: AppupUsed[] } = await runStep(ctx.emit, 'relup', undefined, async () => {
      if (!mix) {
        const b = await makeUpgrade(exec, build, app, assembled, running);
        return { value: b, detail: `relup ${running} → ${b.vsn} and tarball made` };
      }
      if (!old?.facts) {
        throw new HotupError('OLD_RELEASE_MISSING', `the running release ${running} could not be read, so no appups can be generated for it`,
          'Let hotup read a host over SSH (its release root must be readable), or keep the running release in the build directory.');
      }
      const b = await makeMixUpgrade(exec, build, app, encoder(), assembled, running, { old: old.facts, new: await buildHostFacts(helper, assembled.relDir, assembled.vsn) });
      for (const a of b.appups) {
        ctx.emit({ type: 'log', level: 'info', message: `${a.app}.appup: ${a.source === 'generated' ? `generated from the module diff:\n${a.text}` : a.source === 'project' ? 'the project\'s rel/appups one' : 'the one in the build'}` });
      }
      return { value: b, detail: `appups, relup ${running} → ${b.vsn} and tarball made` };
    });
    appups = built.appups;
    const inspected = await runStep(ctx.emit, 'inspect', undefined, async () => {
      const newFacts = await buildHostFacts(helper, built.relDir, built.vsn);
      const { facts, notes } = old ?? await runningFacts(ctx, envName, statuses, running, helper, built.relDir);
      const f: PlanReason[] = [...validate({ running, target: built.vsn, old: facts, new: newFacts }), ...notes, ...saslRule(newFacts)];
      return { value: { relup: newFacts.relup, findings: f }, detail: `relup decoded: ${countFindings(f)}` };
    });
    findings = inspected.findings;
    instructions = (inspected.relup && findPath(inspected.relup.up, running)?.instructions.map(describeInstruction)) ?? [];
    hotRollback = !!inspected.relup && hasHotPath(findPath(inspected.relup.down, running));
    tarball = await describeTarball(await localTarball(exec, build.host !== 'local', built.tarball!));
    await runHook('after_build', ctx.config.hooks.after_build, { ...vars, to: built.vsn }, ctx.config.root);
    if (opts.checkLive) hostFindings = await checkLive(ctx, envName, statuses, built.vsn, tarball);
  }

  const result: UpgradePlan = {
    schema: PLAN_SCHEMA,
    app,
    environment: envName,
    deployTo: env.deployTo,
    target: { vsn: assembled.vsn, tarball, ...(appups ? { appups } : {}) },
    hosts: planHosts({ statuses, target: assembled.vsn, instructions, findings, hotRollback, ...(hostFindings ? { hostFindings } : {}) }),
  };
  ctx.emit({ type: 'plan', plan: result });
  return result;
}
