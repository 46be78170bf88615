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

/** The line mixProjectArgv prints before each of its answers. */
export const PROJECT_LINE = 'HOTUP_PROJECT';

/**
 * Asks Mix what mix.exs defines, without compiling or starting anything: one line
 * `HOTUP_PROJECT app <a> <version> <apps_path>` (empty fields as `-`), then one
 * `HOTUP_PROJECT release <name> <version>` per entry of `releases:`.
 */
export function mixProjectArgv(): string[] {
  const expr = [
    'c = Mix.Project.config()',
    'f = fn nil -> "-"; v -> to_string(v) end',
    `IO.puts(Enum.join(["${PROJECT_LINE}", "app", f.(c[:app]), f.(c[:version]), f.(c[:apps_path])], "\\t"))`,
    `for {n, o} <- c[:releases] || [], do: IO.puts(Enum.join(["${PROJECT_LINE}", "release", f.(n), f.((Keyword.keyword?(o) && o[:version]) || c[:version])], "\\t"))`,
  ].join('; ');
  return ['mix', 'run', '--no-compile', '--no-deps-check', '--no-archives-check', '--no-start', '-e', expr];
}
