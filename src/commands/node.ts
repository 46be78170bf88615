/**
 * Expressions evaluated on a live node, and the argv that evaluates them
 * through the release's own start script. Pure: the encoder source is passed in.
 */
import { FRAME_PREFIX } from '../terms/etf.js';
import { releaseScript } from './release-paths.js';

/** How the release's start script reaches its running node: relx's `eval` (Erlang), or Mix's `rpc` (Elixir). */
export type NodeFlavor = 'relx' | 'mix';

const SAFE_LITERAL = /^[A-Za-z0-9._+\-/]+$/;

/**
 * An Erlang string literal for a name or version. Anything outside a plain
 * alphabet is refused: relx's script passes the expression through `echo`,
 * which would mangle backslashes.
 */
export function erlString(s: string): string {
  if (!SAFE_LITERAL.test(s)) throw new Error(`refusing to embed ${JSON.stringify(s)} in an Erlang expression`);
  return `"${s}"`;
}

/** encode.fun as one line: its `%` comments dropped, whitespace folded. */
export function compactEncoder(encoderSource: string): string {
  return encoderSource
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('%'))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Wraps BODY so its value (or the exception it raised, as `{'EXIT', Reason}`)
 * comes back as one framed, typed term, whatever the script prints around it.
 */
export function framedExpr(encoderSource: string, body: string): string {
  return (
    `HotupEnc = ${compactEncoder(encoderSource)}, ` +
    `HotupRes = (catch (${body})), ` +
    `"${FRAME_PREFIX}" ++ binary_to_list(base64:encode(term_to_binary(HotupEnc(HotupRes), [{minor_version, 1}]))).`
  );
}

export function nodeEvalArgv(root: string, app: string, flavor: NodeFlavor, expr: string): string[] {
  if (expr.includes('\\')) throw new Error('an expression for the live node must not contain backslashes');
  switch (flavor) {
    case 'relx':
      return [releaseScript(root, app), 'eval', expr];
    case 'mix':
      // Mix's rpc takes Elixir: it hands our Erlang text, verbatim in a ~S heredoc, to erl_eval.
      if (expr.includes(HEREDOC)) throw new Error(`an expression for a mix node must not contain ${HEREDOC}`);
      return [releaseScript(root, app), 'rpc', [
        `{:ok, t, _} = :erl_scan.string(String.to_charlist(~S${HEREDOC}`,
        expr,
        `${HEREDOC}))`,
        '{:ok, es} = :erl_parse.parse_exprs(t)',
        '{:value, v, _} = :erl_eval.exprs(es, :erl_eval.new_bindings())',
        'IO.puts(v)',
      ].join('\n')];
  }
}

/** Elixir's heredoc delimiter: three double quotes. */
const HEREDOC = '"'.repeat(3);

/** Exits 0 when the node answers: relx has `ping`, Mix has `pid`. */
export function pingArgv(root: string, app: string, flavor: NodeFlavor): string[] {
  return [releaseScript(root, app), flavor === 'mix' ? 'pid' : 'ping'];
}

export const liveExprs = {
  whichReleases: () => 'release_handler:which_releases()',
  unpackRelease: (vsn: string, app: string) => `release_handler:unpack_release(${erlString(`${vsn}/${app}`)})`,
  checkInstallRelease: (vsn: string) => `release_handler:check_install_release(${erlString(vsn)})`,
  installRelease: (vsn: string) => `release_handler:install_release(${erlString(vsn)})`,
  makePermanent: (vsn: string) => `release_handler:make_permanent(${erlString(vsn)})`,
  /**
   * A plain mix release has no releases/RELEASES: make one for the running
   * release VSN, then restart release_handler (in sasl_sup) so it reads it.
   */
  createReleases: (vsn: string, app: string) =>
    `begin HotupRoot = code:root_dir(), ` +
    `HotupMade = release_handler:create_RELEASES(HotupRoot, filename:join(HotupRoot, "releases"), filename:join([HotupRoot, "releases", ${erlString(vsn)}, ${erlString(`${app}.rel`)}]), []), ` +
    `ok = supervisor:terminate_child(sasl_sup, release_handler), {ok, _} = supervisor:restart_child(sasl_sup, release_handler), HotupMade end`,
};
