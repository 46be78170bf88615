/** What the live node runs, and waiting for it to answer. */
import { isHotupError } from '../errors.js';
import type { Host } from '../host/host.js';
import { isAtom } from '../terms/etf.js';
import type { LiveReading } from '../plan/host-status.js';
import { whichReleases } from './release-handler.js';

/** The node's release table, or why it is down (NODE_DOWN only: other failures stay errors). */
export async function readLive(host: Host): Promise<LiveReading> {
  try {
    return { up: true, releases: await whichReleases(host) };
  } catch (e) {
    if (isHotupError(e) && e.code === 'NODE_DOWN') return { up: false, reason: e.message };
    throw e;
  }
}

/** A node that does not answer yet is waited for; a lost link is not. */
const notYet = (e: unknown) => !(isHotupError(e) && e.code === 'LINK_LOST');

/**
 * Asks CHECK every POLL_MS until it holds or TIMEOUT_MS have passed; true when it held. An error CHECK
 * throws counts as "not yet" when WAIT_OUT says so, and ends the wait otherwise.
 */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, pollMs: number, waitOut: (e: unknown) => boolean = notYet): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const held = await check().catch((e: unknown) => {
      if (!waitOut(e)) throw e;
      return false;
    });
    if (held) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
  }
}

/** init:get_status() on the node is {started, _}: its boot script has run (release_handler is there). */
export async function reportsStarted(host: Host): Promise<boolean> {
  const s = await host.call({ op: 'boot_status' }, 10_000);
  return s.kind === 'tuple' && isAtom(s.items[0], 'started');
}

/**
 * Polls until the node answers and has run its boot script (a node answers pings before release_handler
 * is started, and a call then fails with noproc); true when it did.
 */
export function waitForNode(host: Host, timeoutMs: number, pollMs = 500): Promise<boolean> {
  return pollUntil(async () => (await host.nodeUp()) && reportsStarted(host), timeoutMs, pollMs);
}

/** Polls until the node neither answers nor holds its name in epmd (its VM has exited); true when so. */
export function waitForNodeGone(host: Host, timeoutMs: number, pollMs = 200): Promise<boolean> {
  return pollUntil(async () => !(await host.nodeUp()) && isAtom(await host.call({ op: 'name_registered' }, 10_000), 'false'), timeoutMs, pollMs);
}
