/** The live node's facts about the modules an upgrade touches (erlang-helpers/live_facts.expr), typed. */
import { HotupError } from '../errors.js';
import { atomOf, isAtom, printTerm, textOf, type Term } from './etf.js';

export interface LiveProcess {
  pid: string;
  /** Its registered name, if any. */
  name: string | null;
  /** proc_lib's initial call (the `{M, init, 1}` of a gen_server), printed. */
  initialCall: string;
}

export interface LiveModule {
  module: string;
  /** code:which/1: a path, or non_existing, preloaded, cover_compiled. */
  loadedFrom: string;
  /** The module has old code now (from an earlier load that was never purged). */
  oldCode: boolean;
  /** Processes with the module's current code on their stack: after a load they run old code. */
  runners: LiveProcess[];
  /** Processes running its old code now. */
  oldRunners: LiveProcess[];
}

/** What running the new code_change on a copy of a live state gave. */
export type Rehearsal =
  | { kind: 'none' | 'ok' | 'no_code_change' | 'no_clause' | 'timeout' | 'heap_limit' }
  | { kind: 'crash' | 'bad_return'; detail: string }
  | { kind: 'skip'; why: string };

export interface SuspendedProcess {
  process: LiveProcess;
  /** One system-message round trip to it, in microseconds (a suspend and a resume are one each). */
  rttUs: number;
  rehearsal: Rehearsal;
}

export interface LiveFacts {
  /** code:root_dir() of the node. */
  root: string;
  /** Processes whose stacks were read, of `total`; `truncated` when the time budget or the cap stopped the scan. */
  scanned: number;
  total: number;
  truncated: boolean;
  elapsedMs: number;
  modules: LiveModule[];
  /** Per suspended module, the processes release_handler would suspend for it. */
  suspended: Array<{ module: string; processes: SuspendedProcess[] }>;
}

function bad(t: Term): HotupError {
  return new HotupError('TERM_DECODE', `the node's live facts are not in the expected shape: ${printTerm(t).slice(0, 300)}`,
    'This is a bug in hotup; please report it with the message.');
}

function field(t: Term, key: string): Term {
  if (t.kind !== 'map') throw bad(t);
  const e = t.entries.find(([k]) => isAtom(k, key));
  if (!e) throw bad(t);
  return e[1];
}

function items(t: Term): Term[] {
  if (t.kind !== 'list') throw bad(t);
  return t.items;
}

function tuple(t: Term, n: number): Term[] {
  if (t.kind !== 'tuple' || t.items.length !== n) throw bad(t);
  return t.items;
}

function str(t: Term): string {
  const s = atomOf(t) ?? textOf(t);
  if (s === undefined) throw bad(t);
  return s;
}

function int(t: Term): number {
  if (t.kind !== 'int') throw bad(t);
  return t.value;
}

function processOf(t: Term): LiveProcess {
  const [pid, name, init] = tuple(t, 3);
  return { pid: str(pid!), name: isAtom(name, 'undefined') ? null : str(name!), initialCall: str(init!) };
}

function rehearsalOf(t: Term): Rehearsal {
  if (t.kind === 'atom') {
    if (['none', 'ok', 'no_code_change', 'no_clause', 'timeout', 'heap_limit'].includes(t.name)) return { kind: t.name as 'ok' };
    throw bad(t);
  }
  const [tag, detail] = tuple(t, 2);
  const kind = atomOf(tag!);
  if (kind === 'crash' || kind === 'bad_return') return { kind, detail: str(detail!) };
  if (kind === 'skip') return { kind, why: str(detail!) };
  throw bad(t);
}

/** The node's answer to live_facts; an exception inside the evaluation is a CALL_FAILED. */
export function parseLiveFacts(t: Term): LiveFacts {
  if (t.kind === 'tuple' && isAtom(t.items[0], 'EXIT')) {
    throw new HotupError('CALL_FAILED', `reading the live facts on the node failed: ${printTerm(t.items[1]!).slice(0, 400)}`,
      'Nothing was changed on the node. Run hotup again; if it recurs, report it with this message.');
  }
  return {
    root: str(field(t, 'root')),
    scanned: int(field(t, 'scanned')),
    total: int(field(t, 'total')),
    truncated: isAtom(field(t, 'truncated'), 'true'),
    elapsedMs: int(field(t, 'elapsed_ms')),
    modules: items(field(t, 'modules')).map((m) => {
      const [mod, which, old, runners, oldRunners] = tuple(m, 5);
      return { module: str(mod!), loadedFrom: str(which!), oldCode: isAtom(old, 'true'), runners: items(runners!).map(processOf), oldRunners: items(oldRunners!).map(processOf) };
    }),
    suspended: items(field(t, 'suspended')).map((s) => {
      const [mod, procs] = tuple(s, 2);
      return {
        module: str(mod!),
        processes: items(procs!).map((p) => {
          const [proc, rtt, r] = tuple(p, 3);
          return { process: processOf(proc!), rttUs: int(rtt!), rehearsal: rehearsalOf(r!) };
        }),
      };
    }),
  };
}
