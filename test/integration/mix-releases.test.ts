/**
 * Which release hotup asks mix for, with the real mix: a project without
 * `releases:` (as `mix new --sup` makes it; the shop fixture) gets its default
 * release; one that names its releases gets the one hotup.yml names; a name
 * mix.exs does not define is an error that lists the ones it does.
 * An umbrella gets the release hotup.yml names; with no `releases:` mix
 * builds none, and hotup says what to add.
 * (Whole hot upgrades: mix.test.ts, mix-umbrella.test.ts.)
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LocalExecutor } from '../../src/remote/local.js';
import { assembleMixRelease } from '../../src/build/mix.js';
import type { BuildConfig } from '../../src/config/types.js';
import { checkoutMix, checkoutUmbrella, tempDir } from '../support/shop-project.js';

let work: string;
const exec = new LocalExecutor();

beforeAll(async () => {
  work = await tempDir('mix-releases');
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The shop fixture at DIR, with RELEASES (Elixir keyword list text) added to its project, or none. */
async function project(dir: string, releases: string | null): Promise<BuildConfig> {
  await checkoutMix(dir, 'v1');
  if (releases) {
    const file = path.join(dir, 'mix.exs');
    await writeFile(file, (await readFile(file, 'utf8')).replace('deps: []', `deps: [],\n      releases: ${releases}`));
  }
  return { host: 'local', tool: 'mix', path: dir, profile: 'prod', ssh: {} as BuildConfig['ssh'], task: 'release', appups: 'generate' };
}

test('no releases: in mix.exs: the default release, named after the app', async () => {
  const build = await project(path.join(work, 'plain'), null);
  const r = await assembleMixRelease(exec, build, 'shop_ex');
  expect(r).toEqual({ vsn: '0.1.0', relDir: path.join(build.path, '_build/prod/rel/shop_ex') });
});

test('releases named in mix.exs: the one hotup.yml names; another name lists those there are', async () => {
  const build = await project(path.join(work, 'named'), '[shop_ex: [include_executables_for: [:unix]], worker: []]');
  expect((await assembleMixRelease(exec, build, 'shop_ex')).vsn).toBe('0.1.0');
  await expect(assembleMixRelease(exec, build, 'shop')).rejects.toMatchObject({
    code: 'BUILD_FAILED',
    message: expect.stringMatching(/mix\.exs defines no release named shop: its releases: shop_ex, worker/),
    remedy: expect.stringMatching(/Set `app:` in hotup\.yml/),
  });
});

test('an umbrella: the release hotup.yml names, of the several mix.exs defines; with no releases:, what to add', async () => {
  const dir = path.join(work, 'umbrella');
  await checkoutUmbrella(dir, 'v1');
  const build: BuildConfig = { host: 'local', tool: 'mix', path: dir, profile: 'prod', ssh: {} as BuildConfig['ssh'], task: 'release', appups: 'generate' };
  expect(await assembleMixRelease(exec, build, 'shop_core_only')).toEqual({ vsn: '0.1.0', relDir: path.join(dir, '_build/prod/rel/shop_core_only') });
  const file = path.join(dir, 'mix.exs');
  await writeFile(file, (await readFile(file, 'utf8')).replace(/,\n\s*releases: \[[\s\S]*?\n      \]/, ''));
  expect(await readFile(file, 'utf8')).not.toMatch(/^\s*releases: \[/m);
  await expect(assembleMixRelease(exec, build, 'shop_all')).rejects.toMatchObject({
    code: 'BUILD_FAILED',
    message: expect.stringMatching(/mix builds no default release for an umbrella project, and its mix\.exs defines no releases:/),
    remedy: expect.stringMatching(/Add releases: to the umbrella's mix\.exs/),
  });
});
