/**
 * The plain `mix release` backend. Mix makes no appups, no relup and no
 * release tarball; hotup makes all three: the appups (placed by appups.ts
 * before this runs), the relup with systools, and a tarball
 * holding the whole releases/<vsn>/ (env.sh, vm.args, consolidated/…) and the
 * lib/ directories of the release.
 */
import path from 'node:path';
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import { outputTail } from '../remote/outcome.js';
import type { BuildConfig } from '../config/types.js';
import { makeRelupArgv, mixEnv, mixRelDir, mixReleaseArgv, umbrellaWithoutReleases, unknownRelease } from '../commands/mix.js';
import { packArgv } from '../commands/archive.js';
import { removeArgv } from '../commands/files.js';
import { relupPath, startErlDataPath } from '../commands/release-paths.js';
import { decodeFramed, printTerm } from '../terms/etf.js';
import { parseStartErlData } from '../terms/start-erl.js';
import type { ReleaseFacts } from '../terms/model.js';
import { readRemoteFile } from './remote-file.js';
import type { BuiltRelease } from './rebar3.js';

const BUILD_TIMEOUT_MS = 15 * 60_000;

function buildFailed(exec: Executor, what: string, detail: string, remedy: string): HotupError {
  return new HotupError('BUILD_FAILED', `${what}: ${detail}`, remedy, { host: exec.target });
}

export async function assembleMixRelease(exec: Executor, build: BuildConfig, app: string, env: Record<string, string> = {}): Promise<{ vsn: string; relDir: string }> {
  const release = (name: string | null) => exec.run(mixReleaseArgv(name), { cwd: build.path, env: { ...env, ...mixEnv(build.profile) }, timeoutMs: BUILD_TIMEOUT_MS, watch: true });
  let r = await release(app);
  const known = r.code === 0 ? null : unknownRelease(`${r.stdout}\n${r.stderr}`);
  // A project with no `releases:` in mix.exs (as `mix new` makes it) has one release, named after its app.
  if (known?.length === 0) r = await release(null);
  else if (known) {
    throw buildFailed(exec, `mix.exs defines no release named ${app}`, `its releases: ${known.join(', ')}`,
      `Set \`app:\` in hotup.yml to the release to deploy (one of: ${known.join(', ')}).`);
  }
  if (r.code !== 0 && umbrellaWithoutReleases(`${r.stdout}\n${r.stderr}`)) {
    throw buildFailed(exec, 'mix builds no default release for an umbrella project, and its mix.exs defines no releases:',
      'mix release: "Umbrella projects require releases to be explicitly defined"',
      `Add releases: to the umbrella's mix.exs, e.g. releases: [${app}: [applications: [child_app: :permanent, …]]], with app: ${app} in hotup.yml.`);
  }
  if (r.code !== 0) {
    throw buildFailed(exec, `\`MIX_ENV=${build.profile} mix release${known ? '' : ` ${app}`}\` failed with exit ${r.code}`,
      outputTail(r),
      'Fix the build so it succeeds when run by hand in the project directory, then run hotup again.');
  }
  const relDir = path.posix.join(build.path, mixRelDir(build.profile, app));
  const text = await readRemoteFile(exec, startErlDataPath(relDir));
  if (text === null) {
    throw buildFailed(exec, 'mix release made no releases/start_erl.data', relDir,
      known ? `The project's default release is named after its Mix application: set \`app:\` in hotup.yml to that name (see ${path.posix.dirname(relDir)}).` : `Check that the release in mix.exs is named ${app}.`);
  }
  return { vsn: parseStartErlData(text, startErlDataPath(relDir)).vsn, relDir };
}

export async function makeMixUpgrade(
  exec: Executor,
  app: string,
  encoder: string,
  built: { vsn: string; relDir: string },
  running: string,
  newFacts: ReleaseFacts,
  relup: boolean,
): Promise<BuiltRelease> {
  if (relup) await makeRelup(exec, app, encoder, built, running);
  // A restart ships no relup: not one left by an earlier build of this version either.
  else await exec.run(removeArgv(relupPath(built.relDir, built.vsn)), { timeoutMs: 30_000 });
  const tarball = `${built.relDir}/${app}-${built.vsn}.tar.gz`;
  const libs = newFacts.apps.map((a) => `lib/${a.name}-${a.vsn}`);
  const packed = await exec.run(packArgv(built.relDir, tarball, [`releases/${built.vsn}`, ...libs]), { timeoutMs: BUILD_TIMEOUT_MS });
  if (packed.code !== 0) throw buildFailed(exec, 'packing the release tarball failed', packed.stderr.trim(), 'Check free disk space in the build directory.');
  return { ...built, relup: relup ? relupPath(built.relDir, built.vsn) : null, tarball };
}

async function makeRelup(exec: Executor, app: string, encoder: string, built: { vsn: string; relDir: string }, running: string): Promise<void> {
  const r = await exec.run(makeRelupArgv(encoder, built.relDir, app, built.vsn, running), { timeoutMs: BUILD_TIMEOUT_MS });
  const result = decodeFramed(r.stdout);
  const ok = result?.kind === 'tuple' && result.items[0]?.kind === 'atom' && result.items[0].name === 'ok';
  if (r.code !== 0 || !ok) {
    throw buildFailed(exec, `systools:make_relup from ${running} to ${built.vsn} failed`,
      result ? printTerm(result) : `${r.stdout}${r.stderr}`.trim().slice(-600),
      'Check the appups (rel/appups/<app>.appup in the project, or the generated ones the plan shows).');
  }
}
