/**
 * Which releases `hotup prune` removes from a host: never the running, the permanent or the previous
 * one (where a downgrade goes), and the newest KEEP of the others stay. Pure.
 */
import type { ReleasesEntry } from '../terms/model.js';
import { compareVersions } from '../validate/version.js';

export const DEFAULT_KEEP = 2;

export type KeptWhy = 'running' | 'permanent' | 'previous' | 'newest';

export interface PruneChoice {
  /** Every release that stays, with why (a release can be running and permanent). */
  kept: Array<{ vsn: string; why: KeptWhy[] }>;
  /** Oldest first. */
  remove: string[];
}

export interface Protected {
  running: string | null;
  permanent: string | null;
  previous: string | null;
}

const newestFirst = (a: string, b: string) => compareVersions(b, a) ?? b.localeCompare(a);

export function choosePrune(releases: ReleasesEntry[], p: Protected, keep: number): PruneChoice {
  const why = new Map<string, KeptWhy[]>();
  const mark = (vsn: string | null, w: KeptWhy) => {
    if (vsn && releases.some((r) => r.vsn === vsn)) why.set(vsn, [...(why.get(vsn) ?? []), w]);
  };
  mark(p.running, 'running');
  mark(p.permanent, 'permanent');
  mark(p.previous, 'previous');
  const others = releases.map((r) => r.vsn).filter((v) => !why.has(v)).sort(newestFirst);
  for (const v of others.slice(0, keep)) mark(v, 'newest');
  return {
    kept: [...why.keys()].sort(newestFirst).map((vsn) => ({ vsn, why: why.get(vsn)! })),
    remove: others.slice(keep).reverse(),
  };
}

/**
 * What removing REMOVE frees: releases/<vsn> of each, and the lib/<app-vsn> directories that no
 * release staying on the host uses (release_handler deletes exactly those).
 */
export function ownedPaths(root: string, releases: ReleasesEntry[], remove: string[]): string[] {
  const staying = new Set(releases.filter((r) => !remove.includes(r.vsn)).flatMap((r) => r.apps));
  const libs = new Set(releases.filter((r) => remove.includes(r.vsn)).flatMap((r) => r.apps).filter((a) => !staying.has(a)));
  return [...remove.map((v) => `${root}/releases/${v}`), ...[...libs].sort().map((a) => `${root}/lib/${a}`)];
}
