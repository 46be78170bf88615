/** Runs erlang-helpers/hotup_helper.escript and returns its one typed result. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import { helperArgv } from '../commands/helper.js';
import { decodeFramed, printTerm, type Term } from '../terms/etf.js';

/** Exit codes of hotup_helper.escript (documented at its top). */
export const HELPER_EXIT = { ok: 0, unexpected: 1, usage: 2, fileMissing: 3, badTerm: 4, notARelease: 5 } as const;

/** erlang-helpers/ of this package; the same two levels up from src/release and dist/release. */
export function localHelperDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../erlang-helpers');
}

function detailOf(t: Term | undefined): string {
  if (t?.kind === 'tuple' && t.items.length === 3) return printTerm(t.items[2]!).replace(/^<<"(.*)">>$/s, '$1');
  return t ? printTerm(t) : 'no result';
}

export async function runHelper(
  exec: Executor,
  helperDir: string,
  command: string,
  args: string[],
  opts: { stdin?: string; timeoutMs?: number; escript?: string } = {},
): Promise<Term> {
  const r = await exec.run(helperArgv(helperDir, command, args, opts.escript), {
    timeoutMs: opts.timeoutMs ?? 120_000,
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
  });
  const result = decodeFramed(r.stdout);
  if (r.code === HELPER_EXIT.ok && result) return result;
  const detail = result ? detailOf(result) : `${r.stdout}${r.stderr}`.trim().slice(0, 400) || 'no output';
  switch (r.code) {
    case HELPER_EXIT.fileMissing:
      throw new HotupError('ARTIFACT_INVALID', `a file hotup needs is missing: ${detail}`,
        'Rebuild the release so that it has all its files, then run again.', { host: exec.target });
    case HELPER_EXIT.badTerm:
      throw new HotupError('ARTIFACT_INVALID', `not a valid Erlang term file: ${detail}`,
        'The file is truncated or corrupt; rebuild it with the OTP tools (rebar3 relup, systools).', { host: exec.target });
    case HELPER_EXIT.notARelease:
      throw new HotupError('ARTIFACT_INVALID', `not a release: ${detail}`,
        'Point hotup at a release directory or tarball made by rebar3, mix release or systools.', { host: exec.target });
    default:
      throw new HotupError('HELPER_FAILED', `the Erlang helper (${command}) failed with exit ${r.code}: ${detail}`,
        'Check that Erlang/OTP (escript) is installed on the build host and on PATH.', { host: exec.target });
  }
}
