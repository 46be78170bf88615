/** Readers for the operands appup and relup instructions share. */
import { printTerm, type Term } from './etf.js';
import type { PurgeMode, SuspendTimeout } from './model.js';
import { atom, listItems, malformed, tupleItems } from './shape.js';

export function atomList(t: Term, where: string): string[] {
  return listItems(t, where).map((m) => atom(m, where));
}

export function purgeMode(t: Term, where: string): PurgeMode {
  const m = atom(t, where);
  if (m !== 'soft_purge' && m !== 'brutal_purge') throw malformed('soft_purge or brutal_purge', where, t);
  return m;
}

export function suspendTimeout(t: Term, where: string): SuspendTimeout {
  if (t.kind === 'int' && t.value > 0) return t.value;
  const a = atom(t, where);
  if (a !== 'infinity' && a !== 'default') throw malformed('a timeout (ms, default or infinity)', where, t);
  return a;
}

/** `{M, F, Args}` printed as a call. */
export function mfa(t: Term, where: string): string {
  const [m, f, a] = tupleItems(t, 3, where);
  return `${atom(m!, where)}:${atom(f!, where)}(${listItems(a!, where).map(printTerm).join(', ')})`;
}
