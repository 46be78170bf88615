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

/** The tarball alone, for a restart: no relup (the release is assembled again first, as `tar` does). */
export function rebar3TarArgv(t: Rebar3Target, newVsn: string): string[] {
  return ['rebar3', 'as', t.profile, 'tar', '--relname', t.app, '--relvsn', newVsn];
}

/**
 * The directories rebar3 may compile APP into, relative to the project: the
 * profile's lib/ or checkouts/ (a _checkouts dependency), or the default
 * profile's, which other profiles share dependencies from. relx copies the
 * release's lib/ from there each time it assembles it.
 */
export function rebar3AppEbins(t: Rebar3Target, app: string): string[] {
  return [...new Set([t.profile, 'default'])].flatMap((p) => [`_build/${p}/lib/${app}/ebin`, `_build/${p}/checkouts/${app}/ebin`]);
}

/** Where rebar3 assembles the release, relative to the project directory. */
export function rebar3RelDir(t: Rebar3Target): string {
  return `_build/${t.profile}/rel/${t.app}`;
}

export function rebar3TarballPath(t: Rebar3Target, newVsn: string): string {
  return `${rebar3RelDir(t)}/${t.app}-${newVsn}.tar.gz`;
}
