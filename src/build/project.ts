/**
 * What kind of project a directory holds and which releases it builds, asked of the tools
 * themselves where that is cheap and changes nothing: rebar.config read as Erlang terms
 * (file:consult through the helper), mix.exs evaluated by `mix run --no-compile --no-start`.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { mixEnv, mixProjectArgv, PROJECT_LINE } from '../commands/mix.js';
import type { BuildTool } from '../config/types.js';
import { isHotupError } from '../errors.js';
import { localHelperDir, runHelper } from '../helper/run.js';
import type { Executor } from '../remote/executor.js';
import { atomOf, isAtom, textOf, type Term } from '../terms/etf.js';

export type ProjectKind = 'rebar3' | 'mix' | 'umbrella';

export interface DetectedRelease {
  name: string;
  /** null when the build computes it (rebar3's `semver`, `git`, `{cmd, …}`). */
  version: string | null;
}

export interface Project {
  kind: ProjectKind;
  tool: Extract<BuildTool, 'rebar3' | 'mix' | 'distillery'>;
  releases: DetectedRelease[];
  /** Why no release could be named, when `releases` is empty. */
  problem?: string;
}

const exists = async (p: string) => (await stat(p).catch(() => null)) !== null;

/** The project in DIR, or null when it has neither mix.exs nor rebar.config. */
export async function detectProject(dir: string, exec: Executor, profile: string): Promise<Project | null> {
  if (await exists(path.join(dir, 'mix.exs'))) return mixProject(dir, exec, profile);
  if (await exists(path.join(dir, 'rebar.config'))) return rebarProject(dir, exec);
  return null;
}

async function mixProject(dir: string, exec: Executor, profile: string): Promise<Project> {
  // Distillery keeps its configuration in rel/config.exs; a plain mix release has none.
  const tool = (await exists(path.join(dir, 'rel', 'config.exs'))) ? 'distillery' : 'mix';
  const r = await exec.run(mixProjectArgv(), { cwd: dir, env: mixEnv(profile), timeoutMs: 60_000 })
    .catch((e: unknown) => ({ code: -1, stdout: '', stderr: isHotupError(e) ? e.message : String(e) }));
  const lines = r.stdout.split('\n').filter((l) => l.startsWith(`${PROJECT_LINE}\t`)).map((l) => l.split('\t').slice(1).map((f) => (f === '-' ? null : f)));
  const app = lines.find((l) => l[0] === 'app');
  if (r.code !== 0 || !app) {
    const umbrella = (await readdir(path.join(dir, 'apps')).catch(() => [])).length > 0;
    return { kind: umbrella ? 'umbrella' : 'mix', tool, releases: [], problem: `mix could not read mix.exs: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ') || `exit ${r.code}`}` };
  }
  const [, name, version, appsPath] = app;
  const kind = appsPath ? 'umbrella' : 'mix';
  const releases = lines.filter((l) => l[0] === 'release').map(([, n, v]) => ({ name: n!, version: v ?? null }));
  if (releases.length > 0) return { kind, tool, releases };
  // Without `releases:`, `mix release` builds one release named after the app; an umbrella has no app to name it after.
  if (kind === 'umbrella' || !name) {
    return { kind, tool, releases: [], problem: 'an umbrella project builds only the releases its mix.exs defines, and it defines none (releases:)' };
  }
  return { kind, tool, releases: [{ name, version: version ?? null }] };
}

async function rebarProject(dir: string, exec: Executor): Promise<Project> {
  let terms: Term;
  try {
    terms = await runHelper(exec, localHelperDir(), 'consult', [path.join(dir, 'rebar.config')]);
  } catch (e) {
    if (!isHotupError(e)) throw e;
    return { kind: 'rebar3', tool: 'rebar3', releases: [], problem: `rebar.config could not be read: ${e.message}` };
  }
  const releases = relxReleases(terms);
  return releases.length > 0
    ? { kind: 'rebar3', tool: 'rebar3', releases }
    : { kind: 'rebar3', tool: 'rebar3', releases: [], problem: 'rebar.config has no {relx, [{release, {Name, Vsn}, Apps}]}' };
}

/** The `{release, {Name, Vsn}, …}` entries of the top-level `{relx, […]}` of rebar.config's terms. */
export function relxReleases(terms: Term): DetectedRelease[] {
  const items = (t: Term | undefined) => (t?.kind === 'list' || t?.kind === 'tuple' ? t.items : []);
  const relx = items(terms).find((t) => t.kind === 'tuple' && isAtom(t.items[0], 'relx'));
  const out: DetectedRelease[] = [];
  for (const entry of items(relx?.kind === 'tuple' ? relx.items[1] : undefined)) {
    if (entry.kind !== 'tuple' || !isAtom(entry.items[0], 'release')) continue;
    const id = entry.items[1];
    const name = id?.kind === 'tuple' ? atomOf(id.items[0]!) : undefined;
    if (!name || id?.kind !== 'tuple') continue;
    const vsn = id.items[1];
    out.push({ name, version: vsn ? (textOf(vsn) ?? null) : null });
  }
  return out;
}

/** How a detected release is shown: `shop 0.1.0`, or `shop` when the build computes its version. */
export function describeRelease(r: DetectedRelease): string {
  return r.version === null ? r.name : `${r.name} ${r.version}`;
}
