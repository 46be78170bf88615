import { isHotupError, type HotupError } from '../../src/errors.js';

/** The HotupError P fails with; anything else (success included) fails the test. */
export async function failure(p: Promise<unknown>): Promise<HotupError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!isHotupError(e)) throw new Error(`expected a HotupError, got ${e === undefined ? 'success' : String(e)}`);
  return e;
}
