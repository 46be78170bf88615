/**
 * Real rebar3 builds of the shop fixture, version after version in one
 * project (as a checkout moves), so every release stays under _build and a
 * relup from the one before can be made.
 */
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildRelease, buildRelup, checkout, checkoutVariant, copyProject, tempDir } from './shop-project.js';
import { newInstance, type ShopInstance } from './shop-node.js';

const run = promisify(execFile);

/** A fixture version (`v1`), or a variant's files laid over one (minus `remove`, paths in the project). */
export type ShopSource = string | { base: string; variant: string; remove?: string[] };

export interface ShopBuildOptions {
  /** Start from a copy of this build (its project and _build) instead of an empty project. */
  from?: ShopBuild;
  /** Where the project goes; a new temp dir when absent. */
  dir?: string;
  /** Node name and port baked into the release; a fresh one when absent. */
  instance?: ShopInstance;
  /** Make the relup from the previous release to the last one. */
  relup?: boolean;
  /** Make the last release's tarball (after the relup, so it carries it). */
  tarball?: boolean;
}

export interface ShopBuild {
  /** The rebar3 project. */
  dir: string;
  /** `_build/prod/rel/shop`: a release root holding every version built. */
  relDir: string;
  instance: ShopInstance;
  /** Release versions built, oldest first (including those of `from`). */
  vsns: string[];
  /** The relup file, when asked for and systools made one. */
  relup: string | null;
  /** Why rebar3 made no relup, when asked for one. */
  relupError: string | null;
  tarball: string | null;
}

/** The release version a checked-out project builds (from its rebar.config). */
async function releaseVsn(projectDir: string): Promise<string> {
  const config = await readFile(path.join(projectDir, 'rebar.config'), 'utf8');
  const m = /\{release,\s*\{shop,\s*"([^"]+)"\}/.exec(config);
  if (!m?.[1]) throw new Error(`no shop release version in ${projectDir}/rebar.config`);
  return m[1];
}

export async function buildRebar3Shop(sources: ShopSource[], opts: ShopBuildOptions = {}): Promise<ShopBuild> {
  const instance = opts.instance ?? opts.from?.instance ?? (await newInstance());
  const dir = opts.dir ?? path.join(await tempDir('shop'), 'shop');
  if (opts.from) {
    await copyProject(opts.from.dir, dir);
    // rebar3's compile state names the sources of the copied project: compile afresh so no stale beam survives.
    await rm(path.join(dir, '_build/prod/lib/shop'), { recursive: true, force: true });
  }
  const vsns = [...(opts.from?.vsns ?? [])];
  for (const source of sources) {
    if (typeof source === 'string') await checkout(dir, source, instance);
    else {
      await checkoutVariant(dir, source.variant, instance, source.base);
      for (const p of source.remove ?? []) await rm(path.join(dir, p));
    }
    await buildRelease(dir);
    vsns.push(await releaseVsn(dir));
  }
  const relDir = path.join(dir, '_build/prod/rel/shop');
  const [previous, last] = vsns.slice(-2);
  let relup: string | null = null;
  let relupError: string | null = null;
  if (opts.relup && previous && last) {
    try {
      relup = await buildRelup(dir, previous, last);
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      relupError = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim() || err.message;
    }
  }
  let tarball: string | null = null;
  if (opts.tarball && last) {
    await run('rebar3', ['as', 'prod', 'tar', '--relname', 'shop', '--relvsn', last], { cwd: dir, timeout: 300_000 });
    tarball = path.join(relDir, `shop-${last}.tar.gz`);
  }
  return { dir, relDir, instance, vsns, relup, relupError, tarball };
}
