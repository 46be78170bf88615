/**
 * Distillery cannot be installed here (no Hex), so its side is a stand-in
 * `mix` on PATH that records how it was called and lays its output out as
 * Distillery does; hotup's command line and artifact discovery are real.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { customBuildArgv, distilleryArgv, fillPlaceholders } from '../../src/commands/oneshot.js';
import { builtVersion, oneshotRelDir, runOneshotBuild } from '../../src/build/oneshot.js';
import { LocalExecutor } from '../../src/remote/local.js';
import type { BuildConfig } from '../../src/config/types.js';

const exec = new LocalExecutor();
const ssh = { knownHosts: '/dev/null', connectTimeoutMs: 1, commandTimeoutMs: 1 };
let dir: string;
const savedPath = process.env.PATH;

function config(tool: 'distillery' | 'custom', extra: Partial<BuildConfig> = {}): BuildConfig {
  return { host: 'local', tool, path: dir, profile: 'prod', ssh, task: 'distillery.release', appups: 'generate', ...extra };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hotup-oneshot-'));
  const bin = path.join(dir, 'bin');
  await mkdir(bin);
  // Distillery 2 writes releases/<vsn>/<app>.tar.gz and releases/<vsn>/relup under _build/<env>/rel/<app>.
  await writeFile(path.join(bin, 'mix'), `#!/bin/sh
echo "$MIX_ENV $HOTUP_UPFROM $*" > "${dir}/mix-called"
rel="_build/$MIX_ENV/rel/shop_ex/releases"
mkdir -p "$rel/0.1.0" "$rel/0.2.0"
touch "$rel/0.1.0/shop_ex.tar.gz" "$rel/0.2.0/shop_ex.tar.gz" "$rel/0.2.0/relup"
`);
  await chmod(path.join(bin, 'mix'), 0o755);
  process.env.PATH = savedPath ? `${bin}:${savedPath}` : bin;
});

afterAll(async () => {
  if (savedPath === undefined) delete process.env.PATH;
  else process.env.PATH = savedPath;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('command lines', () => {
  test('Distillery 2 and 1', () => {
    expect(distilleryArgv('distillery.release', '0.1.0')).toEqual(['mix', 'distillery.release', '--upgrade', '--upfrom=0.1.0']);
    expect(distilleryArgv('release', '0.1.0')).toEqual(['mix', 'release', '--upgrade', '--upfrom=0.1.0']);
  });

  test('a custom command gets its placeholders', () => {
    const p = { upfrom: '0.1.0', version: '2024.5.010905', release_dir: 'out/rel' };
    expect(fillPlaceholders('make REL={release_dir} FROM={upfrom} V={version} {other}', p)).toBe('make REL=out/rel FROM=0.1.0 V=2024.5.010905 {other}');
    expect(fillPlaceholders('v={version}', { ...p, version: null })).toBe('v={version}');
    expect(customBuildArgv('make upgrade FROM={upfrom}', p)).toEqual(['sh', '-c', 'make upgrade FROM=0.1.0']);
  });
});

describe('Distillery artifacts', () => {
  test('the build runs as Distillery is run, and its tarball and relup are found', async () => {
    const build = config('distillery');
    const built = await runOneshotBuild(exec, build, 'shop_ex', '0.1.0', null);
    expect((await readFile(path.join(dir, 'mix-called'), 'utf8')).trim()).toBe('prod 0.1.0 distillery.release --upgrade --upfrom=0.1.0');
    const relDir = oneshotRelDir(build, 'shop_ex');
    expect(built).toEqual({
      vsn: '0.2.0',
      relDir,
      relup: `${relDir}/releases/0.2.0/relup`,
      tarball: `${relDir}/releases/0.2.0/shop_ex.tar.gz`,
    });
  });

  test('start_erl.data, when there, names the version', async () => {
    const relDir = oneshotRelDir(config('distillery'), 'shop_ex');
    await writeFile(path.join(relDir, 'releases/start_erl.data'), '13.1.5 0.1.0\n');
    expect(await builtVersion(exec, relDir, 'shop_ex')).toBe('0.1.0');
  });

  test('a missing relup is a clear error', async () => {
    const build = config('custom', { command: 'mkdir -p out/releases/0.3.0 && touch out/releases/0.3.0/x.tar.gz', releaseDir: 'out', tarball: '{release_dir}/releases/{version}/x.tar.gz' });
    await expect(runOneshotBuild(exec, build, 'x', '0.1.0', null)).rejects.toMatchObject({
      code: 'ARTIFACT_INVALID',
      message: expect.stringMatching(/made release 0\.3\.0 but no relup at .*out\/releases\/0\.3\.0\/relup/),
    });
  });
});
