/**
 * erlpack, the native term codec, loaded when first needed: an install that could not compile its
 * addon (no C++ toolchain) gets a clear error with what to install, not a stack from `bindings`.
 */
import { createRequire } from 'node:module';
import { HotupError } from '../errors.js';

export interface Erlpack {
  pack(value: unknown): Buffer;
  unpack(buf: Buffer): unknown;
}

let loaded: Erlpack | undefined;

export function erlpack(): Erlpack {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('erlpack') as Erlpack;
    return loaded;
  } catch (e) {
    throw new HotupError('ERLPACK_MISSING', `erlpack, the Erlang term codec hotup needs, cannot be loaded: ${(e as Error).message.split('\n')[0]}`,
      'Its native addon is compiled when hotup is installed, which needs python3, make and a C++ compiler (Debian: `apt-get install python3 make g++`). Install them, then reinstall hotup (`npm i -g hotup`, or `npm rebuild erlpack` in a checkout).', { untouched: true });
  }
}
