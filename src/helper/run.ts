/** Runs erlang-helpers/hotup_helper.escript and returns its one result term. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import { helperArgv } from '../commands/helper.js';
import { LAUNCH_EXIT } from '../commands/session.js';
import { decodeFramed, printTerm, textOf, type Term } from '../terms/etf.js';

/** Exit codes of hotup_helper.escript (documented at its top). */
export const HELPER_EXIT = { ok: 0, unexpected: 1, usage: 2, fileMissing: 3, badTerm: 4, notARelease: 5 } as const;

/** Where the helper runs: a machine with Erlang (this one, or the build host) and the helper's directory there. */
export interface HelperHost {
  exec: Executor;
  dir: string;
}

/** erlang-helpers/ of this package: two levels up from both src/helper and dist/helper. */
export function localHelperDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../erlang-helpers');
}

/** The Detail of a framed `{error, Class, Detail}`, else whatever the helper printed. */
function detailOf(result: Term | undefined, stdout: string, stderr: string): string {
  if (result?.kind === 'tuple' && result.items.length === 3) {
    const d = result.items[2]!;
    return textOf(d) ?? printTerm(d);
  }
  if (result) return printTerm(result);
  return `${stdout}${stderr}`.trim().slice(0, 400) || 'no output';
}

/** The Class the helper names a failure by, from its exit code (documented at its top). */
const CLASS_OF_EXIT: Record<number, string> = {
  [HELPER_EXIT.unexpected]: 'unexpected',
  [HELPER_EXIT.usage]: 'usage',
  [HELPER_EXIT.fileMissing]: 'file_missing',
  [HELPER_EXIT.badTerm]: 'bad_term',
  [HELPER_EXIT.notARelease]: 'not_a_release',
};

/**
 * The error for a helper failure of class CLS, whether it ended the helper
 * (its exit code) or is one part of its answer (`{error, Class, Detail}`).
 */
export function helperError(command: string, cls: string, detail: string, host: string): HotupError {
  const opts = { host };
  switch (cls) {
    case 'file_missing':
      return new HotupError('ARTIFACT_INVALID', `a file hotup needs is missing or unreadable: ${detail}`,
        'Check the path, its permissions, and that the release has all its files; rebuild it if not.', opts);
    case 'bad_term':
      return new HotupError('ARTIFACT_INVALID', `not a valid Erlang term file: ${detail}`,
        'The file is truncated or corrupt; make it again with the OTP tools (rebar3 relup, systools).', opts);
    case 'not_a_release':
      return new HotupError('ARTIFACT_INVALID', `not a release: ${detail}`,
        'Point hotup at a release root or tarball made by rebar3, mix release or systools.', opts);
    case 'usage':
      return new HotupError('HELPER_FAILED', `the Erlang helper does not know \`${command}\`: ${detail}`,
        'The helper is from another hotup version; reinstall hotup.', opts);
    case 'unexpected':
      return new HotupError('HELPER_FAILED', `the Erlang helper (${command}) crashed: ${detail}`,
        'This is a bug in hotup; please report it with this message.', opts);
    default:
      return new HotupError('HELPER_FAILED', `the Erlang helper (${command}) failed with ${cls}: ${detail}`,
        'Check that Erlang/OTP (escript) is installed and on PATH where the helper runs.', opts);
  }
}

export async function runHelper(
  exec: Executor,
  helperDir: string,
  command: string,
  args: string[],
  opts: { stdin?: string; timeoutMs?: number } = {},
): Promise<Term> {
  return runHelperArgv(exec, helperArgv(helperDir, command, args), command, opts);
}

/** The host lacks this version of the helpers (the launcher's exit 66): install them, then run again. */
export class HelperNotInstalled extends Error {}

/** Runs ARGV, which starts the helper's COMMAND (directly, or through the host launcher of commands/session.ts). */
export async function runHelperArgv(exec: Executor, argv: string[], command: string, opts: { stdin?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<Term> {
  const r = await exec.run(argv, {
    timeoutMs: opts.timeoutMs ?? 120_000,
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
  });
  const result = decodeFramed(r.stdout);
  if (r.code === HELPER_EXIT.ok && result) return result;
  if (r.code === HELPER_EXIT.ok) {
    throw new HotupError('HELPER_FAILED', `the Erlang helper (${command}) printed no result: ${detailOf(undefined, r.stdout, r.stderr)}`,
      'Check that hotup_helper.escript and encode.fun come from this hotup version (reinstall hotup).', { host: exec.target });
  }
  if (r.code === LAUNCH_EXIT.notInstalled) throw new HelperNotInstalled(command);
  throw launchFailure(r.code, exec.target) ?? helperError(command, CLASS_OF_EXIT[r.code] ?? `exit ${r.code}`, detailOf(result, r.stdout, r.stderr), exec.target);
}

/** What the host launcher's own exit code CODE says (see commands/session.ts), if it is one of them. */
export function launchFailure(code: number, host: string): HotupError | undefined {
  switch (code) {
    case LAUNCH_EXIT.noRoot:
      return new HotupError('NOT_A_RELEASE', 'the release root does not exist on the host', 'Check deploy_to for this environment.', { host });
    case LAUNCH_EXIT.noEscript:
      return new HotupError('HELPER_FAILED', 'cannot run hotup\'s helpers: the release has no erts-*/bin/erl and the host has no escript on PATH',
        'Ship the release with its ERTS (include_erts, the default of rebar3 prod and mix releases), or install Erlang on the host.', { host });
    default:
      return undefined;
  }
}
