/**
 * The build half of `plan`: the new release with a relup from the running
 * version and its tarball, by whichever backend the project uses.
 */
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import type { HostStatus } from '../node/discover.js';
import { assembleRelease, hasRelease, makeUpgrade, rebar3Ebins, type BuiltRelease } from '../build/rebar3.js';
import { assembleMixRelease, makeMixUpgrade } from '../build/mix.js';
import { placeAppups, readModuleCalls, type AppupPlacement, type AppupUsed } from '../build/appups.js';
import type { ReleaseFacts } from '../terms/model.js';
import { APPUP_SOURCE } from '../plan/types.js';
import { diffReleases } from '../validate/diff.js';
import { appupRules, RELUP_STOPPERS, type AppupLacking } from '../validate/appup.js';
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
  /** The running release's facts when the build needed them first (appups). */
  old: OldFacts | null;
  /** The upgraded applications the build left without an appup, and why. */
  appupsLacking: AppupLacking[];
}

export interface BuildOptions {
  /** False when a restart was asked for: no appups and no relup, the tarball alone. */
  relup: boolean;
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
  assembled: Assembled | null, oldFacts: (relDir: string) => Promise<OldFacts>, opts: BuildOptions = { relup: true }): Promise<BuildOutcome> {
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
    return { vsn: built.vsn, built: built.vsn === running ? null : built, old: null, relDir: oneshotRelDir(build, app), appupsLacking: [] };
  }

  const mix = build.tool === 'mix';
  if (assembled.vsn === running) return { vsn: assembled.vsn, built: null, old: null, relDir: assembled.relDir, appupsLacking: [] };
  if (opts.relup) await ensureRunningRelease(ctx, envName, statuses, running, exec, assembled.relDir);
  // The appups come from the module diff, so the running release is read first.
  const old = await oldFacts(assembled.relDir);
  if (mix && opts.relup && !old.facts) {
    throw new HotupError('OLD_RELEASE_MISSING', `the running release ${running} could not be read, so no appups can be generated for it`,
      'Let hotup read a host over SSH (its release root must be readable), or keep the running release in the build directory.');
  }
  const newFacts = () => buildHostFacts(helper, assembled.relDir, assembled.vsn);
  let lacking: AppupLacking[] = [];
  const built = await runStep(ctx.emit, opts.relup ? 'relup' : 'tar', undefined, async () => {
    let facts: ReleaseFacts | null = null;
    let placed: AppupPlacement | null = null;
    let stoppers: string[] = [];
    if (opts.relup && old.facts) {
      facts = await newFacts();
      placed = await placeAppups(exec, {
        projectDir: build.path, relDir: assembled.relDir, mode: build.appups,
        calls: (ebins) => readModuleCalls(exec, encoder(), ebins),
        ...(mix ? {} : { toolEbins: (a: string) => rebar3Ebins(exec, build, a) }),
      }, old.facts, facts);
      lacking = placed.lacking;
      reportAppups(ctx, placed);
      // Read again once appups were written or removed: systools is asked for a relup only when it can make one.
      if (placed.used.some((u) => u.source !== 'build') || lacking.length > 0) facts = await newFacts();
      stoppers = appupRules(diffReleases(old.facts, facts), lacking).filter((f) => RELUP_STOPPERS.has(f.rule)).map((f) => `${f.app} ${f.rule}`);
    }
    const relup = opts.relup && stoppers.length === 0;
    const b: BuiltRelease & { appups?: AppupUsed[] } = mix
      ? await makeMixUpgrade(exec, app, encoder(), assembled, running, facts ?? await newFacts(), relup)
      : await makeUpgrade(exec, build, app, assembled, running, relup);
    if (placed) b.appups = placed.used;
    const why = !opts.relup ? 'a restart was asked for' : `no relup can be made: ${[...new Set(stoppers)].join(', ')}`;
    return { value: b, detail: relup ? `${placed?.used.length ? 'appups, ' : ''}relup ${running} → ${b.vsn} and tarball made` : `tarball of ${b.vsn} made, without a relup (${why})` };
  });
  return { vsn: built.vsn, built, old, relDir: assembled.relDir, appupsLacking: lacking };
}

/** Where each upgraded application's appup came from (the plan shows a generated one in full), and which have none. */
function reportAppups(ctx: CoreContext, p: AppupPlacement): void {
  for (const a of p.used) ctx.emit({ type: 'log', level: 'info', message: `${a.app}.appup: ${APPUP_SOURCE[a.source]}` });
  for (const l of p.lacking) ctx.emit({ type: 'log', level: 'warn', message: `${l.app}.appup: none (${l.why}); the node can only be restarted into the new release` });
}
