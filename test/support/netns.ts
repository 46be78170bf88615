/**
 * A jump host and a target reachable only through it, as two network namespaces (needs root):
 *
 *   this machine 10.231.1.1 ─veth─ 10.231.1.2 "jump" 10.231.2.1 ─veth─ 10.231.2.2 "target"
 *
 * The jump namespace does not forward packets and the target has no route back, so only a
 * process inside the jump namespace (its sshd) reaches the target. An `unreachable` route for
 * 10.231.0.0/16 here keeps any packet to the target from leaving through the default gateway.
 * The names are fixed, so a run cut off before its clean-up is cleaned up by the next one.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { waitFor } from './wait.js';

const run = promisify(execFile);

export const NET = {
  jump: 'hotup-jump',
  target: 'hotup-target',
  /** The jump host as this machine reaches it. */
  jumpAddress: '10.231.1.2',
  /** The target as the jump host reaches it. */
  targetAddress: '10.231.2.2',
  subnet: '10.231.0.0/16',
} as const;

const ip = (...args: string[]) => run('ip', args);
const inNs = (ns: string, ...args: string[]) => ip('netns', 'exec', ns, 'ip', ...args);

/** The processes running in a namespace. */
export async function pidsIn(ns: string): Promise<number[]> {
  const { stdout } = await ip('netns', 'pids', ns).catch(() => ({ stdout: '' }));
  return stdout.split(/\s+/).filter(Boolean).map(Number);
}

/** Kills what runs in the namespaces (sshd, epmd, nodes: all started by the tests), then removes them and the route. */
export async function removeJumpNet(): Promise<void> {
  const { stdout } = await ip('netns', 'list');
  for (const ns of [NET.jump, NET.target]) {
    if (!stdout.split('\n').some((l) => l.split(' ')[0] === ns)) continue;
    for (const pid of await pidsIn(ns)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await waitFor(`the processes in ${ns} to end`, async () => (await pidsIn(ns)).length === 0, { timeoutMs: 10_000 });
    // The veth pairs go with their namespaces.
    await ip('netns', 'del', ns);
  }
  await ip('route', 'del', 'unreachable', NET.subnet).catch(() => undefined);
}

export async function createJumpNet(): Promise<void> {
  await removeJumpNet();
  try {
    await ip('netns', 'add', NET.jump);
    await ip('netns', 'add', NET.target);
    await ip('link', 'add', 'hotup-r0', 'type', 'veth', 'peer', 'name', 'hotup-j0');
    await ip('link', 'set', 'hotup-j0', 'netns', NET.jump);
    await ip('link', 'add', 'hotup-j1', 'type', 'veth', 'peer', 'name', 'hotup-t0');
    await ip('link', 'set', 'hotup-j1', 'netns', NET.jump);
    await ip('link', 'set', 'hotup-t0', 'netns', NET.target);
    await ip('route', 'add', 'unreachable', NET.subnet);
    await ip('addr', 'add', '10.231.1.1/24', 'dev', 'hotup-r0');
    await ip('link', 'set', 'hotup-r0', 'up');
    await inNs(NET.jump, 'addr', 'add', `${NET.jumpAddress}/24`, 'dev', 'hotup-j0');
    await inNs(NET.jump, 'addr', 'add', '10.231.2.1/24', 'dev', 'hotup-j1');
    await inNs(NET.target, 'addr', 'add', `${NET.targetAddress}/24`, 'dev', 'hotup-t0');
    for (const [ns, dev] of [[NET.jump, 'hotup-j0'], [NET.jump, 'hotup-j1'], [NET.jump, 'lo'], [NET.target, 'hotup-t0'], [NET.target, 'lo']] as const) {
      await inNs(ns, 'link', 'set', dev, 'up');
    }
  } catch (e) {
    await removeJumpNet();
    throw e;
  }
}

/** Runs a program inside a namespace. */
export function runIn(ns: string, argv: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<{ stdout: string; stderr: string }> {
  return run('ip', ['netns', 'exec', ns, ...argv], { env: { ...process.env, ...env }, timeout: timeoutMs });
}
