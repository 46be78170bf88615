/** Command lines for building a relx release with rebar3. Pure: argv only. */

export interface Rebar3Target {
  app: string;
  profile: string;
}

export function rebar3ReleaseArgv(t: Rebar3Target): string[] {
  return ['rebar3', 'as', t.profile, 'release', '--relname', t.app];
}

/**
 * relup from UPFROM, then the tarball that carries it, in one rebar3 run
 * (`do`): one VM boot and one compile check instead of two. rebar3's `do`
 * ends a task's arguments with a comma on its last word.
 */
export function rebar3RelupTarArgv(t: Rebar3Target, newVsn: string, upfrom: string): string[] {
  return ['rebar3', 'as', t.profile, 'do',
    'relup', '--relname', t.app, '--relvsn', newVsn, '--upfrom', `${upfrom},`,
    'tar', '--relname', t.app, '--relvsn', newVsn];
}

/** Where rebar3 assembles the release, relative to the project directory. */
export function rebar3RelDir(t: Rebar3Target): string {
  return `_build/${t.profile}/rel/${t.app}`;
}

export function rebar3TarballPath(t: Rebar3Target, newVsn: string): string {
  return `${rebar3RelDir(t)}/${t.app}-${newVsn}.tar.gz`;
}
