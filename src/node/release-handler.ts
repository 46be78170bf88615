/**
 * release_handler on the live node, as small typed calls over `host.call`.
 * Each answers `ok` or what release_handler said instead; a crash inside the
 * call (`{'EXIT', Reason}`) is a refusal like any other.
 */
import { HotupError } from '../errors.js';
import { isAtom, printTerm, type Term } from '../terms/etf.js';
import { parseWhichReleases } from '../terms/releases.js';
import type { ReleasesEntry } from '../terms/model.js';
import type { Host } from '../host/host.js';
import type { NodeRequest } from '../host/protocol.js';

export type RhReply = { ok: true } | { ok: false; reply: string };

/** How long install_release (and its check) may take: a relup can suspend and convert many processes. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

/** `{'EXIT', Reason}` from `catch`, printed; undefined for any other value. */
function exitReason(t: Term): string | undefined {
  if (t.kind === 'tuple' && t.items.length === 2 && isAtom(t.items[0], 'EXIT')) return printTerm(t.items[1]!);
  return undefined;
}

async function reply(host: Host, req: NodeRequest, timeoutMs?: number): Promise<RhReply> {
  const t = await host.call(req, timeoutMs);
  // `ok`, or a tuple whose first element is `ok`.
  const ok = isAtom(t, 'ok') || (t.kind === 'tuple' && isAtom(t.items[0], 'ok'));
  return ok ? { ok: true } : { ok: false, reply: printTerm(t) };
}

/** What an error says when release_handler left the node as it was. */
export const STILL_OLD = 'The node still runs the release it ran before; nothing was changed on it.';

/** CALL returned R instead of ok, as an error; UNTOUCHED when the node runs what it ran before. */
export function refused(host: string, call: string, r: Extract<RhReply, { ok: false }>, remedy: string, untouched: boolean): HotupError {
  return new HotupError('UPGRADE_FAILED', `${call} returned ${r.reply}`, remedy, { host, untouched });
}

/** release_handler:which_releases/0, typed. */
export async function whichReleases(host: Host): Promise<ReleasesEntry[]> {
  const r = await host.call({ op: 'which_releases' }, 60_000);
  const failed = exitReason(r);
  if (failed) {
    throw new HotupError('CALL_FAILED', `release_handler:which_releases() failed on the node: ${failed}`,
      'Check that the release includes the sasl application: release_handler is part of it.', { host: host.name });
  }
  return parseWhichReleases(r);
}

/** Unpacks releases/VSN/APP.tar.gz (see shipTarball). */
export function unpack(host: Host, vsn: string): Promise<RhReply> {
  return reply(host, { op: 'unpack_release', name: `${vsn}/${host.app}` });
}

/** Removes an installed-or-unpacked release that is neither running nor permanent (its lib/ dirs no other release uses). */
export function removeRelease(host: Host, vsn: string): Promise<RhReply> {
  return reply(host, { op: 'remove_release', vsn });
}

export function checkInstall(host: Host, vsn: string): Promise<RhReply> {
  return reply(host, { op: 'check_install_release', vsn }, INSTALL_TIMEOUT_MS);
}

export function install(host: Host, vsn: string): Promise<RhReply> {
  return reply(host, { op: 'install_release', vsn }, INSTALL_TIMEOUT_MS);
}

export function makePermanent(host: Host, vsn: string): Promise<RhReply> {
  return reply(host, { op: 'make_permanent', vsn });
}

/** A RELEASES for the running VSN (a plain mix release has none). */
export function createReleases(host: Host, vsn: string): Promise<RhReply> {
  return reply(host, { op: 'create_releases', vsn, app: host.app });
}
