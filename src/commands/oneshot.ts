/**
 * Build tools that make the release, its relup and its tarball in one command:
 * Distillery, and a project's own command. Pure.
 */

/** Distillery 2.x: `mix distillery.release --upgrade --upfrom=OLD`; 1.x names the task `release`. */
export function distilleryArgv(task: string, upfrom: string): string[] {
  return ['mix', task, '--upgrade', `--upfrom=${upfrom}`];
}

export interface Placeholders {
  upfrom: string;
  version: string | null;
  release_dir: string;
}

/** `{upfrom}`, `{version}`, `{release_dir}` in a configured template; an unknown one is left for the shell to show. */
export function fillPlaceholders(template: string, p: Placeholders): string {
  return template.replace(/\{(upfrom|version|release_dir)\}/g, (whole, key: keyof Placeholders) => p[key] ?? whole);
}

/** The project's own build command, through the build host's shell. */
export function customBuildArgv(command: string, p: Placeholders): string[] {
  return ['sh', '-c', fillPlaceholders(command, p)];
}

/** Lists the versions under RELDIR/releases that have APP.tar.gz (Distillery puts its tarball there). */
export function releasesWithTarballArgv(relDir: string, app: string): string[] {
  return ['sh', '-c', 'cd "$1/releases" 2>/dev/null || exit 0; for d in */; do [ -f "$d$2.tar.gz" ] && echo "${d%/}"; done; exit 0', 'hotup', relDir, app];
}
