/**
 * Restarting a node through its systemd unit: `systemctl restart` (through `sudo -n` when asked, checked
 * before anything changes), then the unit active and its node started, or the unit's journal as the error.
 */
import { HotupError } from '../errors.js';
import {
  journalTailArgv, parseUnitState, sudoAllowedArgv, sudoersLine, sudoRefused, systemctlRestartArgv, systemctlShowArgv,
  type SystemdUnit, type UnitState,
} from '../commands/restart.js';
import type { Host } from '../host/host.js';
import { pollUntil, waitForNode } from './live.js';

/** The unit's state as systemd reports it now. */
async function unitState(host: Host, u: SystemdUnit): Promise<UnitState> {
  const r = await host.must(systemctlShowArgv(u), `systemctl show ${u.unit}`, { env: host.env, timeoutMs: 30_000 });
  const state = parseUnitState(r.stdout);
  if (!state) throw new HotupError('COMMAND_FAILED', `systemctl show ${u.unit} gave no ActiveState: ${r.stdout.trim() || r.stderr.trim()}`, `Check the unit name (systemctl status ${u.unit}).`, { host: host.name });
  return state;
}

/** The unit failed to start: its journal's last lines and what to do, as the error. */
async function unitFailed(host: Host, u: SystemdUnit, state: UnitState | null, why: string): Promise<HotupError> {
  const tail = await host.run(journalTailArgv(u), { env: host.env, timeoutMs: 30_000 }).catch((e: unknown) => ({ code: -1, stdout: '', stderr: (e as Error).message }));
  const journal = (tail.stdout.trim() || tail.stderr.trim() || '(empty)').split('\n').map((l) => `    ${l}`).join('\n');
  const seen = state ? ` (ActiveState=${state.active}, SubState=${state.sub})` : '';
  return new HotupError('NODE_DOWN', `${why}${seen}; journalctl -u ${u.unit} -n 20:\n${journal}`,
    `Fix what the journal shows, then \`systemctl start ${u.unit}\` (\`systemctl status ${u.unit}\` shows its state; \`hotup status\` what it runs).`, { host: host.name });
}

/**
 * Polls until the unit is active and its node has started. A Type=simple unit is active as soon as its
 * process is forked, so the unit is watched while the node boots: one that turns failed is reported at
 * once, with its journal, rather than after the whole wait.
 */
async function waitForUnitAndNode(host: Host, u: SystemdUnit, timeoutMs: number, pollMs = 250): Promise<void> {
  let state!: UnitState;
  const up = await pollUntil(async () => {
    state = await unitState(host, u);
    if (state.active === 'failed') throw await unitFailed(host, u, state, `the unit ${u.unit} failed after systemctl restart`);
    // waitForNode with no time: one look.
    return state.active === 'active' && (await waitForNode(host, 0));
  }, timeoutMs, pollMs, () => false);
  if (!up) {
    const what = state.active === 'active' ? 'is active but its node did not start' : 'was not active';
    throw await unitFailed(host, u, state, `the unit ${u.unit} ${what} within ${Math.round(timeoutMs / 1000)} s of systemctl restart`);
  }
}

function sudoError(host: Host, u: SystemdUnit, stderr: string, untouched: boolean): HotupError {
  const user = host.name.includes('@') ? host.name.split('@')[0]! : '<deploy user>';
  return new HotupError('COMMAND_FAILED', `sudo -n refused \`${systemctlRestartArgv(u).slice(2).join(' ')}\`: ${stderr.trim() || 'not allowed'}`,
    `Let the deploy user restart the unit without a password: \`visudo -f /etc/sudoers.d/hotup-${u.unit}\` with the line\n    ${sudoersLine(u, user)}`,
    { host: host.name, untouched });
}

/** Before anything changes: a restart through `sudo -n` that sudo would refuse is said now, with the sudoers line. */
export async function checkSudo(host: Host, u: SystemdUnit): Promise<void> {
  if (!u.sudo) return;
  const r = await host.run(sudoAllowedArgv(u), { env: host.env, timeoutMs: 30_000 });
  if (r.code !== 0) throw sudoError(host, u, r.stderr, true);
}

/** `systemctl restart UNIT` (through `sudo -n` when configured), then the unit active and its node started. */
export async function restartUnit(host: Host, u: SystemdUnit, nodeWaitMs: number): Promise<void> {
  const argv = systemctlRestartArgv(u);
  const r = await host.run(argv, { env: host.env, timeoutMs: 5 * 60_000 });
  if (r.code !== 0) {
    if (u.sudo && sudoRefused(r.stderr)) throw sudoError(host, u, r.stderr, false);
    // systemctl restart fails when the unit's start fails: its state and journal say why.
    const state = await unitState(host, u).catch(() => null);
    throw await unitFailed(host, u, state, `\`${argv.join(' ')}\` failed (exit ${r.code}): ${r.stderr.trim()}`);
  }
  await waitForUnitAndNode(host, u, nodeWaitMs);
}
