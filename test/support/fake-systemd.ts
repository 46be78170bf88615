/**
 * A fake systemd for hosts of the tests, which run no systemd: `systemctl`, `journalctl` and `sudo`,
 * placed first on the PATH of hotup's commands on the host. They are an honest simulation of one
 * Type=simple unit as docs/fallback.md recommends: `systemctl restart` sends SIGTERM to the unit's main
 * process (the VM), waits for it to end, starts the release's real foreground command in a new session
 * and records its pid and the unit's state in files; `systemctl show` reports that state, turned to
 * `failed` once the main process has exited on its own (as systemd marks it); `journalctl` prints the
 * VM's captured output; `sudo -n` runs the command, or refuses like sudo without a NOPASSWD rule while
 * a file `sudo-deny` exists. What they prove: hotup's commands, its waiting on the unit and on the
 * node, and its read-back; not systemd itself. Every call is appended to DIR/calls.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The fakes in DIR, for UNIT whose ExecStart is EXEC_START (the release's foreground command), run in
 * WORKING_DIRECTORY as the unit's WorkingDirectory= says (where a VM that crashes leaves its erl_crash.dump).
 */
export async function writeFakeSystemd(dir: string, unit: string, execStart: string[], workingDirectory: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
  const start = execStart.map(quote).join(' ');
  const scripts: Record<string, string> = {
    systemctl: `#!/bin/sh
# Fake systemctl for one Type=simple unit (ExecStart=${execStart.join(' ')}, WorkingDirectory=${workingDirectory}); see test/support/fake-systemd.ts.
d="${dir}"
echo "systemctl $*" >> "$d/calls"
main() { cat "$d/mainpid" 2>/dev/null || echo 0; }
# The main process exists and is not a zombie.
alive() { p=$(main); [ "$p" != 0 ] && [ -e "/proc/$p/stat" ] && [ "$(sed 's/^.*) \\(.\\).*/\\1/' "/proc/$p/stat")" != Z ]; }
case "$1" in
  restart)
    [ "$2" = "${unit}" ] || { echo "Failed to restart $2.service: Unit $2.service not found." >&2; exit 5; }
    if alive; then
      # Stop: SIGTERM to the main process, the VM itself (it stops cleanly on it), then wait for it.
      kill -TERM "$(main)"
      i=0; while alive && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
    fi
    rm -f "$d/mainpid"
    # Start: the VM in the foreground of its own session; its output is the unit's journal.
    (cd ${quote(workingDirectory)} && setsid sh -c 'echo $$ > "$0/mainpid"; shift; exec "$@"' "$d" x ${start} </dev/null >>"$d/journal" 2>&1 &)
    i=0; while [ ! -s "$d/mainpid" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
    echo active > "$d/state" ;;
  show)
    s=$(cat "$d/state" 2>/dev/null || echo inactive)
    # A unit whose main process exited on its own is failed, as systemd marks it.
    if [ "$s" = active ] && ! alive; then s=failed; echo failed > "$d/state"; fi
    pid=0; [ "$s" = active ] && pid=$(main)
    case "$s" in active) sub=running ;; failed) sub=failed ;; *) sub=dead ;; esac
    printf 'ActiveState=%s\\nSubState=%s\\nMainPID=%s\\n' "$s" "$sub" "$pid" ;;
  *) echo "fake systemctl: $1 not simulated" >&2; exit 2 ;;
esac
`,
    journalctl: `#!/bin/sh
echo "journalctl $*" >> "${dir}/calls"
tail -n 20 "${dir}/journal" 2>/dev/null
`,
    sudo: `#!/bin/sh
# Fake sudo: -n only; refuses as sudo does without a NOPASSWD rule while ${dir}/sudo-deny exists.
echo "sudo $*" >> "${dir}/calls"
[ "$1" = -n ] || { echo "sudo: only -n is simulated" >&2; exit 1; }
shift
if [ -e "${dir}/sudo-deny" ]; then echo "sudo: a password is required" >&2; exit 1; fi
if [ "$1" = -l ]; then shift; echo "$*"; exit 0; fi
exec "$@"
`,
  };
  for (const [name, text] of Object.entries(scripts)) {
    await writeFile(path.join(dir, name), text);
    await chmod(path.join(dir, name), 0o755);
  }
}
