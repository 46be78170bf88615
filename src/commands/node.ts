/**
 * Expressions evaluated on a live node, and the argv that evaluates them
 * through the release's own start script. Pure: the encoder source is passed in.
 */
import { FRAME_PREFIX } from '../terms/etf.js';
import { releaseScript } from './release-paths.js';

/** How the release's start script reaches its running node. */
export type NodeFlavor = 'relx';

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
  }
}

export function pingArgv(root: string, app: string): string[] {
  return [releaseScript(root, app), 'ping'];
}

export const liveExprs = {
  whichReleases: () => 'release_handler:which_releases()',
  unpackRelease: (vsn: string, app: string) => `release_handler:unpack_release(${erlString(`${vsn}/${app}`)})`,
  checkInstallRelease: (vsn: string) => `release_handler:check_install_release(${erlString(vsn)})`,
  installRelease: (vsn: string) => `release_handler:install_release(${erlString(vsn)})`,
  makePermanent: (vsn: string) => `release_handler:make_permanent(${erlString(vsn)})`,
};
