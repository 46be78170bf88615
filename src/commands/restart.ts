/** Command lines for restarting a node. Pure. */
import { releaseScript } from './release-paths.js';

/** A configured restart command (e.g. `systemctl restart shop`) runs through the host's shell as written. */
export function restartCommandArgv(command: string): string[] {
  return ['sh', '-c', command];
}

export function stopArgv(root: string, app: string): string[] {
  return [releaseScript(root, app), 'stop'];
}

/** Detached from the SSH session: run_erl keeps the node, and no output holds the channel open. */
export function daemonArgv(root: string, app: string): string[] {
  return ['sh', '-c', '"$1" daemon </dev/null >/dev/null 2>&1', 'hotup', releaseScript(root, app)];
}

/**
 * Unpacks a shipped tarball into the release root, for a node that is down (no
 * release_handler to do it). The tarball's releases/RELEASES, start_erl.data
 * and bin/<app> would replace the host's (its table of installed releases, what
 * it boots, its start script): they are left out; set-boot and the promoted
 * script write them from what the host has.
 */
export function extractTarballArgv(tarball: string, root: string, app: string): string[] {
  const keep = ['releases/RELEASES', 'releases/start_erl.data', `bin/${app}`].flatMap((f) => [`--exclude=${f}`, `--exclude=./${f}`]);
  return ['tar', 'xzf', tarball, '-C', root, ...keep];
}

/**
 * relx writes the release version into bin/<app> itself and ships
 * bin/<app>-<vsn> beside it; release_handler does not touch bin/. So after a
 * release becomes permanent its script replaces bin/<app>, or the next plain
 * restart would boot the old release whatever start_erl.data says.
 */
export function promoteScriptArgv(root: string, app: string, vsn: string): string[] {
  return ['sh', '-c', '[ -f "$1" ] || exit 0; cp -p "$1" "$2.hotup-tmp" && mv -f "$2.hotup-tmp" "$2"', 'hotup',
    `${releaseScript(root, app)}-${vsn}`, releaseScript(root, app)];
}
