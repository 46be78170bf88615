/** Reading the helper's maps (atom keys) with typed accessors. */
import { atomOf, type Term } from './etf.js';
import { malformed } from './shape.js';

export function field(t: Term, key: string, where: string): Term {
  if (t.kind !== 'map') throw malformed('a map', where, t);
  const entry = t.entries.find(([k]) => atomOf(k) === key);
  if (!entry) throw malformed(`a map with key ${key}`, where, t);
  return entry[1];
}

export function flag(t: Term, key: string, where: string): boolean {
  const v = atomOf(field(t, key, where));
  if (v !== 'true' && v !== 'false') throw malformed('true or false', `${where} ${key}`, t);
  return v === 'true';
}
