/** The command that starts hotup's session helper on a production host. Pure. */

/** The session's files, installed side by side into `<root>/.hotup/session/<digest>/`; the escript last, as the prelude looks for it. */
export const SESSION_FILES = ['encode.fun', 'hotup_session.escript'];

export function sessionDir(root: string, digest: string): string {
  return `${root}/.hotup/session/${digest}`;
}

/** Exit codes of the prelude below (the helper's own are documented at its top). */
export const SESSION_EXIT = { noRoot: 64, notInstalled: 66, noEscript: 127 } as const;

/**
 * Starts the helper as the release's own start script would reach its node:
 * the running version from start_erl.data, and for a mix release the
 * RELEASE_* variables its env.sh sets (cookie, node name, distribution),
 * exported into the helper's environment, never its argv. The release's ERTS
 * runs it; a release without one uses the host's escript.
 */
const PRELUDE = [
  'cd "$1" 2>/dev/null || exit 64',
  'root=$(pwd -P)',
  'h="$root/.hotup/session/$3"',
  '[ -f "$h/hotup_session.escript" ] || exit 66',
  'read -r erts vsn < releases/start_erl.data 2>/dev/null || erts=',
  'if [ -n "$vsn" ] && [ -f releases/COOKIE ] && [ -f "releases/$vsn/env.sh" ]; then',
  '  RELEASE_ROOT="$root" RELEASE_NAME="$2" RELEASE_VSN="$vsn" RELEASE_COMMAND=rpc RELEASE_PROG="$2"',
  '  export RELEASE_ROOT RELEASE_NAME RELEASE_VSN RELEASE_COMMAND RELEASE_PROG',
  '  . "releases/$vsn/env.sh" >/dev/null 2>&1',
  '  RELEASE_COOKIE="${RELEASE_COOKIE:-$(cat releases/COOKIE)}"',
  '  RELEASE_NODE="${RELEASE_NODE:-$RELEASE_NAME}"',
  '  RELEASE_DISTRIBUTION="${RELEASE_DISTRIBUTION:-sname}"',
  '  export RELEASE_COOKIE RELEASE_NODE RELEASE_DISTRIBUTION',
  'fi',
  // A crash leaves no erl_crash.dump behind, in the release root or anywhere.
  'export ERL_CRASH_DUMP_SECONDS=0',
  'erl="$root/erts-$erts/bin/erl"',
  'boot="$root/releases/$vsn/no_dot_erlang"',
  '[ -f "$boot.boot" ] || boot="$root/releases/$vsn/start_clean"',
  // The release's own ERTS and boot file (a mix release's names $RELEASE_LIB), as escript would run it.
  'if [ -n "$erts" ] && [ -x "$erl" ] && [ -f "$boot.boot" ]; then',
  '  exec "$erl" -boot "$boot" -boot_var RELEASE_LIB "$root/lib" -noshell -hidden -dist_listen false -run escript start -extra "$h/hotup_session.escript" "$root" "$2"',
  'fi',
  'command -v escript >/dev/null 2>&1 || exit 127',
  'exec escript "$h/hotup_session.escript" "$root" "$2"',
].join('\n');

/**
 * Installs the session's files from a tar stream on stdin, in one command:
 * unpacked beside DIR, then each file renamed into DIR (atomic), so a helper
 * started meanwhile never reads half a file. Exit 4: DIR cannot be written.
 */
export function installSessionArgv(dir: string): string[] {
  return ['sh', '-c', [
    'd="$1"; shift',
    'mkdir -p "$d" || exit 4',
    't=$(mktemp -d "$d.part-XXXXXX") || exit 4',
    'tar -xf - -C "$t" || { rm -rf "$t"; exit 4; }',
    'for f in "$@"; do mv -f "$t/$f" "$d/$f" || { rm -rf "$t"; exit 4; }; done',
    'rmdir "$t"',
  ].join('\n'), 'hotup-install', dir, ...SESSION_FILES];
}

export function sessionArgv(root: string, app: string, digest: string): string[] {
  return ['sh', '-c', PRELUDE, 'hotup-session', root, app, digest];
}
