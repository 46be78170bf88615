/** Command lines for plain `mix release` builds, and for what Mix does not make: the relup. Pure. */
import { FRAME_PREFIX } from '../terms/etf.js';

/** `mix release NAME`; without NAME, the project's default release (a project with no `releases:` has only that one, named after its app). */
export function mixReleaseArgv(app: string | null): string[] {
  return ['mix', 'release', ...(app ? [app] : []), '--overwrite'];
}

/** What `mix release NAME` says when mix.exs defines releases and NAME is not one: the names it has (empty when it defines none). */
export function unknownRelease(output: string): string[] | null {
  const m = /Unknown release :?"?([\w.]+)"?\. The available releases are: \[([^\]]*)\]/.exec(output);
  if (!m) return null;
  return m[2]!.split(',').map((x) => x.trim().replace(/^:/, '')).filter(Boolean);
}

/** Whether mix refused to build a default release because the project is an umbrella with no `releases:`. */
export function umbrellaWithoutReleases(output: string): boolean {
  return output.includes('Umbrella projects require releases to be explicitly defined');
}

/** MIX_ENV selects the build profile, as `rebar3 as <profile>` does. */
export function mixEnv(profile: string): Record<string, string> {
  return { MIX_ENV: profile };
}

export function mixRelDir(profile: string, app: string): string {
  return `_build/${profile}/rel/${app}`;
}

/** Where a project's own appup for APP lives; it wins over the one hotup generates. */
export function userAppupPath(projectDir: string, app: string): string {
  return `${projectDir}/rel/appups/${app}.appup`;
}

/** encode.fun as one line for an `-eval`: its `%` comments dropped, whitespace folded. */
export function compactEncoder(encoderSource: string): string {
  return encoderSource
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('%'))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * systools:make_relup in a fresh VM on the build host, from release OLD to NEW
 * under ROOT, with every lib/*\/ebin of ROOT on the path. Paths travel as plain
 * arguments (-extra), so any directory name works; the result comes back framed.
 */
export function makeRelupArgv(encoderSource: string, root: string, name: string, newVsn: string, oldVsn: string): string[] {
  const expr = [
    '[Root, Name, New, Old] = init:get_plain_arguments(),',
    'Rel = fun(V) -> filename:join([Root, "releases", V, Name]) end,',
    `HotupEnc = ${compactEncoder(encoderSource)},`,
    'HotupRes = (catch systools:make_relup(Rel(New), [Rel(Old)], [Rel(Old)],',
    '  [{path, filelib:wildcard(filename:join([Root, "lib", "*", "ebin"]))}, {outdir, filename:join([Root, "releases", New])}, silent])),',
    `io:put_chars(["${FRAME_PREFIX}", base64:encode(term_to_binary(HotupEnc(HotupRes), [{minor_version, 1}])), $\\n]),`,
    'halt(0).',
  ].join(' ');
  return ['erl', '-noshell', '-noinput', '-eval', expr, '-extra', root, name, newVsn, oldVsn];
}

/** Writes stdin to PATH (a file on the build host). */
export function writeFileArgv(path: string): string[] {
  return ['sh', '-c', 'cat > "$1"', 'hotup', path];
}
