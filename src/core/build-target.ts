/**
 * The build half of `plan`: the new release with a relup from the running
 * version and its tarball, by whichever backend the project uses.
 */
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import type { HostStatus } from '../node/discover.js';
import { assembleRelease, hasRelease, makeUpgrade, type BuiltRelease } from '../build/rebar3.js';
import { assembleMixRelease, makeMixUpgrade, type AppupUsed } from '../build/mix.js';
import { oneshotRelDir, runOneshotBuild } from '../build/oneshot.js';
import { buildHostFacts } from '../helper/facts.js';
import { syncSource } from '../build/source-sync.js';
import { runStep } from './step.js';
import { buildExecutor, buildHelper, encoder, type CoreContext } from './context.js';
import { fetchRunningRelease, type OldFacts } from './running-release.js';

export interface BuildOutcome {
  vsn: string;
  /** null: the build is the version that runs; nothing to upgrade (if its code is the same). */
  built: (BuiltRelease & { appups?: AppupUsed[] }) | null;
  /** Where the release directory of the build is: for comparing a same-version build with what runs. */
  relDir: string;
  /** The running release's facts when the build needed them first (mix appups). */
  old: OldFacts | null;
}

/** Before a relup is made, the build must hold the running release: fetched from a host when it does not. */
async function ensureRunningRelease(ctx: CoreContext, envName: string, statuses: HostStatus[], running: string, exec: Executor, relDir: string): Promise<void> {
  if (!(await hasRelease(exec, relDir, running, ctx.config.app))) {
    await fetchRunningRelease(ctx, envName, statuses, running, { exec, relDir });
  }
}

/** What the build makes before it needs to know the running version: the release itself. */
export interface Assembled {
  vsn: string;
  relDir: string;
}

function versionChecker(version: string | null, target: string) {
  return (vsn: string) => {
    if (version && vsn !== version) {
      throw new HotupError('BUILD_FAILED', `the build made release ${vsn}, not the requested ${version}`,
        'Make the project take its version from HOTUP_VERSION (see docs/ci.md), or drop --vsn.', { host: target });
    }
  };
}

/**
 * The half of the build that needs no production host, so it runs while the
 * hosts are read: the source sent to a remote build host, and the release
 * assembled (rebar3, mix). A one-command build (Distillery, custom) needs the
 * running version, so it assembles nothing here (null).
 */
export async function assemble(ctx: CoreContext, version: string | null): Promise<Assembled | null> {
  const { app, build } = ctx.config;
  const exec = await buildExecutor(ctx);
  if (build.host !== 'local') {
    await runStep(ctx.emit, 'sync', build.host.raw, async () => {
      const src = await syncSource(ctx.config.root, exec, build.path);
      if (src.dirty) ctx.emit({ type: 'log', level: 'warn', message: 'the checkout has uncommitted changes; the build host builds the last commit without them' });
      return { value: undefined, detail: `commit ${src.commit.slice(0, 12)} checked out in ${build.path}` };
    });
  }
  if (build.tool === 'distillery' || build.tool === 'custom') return null;
  const mix = build.tool === 'mix';
  const assembled = await runStep(ctx.emit, 'build', undefined, async () => {
    const a = mix ? await assembleMixRelease(exec, build, app, buildEnv(version)) : await assembleRelease(exec, build, app, buildEnv(version));
    return { value: a, detail: `${app} ${a.vsn} assembled in ${build.path}` };
  });
  versionChecker(version, exec.target)(assembled.vsn);
  return assembled;
}

/** A CI-chosen version reaches the project's build as HOTUP_VERSION (see docs/ci.md). */
function buildEnv(version: string | null): Record<string, string> {
  return version ? { HOTUP_VERSION: version } : {};
}

/** The rest of the build, from the running version: relup and tarball (or the one-command build). */
export async function buildTarget(ctx: CoreContext, envName: string, statuses: HostStatus[], running: string, version: string | null,
  assembled: Assembled | null, oldFacts: (relDir: string) => Promise<OldFacts>): Promise<BuildOutcome> {
  const { app, build } = ctx.config;
  const exec = await buildExecutor(ctx);
  const helper = await buildHelper(ctx);

  if (!assembled) {
    // One command makes release, relup and tarball, so the running release must be there before it runs.
    await ensureRunningRelease(ctx, envName, statuses, running, exec, oneshotRelDir(build, app));
    const built = await runStep(ctx.emit, 'build', undefined, async () => {
      const b = await runOneshotBuild(exec, build, app, running, version, buildEnv(version));
      return { value: b, detail: `${app} ${b.vsn} built by ${build.tool === 'custom' ? 'the project\'s command' : `mix ${build.task}`}` };
    });
    versionChecker(version, exec.target)(built.vsn);
    return { vsn: built.vsn, built: built.vsn === running ? null : built, old: null, relDir: oneshotRelDir(build, app) };
  }

  const mix = build.tool === 'mix';
  if (assembled.vsn === running) return { vsn: assembled.vsn, built: null, old: null, relDir: assembled.relDir };
  await ensureRunningRelease(ctx, envName, statuses, running, exec, assembled.relDir);
  // Mix makes no appups: they come from the module diff, so the running release is read first.
  const old = mix ? await oldFacts(assembled.relDir) : null;
  const built = await runStep(ctx.emit, 'relup', undefined, async () => {
    if (!mix) {
      const b: BuiltRelease & { appups?: AppupUsed[] } = await makeUpgrade(exec, build, app, assembled, running);
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
  return { vsn: built.vsn, built, old, relDir: assembled.relDir };
}
