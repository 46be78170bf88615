/**
 * Fixture builds made once and shared by every test file (and by later runs):
 * an entry lives under .cache/fixtures/<name>-<key>, where the key hashes
 * everything that shapes the build's output — the fixture's files, the tool
 * versions, the recipe and the code that carries it out. Entries are built in
 * a temp dir next to the cache and renamed into place, under a lock dir, so a
 * reader never sees half an entry and two processes never build one twice.
 * Entries are shared: read them, copy them to change them.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inject } from 'vitest';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CACHE_DIR = path.resolve(HERE, '../../.cache/fixtures');
/** The modules whose code decides what a cached build holds. */
const RECIPE_SOURCES = ['fixture-cache.ts', 'fixture-build.ts', 'shop-project.ts'].map((f) => path.join(HERE, f));
/** How long a process waits for another one's build before giving up. */
const LOCK_WAIT_MS = 10 * 60_000;

/** Every file under DIR, as relative path and content, in a stable order. */
async function hashTree(hash: ReturnType<typeof createHash>, dir: string, rel = ''): Promise<void> {
  const entries = (await readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = path.join(rel, e.name);
    if (e.isDirectory()) await hashTree(hash, dir, p);
    else hash.update(`${p}\0`).update(await readFile(path.join(dir, p))).update('\0');
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** toolVersions(), asked once per run by the global setup rather than once per test file. */
    fixtureTools?: string;
  }
}

let tools: Promise<string> | undefined;
/** The toolchain's exact versions: OTP (to the patch), ERTS, rebar3, Elixir. */
export function toolVersions(): Promise<string> {
  tools ??= (async () => {
    const otp = await run('erl', ['-noshell', '-eval',
      '{ok, V} = file:read_file(filename:join([code:root_dir(), "releases", erlang:system_info(otp_release), "OTP_VERSION"])), io:put_chars(V), halt().']);
    const rebar3 = await run('rebar3', ['version']);
    const elixir = await run('elixir', ['--version']);
    return [otp.stdout, rebar3.stdout, elixir.stdout, process.platform, process.arch].join('\n');
  })();
  return tools;
}

export interface CacheRecipe {
  /**
   * Names the entry on disk. Entries made from other inputs stay (another test file may be using one
   * right now); delete .cache to clean up.
   */
  name: string;
  /** Fixture trees the build reads. */
  inputs: string[];
  /** Anything else the build depends on (options, the keys of entries it starts from). */
  params: unknown;
}

export async function cacheKey(recipe: CacheRecipe): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`${recipe.name}\0${JSON.stringify(recipe.params)}\0${inject('fixtureTools') ?? (await toolVersions())}\0`);
  for (const f of RECIPE_SOURCES) hash.update(await readFile(f));
  for (const dir of recipe.inputs) {
    hash.update(`\0${path.basename(dir)}\0`);
    await hashTree(hash, dir);
  }
  return hash.digest('hex').slice(0, 16);
}

const exists = (p: string) => stat(p).then(() => true, () => false);

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock dir, waiting while a live process holds it; a dead holder's lock is taken over. */
async function lock(lockDir: string, entry: string): Promise<boolean> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(path.join(lockDir, 'pid'), String(process.pid));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (await exists(entry)) return false;
    const holder = Number(await readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => ''));
    // A lock whose process is gone is stale; so is one left without a pid (its taker died in between).
    const age = Date.now() - ((await stat(lockDir).catch(() => null))?.mtimeMs ?? Date.now());
    if (holder > 0 ? !pidAlive(holder) : age > 30_000) await rm(lockDir, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`gave up waiting for ${lockDir} (held by pid ${holder || 'unknown'})`);
    else await new Promise((r) => setTimeout(r, 250));
  }
}

const building = new Map<string, Promise<string>>();

/**
 * The directory of the cached entry for RECIPE, made by BUILD (into an empty
 * directory it is given) when no entry has that key yet.
 */
export async function cached(recipe: CacheRecipe, build: (dir: string) => Promise<void>): Promise<string> {
  const entry = path.join(CACHE_DIR, `${recipe.name}-${await cacheKey(recipe)}`);
  let made = building.get(entry);
  if (!made) {
    made = make(entry, build);
    building.set(entry, made);
    made.catch(() => building.delete(entry));
  }
  return made;
}

async function make(entry: string, build: (dir: string) => Promise<void>): Promise<string> {
  if (await exists(entry)) return entry;
  await mkdir(CACHE_DIR, { recursive: true });
  const lockDir = `${entry}.lock`;
  if (!(await lock(lockDir, entry))) return entry;
  try {
    if (await exists(entry)) return entry;
    // Holding the lock, any temp dir of this entry is left from a build that died.
    const prefix = `${path.basename(entry)}.tmp-`;
    for (const e of await readdir(CACHE_DIR)) if (e.startsWith(prefix)) await rm(path.join(CACHE_DIR, e), { recursive: true, force: true });
    const tmp = await mkdtemp(path.join(CACHE_DIR, prefix));
    try {
      await build(tmp);
      await rename(tmp, entry);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
    return entry;
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
