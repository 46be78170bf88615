/**
 * After install: is the new release's code really what the node runs? Read
 * back from the node, module by module, for the applications the upgrade
 * changed. A report of success is made only from this reading.
 */
import { HotupError } from '../errors.js';
import { atomOf, printTerm, textOf, type Term } from '../terms/etf.js';
import type { Host } from '../host/host.js';

export interface CodeProblem {
  kind: 'stale' | 'not_loaded' | 'shadowed' | 'old_code';
  module: string;
  detail: string;
}

export interface CodeReading {
  checked: number;
  problems: CodeProblem[];
}

const KINDS = new Set<CodeProblem['kind']>(['stale', 'not_loaded', 'shadowed', 'old_code']);

export function parseCodeReading(t: Term): CodeReading {
  const bad = () => new HotupError('TERM_DECODE', `the node's reading of its code is not {Checked, Problems}: ${printTerm(t).slice(0, 300)}`,
    'This is a bug in hotup; please report it with the message.');
  if (t.kind !== 'tuple' || t.items.length !== 2) throw bad();
  const [first, list] = t.items as [Term, Term];
  if (atomOf(first) === 'EXIT') {
    throw new HotupError('CALL_FAILED', `reading the node's loaded code failed: ${printTerm(list)}`,
      'Run `hotup status`: the release is installed, but its code could not be checked.');
  }
  if (first.kind !== 'int' || list.kind !== 'list') throw bad();
  const problems = list.items.map((p): CodeProblem => {
    if (p.kind !== 'tuple' || p.items.length !== 3) throw bad();
    const kind = atomOf(p.items[0]!) as CodeProblem['kind'] | undefined;
    const module = atomOf(p.items[1]!);
    if (!kind || !KINDS.has(kind) || !module) throw bad();
    const d = p.items[2]!;
    return { kind, module, detail: textOf(d) ?? printTerm(d) };
  });
  return { checked: first.value, problems };
}

/** Reads the node's code for VSN (upgraded from FROM). */
export async function readCode(host: Host, vsn: string, from: string): Promise<CodeReading> {
  return parseCodeReading(await host.call({ op: 'verify_code', vsn, from }, 60_000));
}

/** The problems that mean VSN's code is not live: any module stale, not loaded (embedded mode) or shadowed. */
export function notLive(r: CodeReading): CodeProblem[] {
  return r.problems.filter((p) => p.kind !== 'old_code');
}

export function describeProblem(p: CodeProblem): string {
  switch (p.kind) {
    case 'stale':
      return `${p.module} runs other bytes than the release's beam (loaded from ${p.detail})`;
    case 'not_loaded':
      return `${p.module} is not loaded, and the node (embedded mode) will not load it on demand: calls to it fail`;
    case 'shadowed':
      return `${p.module} is not loaded and the code path finds it at ${p.detail}, not in the release`;
    case 'old_code':
      return `${p.module}: ${p.detail} process(es) still run its old code (the next load of ${p.module} kills them)`;
  }
}
