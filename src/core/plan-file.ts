/**
 * The saved plan on disk: `hotup plan --out FILE` writes it with the build's
 * tarball beside it; `hotup apply --plan FILE` loads it, checks the tarball is
 * that build, and, under the deploy lock, that every host is as planned.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { list } from 'tar';
import { HotupError } from '../errors.js';
import { PACKAGE_VERSION } from '../package-version.js';
import type { HostStatus } from '../plan/host-status.js';
import { checkPlanTarget, parsePlanFile, planDrift, PLAN_FILE_SCHEMA, readingOf, type HostReading, type PlanFile } from '../plan/plan-file.js';
import type { PlannedTarball, UpgradePlan } from '../plan/types.js';
import { environment, type CoreContext } from './context.js';
import { runApply, type Confirm } from './deploy.js';
import type { ApplyOptions } from './apply.js';
import type { ApplyResult } from './results.js';
import { describeTarball } from './plan.js';
import { discoverEnvironment } from './status.js';

/** sha256 of `releases/<vsn>/relup` in the tarball, or null when it holds none. */
async function relupDigest(tarball: string, vsn: string): Promise<{ sha256: string } | null> {
  const wanted = `releases/${vsn}/relup`;
  const hash = createHash('sha256');
  let found = false;
  await list({
    file: tarball,
    filter: (p) => p.replace(/^\.\//, '') === wanted,
    onReadEntry: (entry) => {
      found = true;
      entry.on('data', (chunk: Buffer) => hash.update(chunk));
    },
  });
  return found ? { sha256: hash.digest('hex') } : null;
}

/** Writes FILE through a temporary name, so a reader never sees half of it. */
async function writeAtomically(file: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await write(tmp);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Writes the plan to OUT and the tarball beside it (`<app>-<vsn>.tar.gz`, checked
 * against the plan's digest after the copy); the plan file last, so it never
 * names a tarball that is not there. Returns the tarball's path, if any.
 */
export async function savePlan(ctx: Pick<CoreContext, 'emit'>, made: { plan: UpgradePlan; statuses: HostStatus[] }, out: string): Promise<string | null> {
  const dir = path.dirname(path.resolve(out));
  await mkdir(dir, { recursive: true });
  const { plan } = made;
  const built = plan.target.tarball;
  // In the file, the tarball is named relative to the plan file's directory.
  let beside: PlannedTarball | null = null;
  if (built) {
    const copy = path.join(dir, `${plan.app}-${plan.target.vsn}.tar.gz`);
    if (path.resolve(built.path) !== copy) await writeAtomically(copy, (tmp) => copyFile(built.path, tmp));
    const copied = await describeTarball(copy);
    if (copied.sha256 !== built.sha256) {
      throw new HotupError('ARTIFACT_INVALID', `the tarball copied to ${copy} has sha256 ${copied.sha256}, the build's is ${built.sha256}`,
        `Check the disk under ${dir}, then plan again.`);
    }
    beside = { ...built, path: path.basename(copy) };
  }
  const file: PlanFile = {
    schema: PLAN_FILE_SCHEMA,
    hotup: PACKAGE_VERSION,
    createdAt: new Date().toISOString(),
    readings: made.statuses.map(readingOf),
    relup: beside ? await relupDigest(path.join(dir, beside.path), plan.target.vsn) : null,
    plan: { ...plan, target: { ...plan.target, tarball: beside } },
  };
  await writeAtomically(path.resolve(out), (tmp) => writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`));
  const tarball = beside && path.join(dir, beside.path);
  ctx.emit({ type: 'log', level: 'info', message: `plan saved to ${out}${tarball ? `, the tarball beside it (${tarball})` : ''}` });
  return tarball;
}

export interface LoadedPlan {
  plan: UpgradePlan;
  readings: HostReading[];
  /** The hotup version that made it. */
  hotup: string;
}

const replan = (envName: string, file: string) =>
  `Plan again (\`hotup plan ${envName} --out ${file}\`), review it, and apply that plan.`;

/**
 * The plan in FILE for APP in ENVNAME, with its tarball's path made absolute
 * once the tarball beside it is checked to be the planned build. Reads only
 * this machine: nothing is contacted before the file is known to be good.
 */
export async function loadPlan(file: string, app: string, envName: string): Promise<LoadedPlan> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new HotupError('USAGE', `cannot read the plan file ${file}: ${e.code ?? e.message}`, `Give the path of the file \`hotup plan ${envName} --out <file>\` wrote.`);
  });
  const saved = parsePlanFile(text, file);
  checkPlanTarget(saved, file, app, envName);
  const planned = saved.plan.target.tarball;
  if (!planned) return { plan: saved.plan, readings: saved.readings, hotup: saved.hotup };
  const tarball = path.resolve(path.dirname(file), planned.path);
  const found = await describeTarball(tarball).catch(() => null);
  if (!found) {
    throw new HotupError('USAGE', `the plan's tarball ${tarball} is missing`,
      `\`hotup plan --out\` writes it beside the plan file: keep the two together (in CI, one artifact holding the directory). Or plan again.`);
  }
  if (found.sha256 !== planned.sha256 || found.bytes !== planned.bytes) {
    throw new HotupError('PLAN_STALE', `the tarball ${tarball} is not the planned build: sha256 ${found.sha256} (${found.bytes} bytes), the plan's is ${planned.sha256} (${planned.bytes} bytes); nothing was changed`,
      replan(envName, file), { untouched: true });
  }
  return { plan: { ...saved.plan, target: { ...saved.plan.target, tarball: { ...planned, path: tarball } } }, readings: saved.readings, hotup: saved.hotup };
}

/**
 * The saved plan, once every host reads as it did when the plan was made (same
 * deploy_to and hosts, running and permanent release, ERTS, node up or down):
 * each host's decision followed from that reading. Any difference refuses the plan.
 */
export async function recheckPlan(ctx: CoreContext, envName: string, saved: LoadedPlan, file: string): Promise<UpgradePlan> {
  const env = environment(ctx.config, envName);
  const now = await discoverEnvironment(ctx, envName);
  const drift = [
    ...(saved.plan.deployTo === env.deployTo ? [] : [`deploy_to is ${env.deployTo} in the config, the plan was made for ${saved.plan.deployTo}`]),
    ...planDrift(saved.readings, env.hosts.map((h) => h.raw), now),
  ];
  if (drift.length > 0) {
    throw new HotupError('PLAN_STALE', `the hosts changed since the plan in ${file} was made; nothing was changed:\n${drift.map((d) => `    ${d}`).join('\n')}`,
      replan(envName, file), { untouched: true });
  }
  ctx.emit({ type: 'log', level: 'info', message: `every host reads as when the plan in ${file} was made` });
  if (saved.hotup !== PACKAGE_VERSION) {
    ctx.emit({ type: 'log', level: 'warn', message: `the plan was made by hotup ${saved.hotup}, this is hotup ${PACKAGE_VERSION}: use one version for plan and apply` });
  }
  ctx.emit({ type: 'plan', plan: saved.plan });
  return saved.plan;
}

/** `hotup apply ENV --plan FILE`: the file checked before any host is contacted, the hosts under the deploy lock. */
export async function applySavedPlan(ctx: CoreContext, envName: string, file: string, opts: ApplyOptions, confirm: Confirm): Promise<ApplyResult> {
  const saved = await loadPlan(file, ctx.config.app, envName);
  return runApply(ctx, envName, opts, confirm, (c, env) => recheckPlan(c, env, saved, file));
}
