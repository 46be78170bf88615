/**
 * The journal: every mutating step on a host, appended as one JSON line to a
 * file in its release root (who, when, from → to, step, result), written as
 * the step's event arrives.
 */
import os from 'node:os';
import type { Host } from './host.js';
import { journalPath, readJournalArgv } from '../commands/journal.js';
import type { Emit, HotupEvent, StepName } from '../core/events.js';

export interface JournalEntry {
  at: string;
  who: string;
  env: string;
  host: string;
  from: string | null;
  to: string | null;
  step: StepName;
  result: 'done' | 'skipped' | 'failed';
  detail?: string;
  /** What a hook printed (its last lines). */
  output?: string;
}

const MUTATING: ReadonlySet<StepName> = new Set(['replace', 'ship', 'unpack', 'install', 'make_permanent', 'set_boot', 'restart', 'rollback', 'prune', 'hook']);
/** A journal line keeps the end of a hook's output, not all of it. */
const HOOK_OUTPUT_LINES = 50;

export interface JournalHost {
  host: Host;
  from: string | null;
  to: string | null;
}

/** Wraps EMIT so that host steps that change something are journaled; `flush` waits for the writes. */
export function journaling(emit: Emit, env: string, hostOf: (host: string) => JournalHost | undefined) {
  const who = `${os.userInfo().username}@${os.hostname()}`;
  const writes: Array<Promise<unknown>> = [];
  // A hook's lines, per host, until its step ends.
  const hookOutput = new Map<string, string[]>();
  const journaled: Emit = (e: HotupEvent) => {
    emit(e);
    if (e.type === 'output' && e.source === 'hook' && e.host) {
      const lines = hookOutput.get(e.host) ?? [];
      lines.push(e.line);
      hookOutput.set(e.host, lines.slice(-HOOK_OUTPUT_LINES));
    }
    if (e.type !== 'step' || e.phase === 'start' || !e.host || !MUTATING.has(e.step)) return;
    const output = e.step === 'hook' ? hookOutput.get(e.host)?.join('\n') : undefined;
    if (e.step === 'hook') hookOutput.delete(e.host);
    const h = hostOf(e.host);
    if (!h) return;
    const entry: JournalEntry = {
      at: new Date().toISOString(),
      who,
      env,
      host: e.host,
      from: h.from,
      to: h.to,
      step: e.step,
      result: e.phase === 'fail' ? 'failed' : e.phase === 'skip' ? 'skipped' : 'done',
      ...(e.phase === 'fail' ? { detail: e.error.message } : e.detail ? { detail: e.detail } : {}),
      ...(output ? { output } : {}),
    };
    // A journal that cannot be written must not fail the deploy it records.
    writes.push(h.host.append(journalPath(h.host.root), `${JSON.stringify(entry)}\n`).catch(() => undefined));
  };
  return { emit: journaled, flush: () => Promise.all(writes) };
}

export async function readJournal(host: Host, last: number): Promise<JournalEntry[]> {
  const r = await host.run(readJournalArgv(host.root, last), { timeoutMs: 30_000 });
  return r.stdout.split('\n').filter(Boolean).flatMap((l) => {
    try {
      return [JSON.parse(l) as JournalEntry];
    } catch {
      return [];
    }
  });
}
