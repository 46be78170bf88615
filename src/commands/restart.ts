/** Command lines for restarting a node. Pure. */
import { releaseScript } from './release-paths.js';

/** A configured restart command runs through the host's shell as written. */
export function restartCommandArgv(command: string): string[] {
  return ['sh', '-c', command];
}

export interface SystemdUnit {
  unit: string;
  /** Through `sudo -n`: the deploy user may run exactly these commands without a password. */
  sudo: boolean;
}

const privileged = (u: SystemdUnit, argv: string[]) => (u.sudo ? ['sudo', '-n', ...argv] : argv);

export function systemctlRestartArgv(u: SystemdUnit): string[] {
  return privileged(u, ['systemctl', 'restart', u.unit]);
}

/** `sudo -n -l CMD` answers whether CMD may run without a password, without running it. */
export function sudoAllowedArgv(u: SystemdUnit): string[] {
  return ['sudo', '-n', '-l', ...systemctlRestartArgv(u).slice(2)];
}

/** Reading a unit's state needs no privilege. */
export function systemctlShowArgv(u: SystemdUnit): string[] {
  return ['systemctl', 'show', '--property=ActiveState,SubState,MainPID', u.unit];
}

/** The unit's last journal lines: the reason a start failed. */
export function journalTailArgv(u: SystemdUnit): string[] {
  return privileged(u, ['journalctl', '-u', u.unit, '-n', '20', '--no-pager']);
}

/** The sudoers line that lets USER run the privileged commands above, and nothing else, without a password. */
export function sudoersLine(u: SystemdUnit, user: string): string {
  const cmd = (argv: string[]) => `/usr/bin/${argv.slice(2).join(' ')}`;
  return `${user} ALL=(root) NOPASSWD: ${cmd(systemctlRestartArgv(u))}, ${cmd(journalTailArgv(u))}`;
}

/** `sudo -n` refusing (no rule, or a password needed) rather than the command it ran failing. */
export function sudoRefused(stderr: string): boolean {
  return /^sudo: /m.test(stderr);
}

export interface UnitState {
  active: string;
  sub: string;
  mainPid: number;
}

/** `systemctl show` output (`Key=value` lines); null when it says nothing of the state. */
export function parseUnitState(stdout: string): UnitState | null {
  const v = new Map(stdout.split('\n').map((l) => l.split('=', 2) as [string, string | undefined]));
  const active = v.get('ActiveState');
  if (!active) return null;
  return { active, sub: v.get('SubState') ?? '', mainPid: Number(v.get('MainPID') ?? 0) || 0 };
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
