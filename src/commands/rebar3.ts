/** Command lines for building a relx release with rebar3. Pure: argv only. */

export interface Rebar3Target {
  app: string;
  profile: string;
}

export function rebar3ReleaseArgv(t: Rebar3Target): string[] {
  return ['rebar3', 'as', t.profile, 'release', '--relname', t.app];
}

export function rebar3RelupArgv(t: Rebar3Target, newVsn: string, upfrom: string): string[] {
  return ['rebar3', 'as', t.profile, 'relup', '--relname', t.app, '--relvsn', newVsn, '--upfrom', upfrom];
}

export function rebar3TarArgv(t: Rebar3Target, newVsn: string): string[] {
  return ['rebar3', 'as', t.profile, 'tar', '--relname', t.app, '--relvsn', newVsn];
}

/** Where rebar3 assembles the release, relative to the project directory. */
export function rebar3RelDir(t: Rebar3Target): string {
  return `_build/${t.profile}/rel/${t.app}`;
}

export function rebar3TarballPath(t: Rebar3Target, newVsn: string): string {
  return `${rebar3RelDir(t)}/${t.app}-${newVsn}.tar.gz`;
}
