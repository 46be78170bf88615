/** Small typed readers over `Term`, failing with a message that says where. */
import { HotupError } from '../errors.js';
import { atomOf, printTerm, textOf, type Term } from './etf.js';

export function malformed(what: string, where: string, t: Term): HotupError {
  return new HotupError('ARTIFACT_INVALID', `${where}: expected ${what}, found ${printTerm(t).slice(0, 200)}`,
    'The file is not what OTP tools write; rebuild the release (or the relup) and try again.');
}

export function tupleItems(t: Term, arity: number | null, where: string): Term[] {
  if (t.kind !== 'tuple' || (arity !== null && t.items.length !== arity)) {
    throw malformed(arity === null ? 'a tuple' : `a ${arity}-tuple`, where, t);
  }
  return t.items;
}

export function listItems(t: Term, where: string): Term[] {
  if (t.kind !== 'list') throw malformed('a list', where, t);
  return t.items;
}

export function text(t: Term, where: string): string {
  const s = textOf(t);
  if (s === undefined) throw malformed('a string', where, t);
  return s;
}

export function atom(t: Term, where: string): string {
  const a = atomOf(t);
  if (a === undefined) throw malformed('an atom', where, t);
  return a;
}

export function at<T>(items: T[], i: number): T {
  return items[i] as T;
}
