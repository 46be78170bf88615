/**
 * Distillery and custom builds: one command makes the release, the relup from
 * the running version and the tarball; hotup then finds what it made.
 */
import path from 'node:path';
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import { outputTail } from '../remote/outcome.js';
import type { BuildConfig } from '../config/types.js';
import { customBuildArgv, distilleryArgv, fillPlaceholders, releasesWithTarballArgv } from '../commands/oneshot.js';
import { mixEnv, mixRelDir } from '../commands/mix.js';
import { relupPath, startErlDataPath } from '../commands/release-paths.js';
import { testFileArgv } from '../commands/files.js';
import { parseStartErlData } from '../terms/start-erl.js';
import { compareVersions } from '../validate/version.js';
import { readRemoteFile } from './remote-file.js';
import type { BuiltRelease } from './rebar3.js';

const BUILD_TIMEOUT_MS = 20 * 60_000;

/** The release directory relative to build.path, as the command (run there) sees it. */
function relativeRelDir(build: BuildConfig, app: string): string {
  return build.tool === 'custom' && build.releaseDir ? build.releaseDir : mixRelDir(build.profile, app);
}

/** Where the release lands, known before the build (the running release must be there first). */
export function oneshotRelDir(build: BuildConfig, app: string): string {
  return path.posix.join(build.path, relativeRelDir(build, app));
}

/** The version the build made: the one start_erl.data names, else the newest release with a tarball. */
export async function builtVersion(exec: Executor, relDir: string, app: string): Promise<string> {
  const startErl = await readRemoteFile(exec, startErlDataPath(relDir));
  if (startErl !== null) return parseStartErlData(startErl, startErlDataPath(relDir)).vsn;
  const listed = (await exec.run(releasesWithTarballArgv(relDir, app), { timeoutMs: 30_000 })).stdout.split('\n').filter(Boolean);
  const newest = listed.sort((a, b) => compareVersions(b, a) ?? 0)[0];
  if (!newest) {
    throw new HotupError('ARTIFACT_INVALID', `the build left no releases/<vsn>/${app}.tar.gz and no start_erl.data under ${relDir}`,
      'Check where the build puts the release (build.release_dir for a custom build).', { host: exec.target });
  }
  return newest;
}

export async function runOneshotBuild(exec: Executor, build: BuildConfig, app: string, running: string, version: string | null, extraEnv: Record<string, string> = {}): Promise<BuiltRelease> {
  const relDir = oneshotRelDir(build, app);
  const places = { upfrom: running, version, release_dir: relativeRelDir(build, app) };
  const env = { ...extraEnv, ...mixEnv(build.profile), HOTUP_UPFROM: running };
  const argv = build.tool === 'custom' ? customBuildArgv(build.command!, places) : distilleryArgv(build.task, running);
  const r = await exec.run(argv, { cwd: build.path, env, timeoutMs: BUILD_TIMEOUT_MS, watch: true });
  if (r.code !== 0) {
    throw new HotupError('BUILD_FAILED', `\`${argv.join(' ')}\` failed with exit ${r.code}:\n${outputTail(r)}`,
      'Fix the build so it succeeds when run by hand in the project directory, then run hotup again.', { host: exec.target });
  }
  const vsn = await builtVersion(exec, relDir, app);
  const tarball = build.tool === 'custom' && build.tarball
    ? path.posix.join(build.path, fillPlaceholders(build.tarball, { ...places, version: vsn }))
    : `${relDir}/releases/${vsn}/${app}.tar.gz`;
  const relup = relupPath(relDir, vsn);
  for (const [what, file] of [['tarball', tarball], ['relup', relup]] as const) {
    if (vsn !== running && (await exec.run(testFileArgv(file), { timeoutMs: 30_000 })).code !== 0) {
      throw new HotupError('ARTIFACT_INVALID', `the build made release ${vsn} but no ${what} at ${file}`,
        build.tool === 'custom' ? `Make the command produce it (from {upfrom} = ${running}), or point build.tarball at it.` : `Check that Distillery ran with --upgrade --upfrom=${running}.`,
        { host: exec.target });
    }
  }
  return { vsn, relDir, relup: vsn === running ? null : relup, tarball: vsn === running ? null : tarball };
}
