/** `hotup plan <env>`: discover, build with a relup from the running version, inspect, decide. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { HotupError } from '../errors.js';
import type { HostStatus } from '../release/discover.js';
import { assembleRelease, makeUpgrade, type BuiltRelease } from '../release/build.js';
import { localHelperDir, runHelper } from '../release/helper.js';
import { parseRelup } from '../terms/relup.js';
import type { Relup } from '../terms/model.js';
import { planHosts } from '../plan/plan.js';
import { decide } from '../plan/decide.js';
import { findPath, relupPathRules } from '../validate/relup-paths.js';
import { describeInstruction } from '../report/relup-lines.js';
import { PLAN_SCHEMA, type PlannedTarball, type UpgradePlan } from '../plan/types.js';
import { runStep } from '../report/step.js';
import { buildExecutor, environment, type CoreContext } from './context.js';
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

export async function plan(ctx: CoreContext, envName: string): Promise<UpgradePlan> {
  const env = environment(ctx.config, envName);
  const { app, build } = ctx.config;
  const statuses = await discoverEnvironment(ctx, envName);
  const running = commonRunning(statuses);
  const exec = await buildExecutor(ctx);

  const assembled = await runStep(ctx.emit, 'build', undefined, async () => {
    const a = await assembleRelease(exec, build, app);
    return { value: a, detail: `${app} ${a.vsn} assembled in ${build.path}` };
  });

  let built: BuiltRelease = { ...assembled, relup: null, tarball: null };
  let relup: Relup | null = null;
  if (assembled.vsn !== running) {
    built = await runStep(ctx.emit, 'relup', undefined, async () => {
      const b = await makeUpgrade(exec, build, app, assembled, running);
      return { value: b, detail: `relup ${running} → ${b.vsn} and tarball made` };
    });
    relup = await runStep(ctx.emit, 'inspect', undefined, async () => {
      const term = await runHelper(exec, localHelperDir(), 'consult', [built.relup!]);
      return { value: parseRelup(term), detail: 'relup decoded' };
    });
  }

  const findings = relup ? relupPathRules(relup, running) : [];
  const instructions = (relup && findPath(relup.up, running)?.instructions.map(describeInstruction)) ?? [];
  const result: UpgradePlan = {
    schema: PLAN_SCHEMA,
    app,
    environment: envName,
    deployTo: env.deployTo,
    target: { vsn: built.vsn, tarball: built.tarball ? await describeTarball(built.tarball) : null },
    hosts: planHosts({ statuses, target: built.vsn, instructions, findings, decision: decide(findings) }),
  };
  ctx.emit({ type: 'plan', plan: result });
  return result;
}
