/**
 * Real rebar3 and mix builds of the shop fixtures, made once and shared
 * through the fixture cache. rebar3 builds go version after version in one
 * project (as a checkout moves), so every release stays under _build and a
 * relup from the one before can be made. A build is shared: read it, or take
 * a working copy of its project to change it.
 */
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { cached } from './fixture-cache.js';
import { buildMixRelease, buildRelease, buildRelup, checkout, checkoutMix, checkoutMixVariant, checkoutUmbrella, checkoutVariant, copyProject, FIXTURES } from './shop-project.js';

const run = promisify(execFile);

/** A fixture version (`v1`), or a variant's files laid over one (minus `remove`, paths in the project). */
export type ShopSource = string | { base: string; variant: string; remove?: string[] };

export interface ShopBuildOptions {
  /** Start from this build's project and _build instead of an empty project. */
  from?: ShopBuild;
  /** Make the relup from the previous release to the last one. */
  relup?: boolean;
  /** Make the last release's tarball (after the relup, so it carries it). */
  tarball?: boolean;
}

export interface ShopBuild {
  /** The cache entry's name, which also says how it was made. */
  name: string;
  /** The rebar3 project. */
  dir: string;
  /** `_build/prod/rel/shop`: a release root holding every version built. */
  relDir: string;
  /** Release versions built, oldest first (including those of `from`). */
  vsns: string[];
  /** The relup file, when asked for and systools made one. */
  relup: string | null;
  /** Why rebar3 made no relup, when asked for one. */
  relupError: string | null;
  tarball: string | null;
}

/** What a build records about itself next to its project, paths relative to the project. */
type BuildRecord = Pick<ShopBuild, 'vsns' | 'relup' | 'relupError' | 'tarball'>;

/** The release version a checked-out project builds (from its rebar.config). */
async function releaseVsn(projectDir: string): Promise<string> {
  const config = await readFile(path.join(projectDir, 'rebar.config'), 'utf8');
  const m = /\{release,\s*\{shop,\s*"([^"]+)"\}/.exec(config);
  if (!m?.[1]) throw new Error(`no shop release version in ${projectDir}/rebar.config`);
  return m[1];
}

const sourceName = (s: ShopSource) => (typeof s === 'string' ? s : `${s.base}+${s.variant}${s.remove ? `-${s.remove.length}` : ''}`);

async function makeRebar3Shop(project: string, sources: ShopSource[], opts: ShopBuildOptions): Promise<BuildRecord> {
  if (opts.from) {
    await copyProject(opts.from.dir, project);
    // rebar3's compile state names the sources of the copied project: compile afresh so no stale beam survives.
    await rm(path.join(project, '_build/prod/lib/shop'), { recursive: true, force: true });
  }
  const vsns = [...(opts.from?.vsns ?? [])];
  for (const source of sources) {
    if (typeof source === 'string') await checkout(project, source);
    else {
      await checkoutVariant(project, source.variant, source.base);
      for (const p of source.remove ?? []) await rm(path.join(project, p));
    }
    await buildRelease(project);
    vsns.push(await releaseVsn(project));
  }
  const relDir = '_build/prod/rel/shop';
  const previous = vsns.at(-2);
  const last = vsns.at(-1);
  let relup: string | null = null;
  let relupError: string | null = null;
  if (opts.relup && previous && last) {
    try {
      relup = path.relative(project, await buildRelup(project, previous, last));
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      relupError = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim() || err.message;
    }
  }
  let tarball: string | null = null;
  if (opts.tarball && last) {
    await run('rebar3', ['as', 'prod', 'tar', '--relname', 'shop', '--relvsn', last], { cwd: project, timeout: 300_000 });
    tarball = path.join(relDir, `shop-${last}.tar.gz`);
  }
  return { vsns, relup, relupError, tarball };
}

/** The rebar3 shop built from SOURCES, one after another (a shared build: copy it to change it). */
export async function buildRebar3Shop(sources: ShopSource[], opts: ShopBuildOptions = {}): Promise<ShopBuild> {
  const name = [opts.from?.name ?? 'rebar3-shop', ...sources.map(sourceName)].join('_') + (opts.relup ? '.relup' : '') + (opts.tarball ? '.tar' : '');
  const entry = await cached(
    { name, inputs: [path.join(FIXTURES, 'rebar3-shop')], params: { sources, relup: !!opts.relup, tarball: !!opts.tarball, from: opts.from?.dir ?? null } },
    async (dir) => {
      const record = await makeRebar3Shop(path.join(dir, 'project'), sources, opts);
      await writeFile(path.join(dir, 'build.json'), JSON.stringify(record));
    },
  );
  const dir = path.join(entry, 'project');
  const record = JSON.parse(await readFile(path.join(entry, 'build.json'), 'utf8')) as BuildRecord;
  const abs = (p: string | null) => (p === null ? null : path.join(dir, p));
  return { name, dir, relDir: path.join(dir, '_build/prod/rel/shop'), vsns: record.vsns, relup: abs(record.relup), relupError: record.relupError, tarball: abs(record.tarball) };
}

/** A copy of a shared build's project (sources, releases under _build) at DIR, to check out other versions in and build. */
export async function workingCopy(build: { dir: string }, dir: string): Promise<string> {
  await copyProject(build.dir, dir);
  // rebar3's compile state names the sources of the copied project: compile afresh so no stale beam survives.
  await rm(path.join(dir, '_build/prod/lib/shop'), { recursive: true, force: true });
  return dir;
}

export interface MixShopBuild {
  /** The cache entry's name, which also says how it was made. */
  name: string;
  /** The mix project, with the release under _build/prod/rel. */
  dir: string;
  /** `_build/prod/rel/shop_ex`: the release directory. */
  relDir: string;
}

/** A mix fixture version (`v1`), or a variant's files laid over one. */
export type MixShopSource = string | { base: string; variant: string };

/**
 * The mix shop at SOURCE, released with `MIX_ENV=prod mix release` (a shared
 * build: copy it to change it); over FROM's project, whose release stays
 * beside the new one under _build/prod/rel, as a checkout moving on leaves it.
 */
export async function buildMixShop(source: MixShopSource, opts: { from?: MixShopBuild } = {}): Promise<MixShopBuild> {
  const name = [opts.from?.name ?? 'mix-shop', typeof source === 'string' ? source : `${source.base}+${source.variant}`].join('_');
  const entry = await cached({ name, inputs: [path.join(FIXTURES, 'mix-shop')], params: { source, from: opts.from?.dir ?? null } }, async (dir) => {
    const project = path.join(dir, 'project');
    if (opts.from) await copyProject(opts.from.dir, project);
    if (typeof source === 'string') await checkoutMix(project, source);
    else await checkoutMixVariant(project, source.variant, source.base);
    await buildMixRelease(project, 'shop_ex');
  });
  const dir = path.join(entry, 'project');
  return { name, dir, relDir: path.join(dir, '_build/prod/rel/shop_ex') };
}

/** The umbrella fixture at VERSION with its release RELEASE built (`MIX_ENV=prod mix release RELEASE`; a shared build: copy it to change it). */
export async function buildMixUmbrella(version: string, release: string): Promise<MixShopBuild> {
  const entry = await cached({ name: `mix-umbrella_${version}_${release}`, inputs: [path.join(FIXTURES, 'mix-umbrella')], params: { version, release } }, async (dir) => {
    const project = path.join(dir, 'project');
    await checkoutUmbrella(project, version);
    await run('mix', ['release', release, '--overwrite'], { cwd: project, timeout: 300_000, env: { ...process.env, MIX_ENV: 'prod' } });
  });
  const dir = path.join(entry, 'project');
  return { name: `mix-umbrella_${version}_${release}`, dir, relDir: path.join(dir, '_build/prod/rel', release) };
}
