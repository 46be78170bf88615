/** Command line for reading which modules each beam calls, on the build host. Pure: argv only. */
import { FRAME_PREFIX } from '../terms/etf.js';
import { compactEncoder } from './mix.js';

/**
 * The modules each beam in EBINS calls (its imports chunk: every remote call),
 * read in a fresh VM on the build host and framed back as
 * [{Module, [Called]}]. For ordering generated appups: a module before the
 * modules that call it.
 */
export function moduleCallsArgv(encoderSource: string, ebins: string[]): string[] {
  const expr = [
    `HotupEnc = ${compactEncoder(encoderSource)},`,
    'HotupCalls = [{M, lists:usort([C || {C, _, _} <- Imps, C =/= M])}',
    '  || D <- init:get_plain_arguments(), B <- filelib:wildcard(filename:join(D, "*.beam")),',
    '     {ok, {M, [{imports, Imps}]}} <- [beam_lib:chunks(B, [imports])]],',
    `io:put_chars(["${FRAME_PREFIX}", base64:encode(term_to_binary(HotupEnc(HotupCalls), [{minor_version, 1}])), $\\n]),`,
    'halt(0).',
  ].join(' ');
  return ['erl', '-noshell', '-noinput', '-eval', expr, '-extra', ...ebins];
}
