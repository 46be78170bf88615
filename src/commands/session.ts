/** The commands that install and start hotup's Erlang helpers on a production host. Pure. */

/** The helpers' files, installed side by side into `<root>/.hotup/helpers/<digest>/`; the session's escript last, as the prelude looks for it. */
export const HOST_FILES = ['encode.fun', 'hotup_beam.erl', 'hotup_helper.escript', 'hotup_session.escript', 'live_facts.expr'];

export function helpersDir(root: string, digest: string): string {
  return `${root}/.hotup/helpers/${digest}`;
}

/** Exit codes of the prelude below (the helpers' own are documented at their tops). */
export const LAUNCH_EXIT = { noRoot: 64, notInstalled: 66, noEscript: 127 } as const;

/**
 * Runs one of the helpers as the release's own start script would reach its
 * node: the running version from start_erl.data, and for a mix release the
 * RELEASE_* variables its env.sh sets (cookie, node name, distribution),
 * exported into the helper's environment, never its argv (HOTUP_RELEASE_VSN
 * picks another release's env.sh). The release's ERTS
 * and boot file run it (a mix boot file names $RELEASE_LIB); a release
 * without its ERTS uses the host's escript.
 * Arguments: ROOT APP HELPERS_DIR SCRIPT ARGS…
 */
const PRELUDE = [
  'cd "$1" 2>/dev/null || exit 64',
  'root=$(pwd -P); app="$2"; h="$3"; script="$4"; shift 4',
  '[ -f "$h/hotup_session.escript" ] || exit 66',
  // read fails at a last line without a newline (as relx and mix write it), yet sets the variables.
  'erts=; vsn=; if [ -f releases/start_erl.data ]; then read -r erts vsn < releases/start_erl.data || :; fi',
  // The release whose env.sh applies: the running one, unless the caller names another (runtime-config evaluates a new one's).
  'rvsn="${HOTUP_RELEASE_VSN:-$vsn}"',
  'if [ -n "$rvsn" ] && [ -f releases/COOKIE ] && [ -f "releases/$rvsn/env.sh" ]; then',
  '  RELEASE_ROOT="$root" RELEASE_NAME="$app" RELEASE_VSN="$rvsn" RELEASE_COMMAND=rpc RELEASE_PROG="$app"',
  '  export RELEASE_ROOT RELEASE_NAME RELEASE_VSN RELEASE_COMMAND RELEASE_PROG',
  '  . "releases/$rvsn/env.sh" >/dev/null 2>&1',
  '  RELEASE_COOKIE="${RELEASE_COOKIE:-$(cat releases/COOKIE)}"',
  '  RELEASE_NODE="${RELEASE_NODE:-$RELEASE_NAME}"',
  '  RELEASE_DISTRIBUTION="${RELEASE_DISTRIBUTION:-sname}"',
  '  export RELEASE_COOKIE RELEASE_NODE RELEASE_DISTRIBUTION',
  // The cookie is known: distribution must not read, nor create, the deploy user's ~/.erlang.cookie.
  '  ERL_FLAGS="${ERL_FLAGS:-} -nocookie"; export ERL_FLAGS',
  'fi',
  // A crash leaves no erl_crash.dump behind, in the release root or anywhere; the helper's compiled
  // twin is cached under deploy_to/.hotup, not in the deploy user's home.
  'export ERL_CRASH_DUMP_SECONDS=0 XDG_CACHE_HOME="$root/.hotup/cache"',
  'erl="$root/erts-$erts/bin/erl"',
  'boot="$root/releases/$vsn/no_dot_erlang"',
  '[ -f "$boot.boot" ] || boot="$root/releases/$vsn/start_clean"',
  'if [ -n "$erts" ] && [ -x "$erl" ] && [ -f "$boot.boot" ]; then',
  '  exec "$erl" -boot "$boot" -boot_var RELEASE_LIB "$root/lib" -noshell -hidden -dist_listen false -run escript start -extra "$h/$script" "$@"',
  'fi',
  'command -v escript >/dev/null 2>&1 || exit 127',
  'exec escript "$h/$script" "$@"',
].join('\n');

function launchArgv(root: string, app: string, digest: string, script: string, args: string[]): string[] {
  return ['sh', '-c', PRELUDE, 'hotup-helper', root, app, helpersDir(root, digest), script, ...args];
}

/** The session helper: one per host per command, talking to the node (see erlang-helpers/hotup_session.escript). */
export function sessionArgv(root: string, app: string, digest: string): string[] {
  return launchArgv(root, app, digest, 'hotup_session.escript', [root, app]);
}

/** A command of erlang-helpers/hotup_helper.escript (facts, set-boot) run on the host with the release's ERTS. */
export function hostHelperArgv(root: string, app: string, digest: string, command: string, args: string[]): string[] {
  return launchArgv(root, app, digest, 'hotup_helper.escript', [command, ...args]);
}

/**
 * Installs the helpers' files from a tar stream on stdin, in one command:
 * unpacked beside DIR, then each file renamed into DIR (atomic), so a helper
 * started meanwhile never reads half a file. Exit 4: DIR cannot be written.
 */
export function installHelpersArgv(dir: string): string[] {
  return ['sh', '-c', [
    'd="$1"; shift',
    'mkdir -p "$d" || exit 4',
    't=$(mktemp -d "$d.part-XXXXXX") || exit 4',
    'tar -xf - -C "$t" || { rm -rf "$t"; exit 4; }',
    'for f in "$@"; do mv -f "$t/$f" "$d/$f" || { rm -rf "$t"; exit 4; }; done',
    'rmdir "$t"',
  ].join('\n'), 'hotup-install', dir, ...HOST_FILES];
}
