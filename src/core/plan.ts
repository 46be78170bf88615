/** `hotup plan <env>`: discover, build with a relup from the running version, inspect, decide. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { HotupError, isHotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import type { HostStatus } from '../release/discover.js';
import { assembleRelease, hasRelease, makeUpgrade } from '../release/build.js';
import { fetchOldRelease } from '../release/fetch-old.js';
import { localHelperDir, runHelper } from '../release/helper.js';
import { buildHostFacts, hostFacts, onLoadModules } from '../release/facts.js';
import { liveCheck } from '../release/live-check.js';
import { parseRelup } from '../terms/relup.js';
import type { ReleaseFacts } from '../terms/model.js';
import { planHosts } from '../plan/plan.js';
import { PLAN_SCHEMA, type PlannedTarball, type UpgradePlan } from '../plan/types.js';
import { validate } from '../validate/index.js';
import type { Finding } from '../validate/finding.js';
import { findPath, hasHotPath } from '../validate/relup-paths.js';
import { diffReleases } from '../validate/diff.js';
import { describeInstruction } from '../report/relup-lines.js';
import { runStep } from '../report/step.js';
import { runHook } from '../release/hooks.js';
import { buildExecutor, environment, nodeTarget, type CoreContext } from './context.js';
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
  buildExec: Executor, relDir: string): Promise<{ facts: ReleaseFacts | null; notes: Finding[] }> {
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
      facts: await buildHostFacts(buildExec, relDir, running),
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

/**
 * The build host lacks the running release (a fresh CI checkout): bring it
 * from a production host that has it, so the relup can be made from it.
 */
async function fetchRunningRelease(ctx: CoreContext, envName: string, statuses: HostStatus[], running: string, localRelDir: string | null): Promise<void> {
  const env = environment(ctx.config, envName);
  const source = statuses.find((s) => s.releasesFile?.some((r) => r.vsn === running && r.erts));
  const row = source?.releasesFile?.find((r) => r.vsn === running);
  if (!localRelDir || !source || !row) {
    // makeUpgrade then says what is missing and how to build it.
    return;
  }
  await runStep(ctx.emit, 'fetch_old', source.host, async () => {
    const node = await nodeTarget(ctx, env, env.hosts.find((h) => h.raw === source.host)!);
    await fetchOldRelease(node, row, localRelDir);
    return { value: undefined, detail: `release ${running} brought from the host into ${localRelDir}` };
  });
}

/** --check-live: every live node checks the install itself (the tarball is shipped and unpacked for it). */
async function checkLive(ctx: CoreContext, envName: string, statuses: HostStatus[], vsn: string, tarball: PlannedTarball): Promise<Map<string, Finding[]>> {
  const env = environment(ctx.config, envName);
  const out = new Map<string, Finding[]>();
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

  const vars = { env: envName, app, from: running };
  await runHook('before_build', ctx.config.hooks.before_build, vars, ctx.config.root);
  const assembled = await runStep(ctx.emit, 'build', undefined, async () => {
    const a = await assembleRelease(exec, build, app);
    return { value: a, detail: `${app} ${a.vsn} assembled in ${build.path}` };
  });

  let tarball: PlannedTarball | null = null;
  let findings: Finding[] = [];
  let instructions: string[] = [];
  let hotRollback = false;
  let hostFindings: Map<string, Finding[]> | undefined;
  if (assembled.vsn !== running) {
    if (!(await hasRelease(exec, assembled.relDir, running, app))) {
      await fetchRunningRelease(ctx, envName, statuses, running, build.host === 'local' ? assembled.relDir : null);
    }
    const built = await runStep(ctx.emit, 'relup', undefined, async () => {
      const b = await makeUpgrade(exec, build, app, assembled, running);
      return { value: b, detail: `relup ${running} → ${b.vsn} and tarball made` };
    });
    const inspected = await runStep(ctx.emit, 'inspect', undefined, async () => {
      const relup = parseRelup(await runHelper(exec, localHelperDir(), 'consult', [built.relup!]));
      const newFacts = await buildHostFacts(exec, built.relDir, built.vsn);
      const old = await runningFacts(ctx, envName, statuses, running, exec, built.relDir);
      const touched = old.facts
        ? diffReleases(old.facts, newFacts).flatMap((c) => [...c.changed, ...c.added].map((m) => `${built.relDir}/lib/${c.name}-${c.newVsn}/ebin/${m.module}.beam`))
        : [];
      const f = [
        ...validate({ running, target: built.vsn, old: old.facts, new: newFacts, relup, onLoad: await onLoadModules(exec, touched) }),
        ...old.notes,
      ];
      const counts = (['error', 'warning'] as const).map((s) => `${f.filter((x) => x.severity === s).length} ${s}s`).join(', ');
      return { value: { relup, findings: f }, detail: `relup decoded, ${counts}` };
    });
    findings = inspected.findings;
    instructions = findPath(inspected.relup.up, running)?.instructions.map(describeInstruction) ?? [];
    hotRollback = hasHotPath(findPath(inspected.relup.down, running));
    tarball = await describeTarball(built.tarball!);
    await runHook('after_build', ctx.config.hooks.after_build, { ...vars, to: built.vsn }, ctx.config.root);
    if (opts.checkLive) hostFindings = await checkLive(ctx, envName, statuses, built.vsn, tarball);
  }

  const result: UpgradePlan = {
    schema: PLAN_SCHEMA,
    app,
    environment: envName,
    deployTo: env.deployTo,
    target: { vsn: assembled.vsn, tarball },
    hosts: planHosts({ statuses, target: assembled.vsn, instructions, findings, hotRollback, ...(hostFindings ? { hostFindings } : {}) }),
  };
  ctx.emit({ type: 'plan', plan: result });
  return result;
}
