/** Builds the target release with a relup from the running version (rebar3/relx backend). */
import path from 'node:path';
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import { outputTail } from '../remote/outcome.js';
import type { BuildConfig } from '../config/types.js';
import {
  rebar3AppEbins,
  rebar3RelDir,
  rebar3ReleaseArgv,
  rebar3RelupTarArgv,
  rebar3TarArgv,
  rebar3TarballPath,
  type Rebar3Target,
} from '../commands/rebar3.js';
import { existingDirsArgv, removeArgv } from '../commands/files.js';
import { relFilePath, relupPath, startErlDataPath } from '../commands/release-paths.js';
import { parseStartErlData } from '../terms/start-erl.js';
import { readRemoteFile } from './remote-file.js';

const BUILD_TIMEOUT_MS = 15 * 60_000;

export interface BuiltRelease {
  vsn: string;
  /** Release directory on the build host. */
  relDir: string;
  /** The relup file, when one was made. */
  relup: string | null;
  /** The tarball on the build host, when one was made. */
  tarball: string | null;
}

async function runBuildStep(exec: Executor, argv: string[], cwd: string, env: Record<string, string> = {}): Promise<void> {
  const r = await exec.run(argv, { cwd, env, timeoutMs: BUILD_TIMEOUT_MS, watch: true });
  if (r.code !== 0) {
    const tail = outputTail(r);
    throw new HotupError(
      'BUILD_FAILED',
      `\`${argv.join(' ')}\` failed with exit ${r.code} in ${cwd}:\n${tail}`,
      'Fix the build so the command succeeds when run by hand in the project directory, then run hotup again.',
      { host: exec.target },
    );
  }
}

/** `rebar3 release`, then the version it assembled (from the release's start_erl.data). */
export async function assembleRelease(exec: Executor, build: BuildConfig, app: string, env: Record<string, string> = {}): Promise<{ vsn: string; relDir: string }> {
  const target: Rebar3Target = { app, profile: build.profile };
  await runBuildStep(exec, rebar3ReleaseArgv(target), build.path, env);
  const relDir = path.posix.join(build.path, rebar3RelDir(target));
  const startErl = await readRemoteFile(exec, startErlDataPath(relDir));
  if (startErl === null) {
    throw new HotupError('BUILD_FAILED', `rebar3 made no ${startErlDataPath(relDir)}`,
      `Check that the relx release in rebar.config is named ${app}.`, { host: exec.target });
  }
  return { vsn: parseStartErlData(startErl, startErlDataPath(relDir)).vsn, relDir };
}

/** Does the build's release directory hold release VSN (its .rel), as rebar3 relup needs? */
export async function hasRelease(exec: Executor, relDir: string, vsn: string, app: string): Promise<boolean> {
  return (await readRemoteFile(exec, relFilePath(relDir, vsn, app))) !== null;
}

/**
 * Where rebar3 keeps APP's compiled ebin/, from which relx assembles the
 * release again before the relup (so an appup must be there too); null when
 * it keeps none.
 */
export async function rebar3Ebins(exec: Executor, build: BuildConfig, app: string): Promise<string[] | null> {
  const dirs = rebar3AppEbins({ app, profile: build.profile }, app).map((d) => path.posix.join(build.path, d));
  const r = await exec.run(existingDirsArgv(dirs), { timeoutMs: 30_000 });
  const found = r.stdout.split('\n').filter(Boolean);
  return found.length ? found : null;
}

/** The tarball alone, for a restart: a relup left by an earlier build of this version is removed first, so none ships. */
async function tarOnly(exec: Executor, build: BuildConfig, target: Rebar3Target, built: { vsn: string; relDir: string }): Promise<BuiltRelease> {
  await exec.run(removeArgv(relupPath(built.relDir, built.vsn)), { timeoutMs: 30_000 });
  await runBuildStep(exec, rebar3TarArgv(target, built.vsn), build.path);
  return { ...built, relup: null, tarball: path.posix.join(build.path, rebar3TarballPath(target, built.vsn)) };
}

/**
 * relup from RUNNING, then the tarball (the running release must already sit
 * under relDir); with RELUP false, the tarball alone.
 */
export async function makeUpgrade(exec: Executor, build: BuildConfig, app: string, built: { vsn: string; relDir: string }, running: string, relup = true): Promise<BuiltRelease> {
  const target: Rebar3Target = { app, profile: build.profile };
  if (!relup) return tarOnly(exec, build, target, built);
  const oldRel = relFilePath(built.relDir, running, app);
  if (!(await hasRelease(exec, built.relDir, running, app))) {
    throw new HotupError(
      'OLD_RELEASE_MISSING',
      `the build host has no copy of the running release ${running} (${oldRel} is missing) and no host's RELEASES lists it, so no relup from it can be made`,
      `Build ${running} once in ${build.path} (check out that version and run \`rebar3 as ${build.profile} release\`), then plan again.`,
      { host: exec.target },
    );
  }
  await runBuildStep(exec, rebar3RelupTarArgv(target, built.vsn, running), build.path);
  return {
    ...built,
    relup: relupPath(built.relDir, built.vsn),
    tarball: path.posix.join(build.path, rebar3TarballPath(target, built.vsn)),
  };
}
