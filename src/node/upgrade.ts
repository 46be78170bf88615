/**
 * The hot path on one host, through release_handler on the live node:
 * unpack → check_install → install → make_permanent → verify. Each step first
 * looks at what the node already has, so running it again is safe. Going
 * back (a downgrade to an older installed release) is the same path: the
 * running release's relup holds the way down.
 */
import { HotupError } from '../errors.js';
import { liveExprs } from '../commands/node.js';
import { releasesFilePath, startErlDataPath } from '../commands/release-paths.js';
import { promoteScriptArgv } from '../commands/restart.js';
import { printTerm, type Term } from '../terms/etf.js';
import { parseStartErlData } from '../terms/start-erl.js';
import type { ReleasesEntry } from '../terms/model.js';
import type { Emit } from '../core/events.js';
import { runStep } from '../core/step.js';
import { evalOnNode, readLiveReleases, waitForNode, type NodeTarget } from './live.js';
import { readRemoteFile } from '../host/remote-file.js';

const INSTALL_TIMEOUT_MS = 10 * 60_000;

function isAtom(t: Term | undefined, name: string): boolean {
  return t?.kind === 'atom' && t.name === name;
}

/** `ok`, or a tuple whose first element is `ok`. */
function isOk(t: Term): boolean {
  return isAtom(t, 'ok') || (t.kind === 'tuple' && isAtom(t.items[0], 'ok'));
}

function failure(host: string, call: string, result: Term, remedy: string, untouched: boolean): HotupError {
  return new HotupError('UPGRADE_FAILED', `${call} returned ${printTerm(result)}`, remedy, { host, untouched });
}

const STILL_OLD = 'The node still runs the release it ran before; nothing was changed on it.';

function statusOf(releases: ReleasesEntry[], vsn: string): string | undefined {
  return releases.find((r) => r.vsn === vsn)?.status;
}

export async function hotInstall(node: NodeTarget, vsn: string, emit: Emit, nodeWaitMs = 60_000): Promise<void> {
  const host = node.exec.target;
  await runStep(emit, 'bootstrap', host, async () => {
    if ((await readRemoteFile(node.exec, releasesFilePath(node.root))) !== null) return { value: undefined, skipped: true, detail: 'releases/RELEASES exists' };
    const running = (await readLiveReleases(node)).find((r) => r.status === 'permanent')?.vsn;
    if (!running) throw new HotupError('UPGRADE_FAILED', 'the node reports no permanent release to record in a new RELEASES', 'Run `hotup status` to see what the node reports.', { host, untouched: true });
    const r = await evalOnNode(node, liveExprs.createReleases(running, node.app));
    if (!isOk(r)) throw failure(host, 'release_handler:create_RELEASES', r, `${STILL_OLD} release_handler needs releases/RELEASES; create it by hand or check that releases/${running}/${node.app}.rel exists.`, true);
    return { value: undefined, detail: `releases/RELEASES made for the running ${running}` };
  });
  const releases = await readLiveReleases(node);
  const status = statusOf(releases, vsn);

  await runStep(emit, 'unpack', host, async () => {
    if (status) return { value: undefined, skipped: true, detail: `${vsn} is already ${status}` };
    const r = await evalOnNode(node, liveExprs.unpackRelease(vsn, node.app));
    if (!isOk(r)) throw failure(host, `release_handler:unpack_release("${vsn}/${node.app}")`, r,
      `${STILL_OLD} Check the tarball and free disk space under releases/; a tarball whose .rel names other application versions than lib/ holds cannot be unpacked.`, true);
    return { value: undefined, detail: `${vsn} unpacked` };
  });

  const alreadyRunning = status === 'current' || status === 'permanent';
  await runStep(emit, 'check_install', host, async () => {
    if (alreadyRunning) return { value: undefined, skipped: true, detail: `${vsn} is already ${status}` };
    const r = await evalOnNode(node, liveExprs.checkInstallRelease(vsn), INSTALL_TIMEOUT_MS);
    if (!isOk(r)) throw failure(host, `release_handler:check_install_release("${vsn}")`, r,
      `${STILL_OLD} The release is unpacked; fix what the check names (often processes still running old code of a module) and apply again.`, true);
    return { value: undefined };
  });

  await runStep(emit, 'install', host, async () => {
    if (alreadyRunning) return { value: undefined, skipped: true, detail: `${vsn} is already ${status}` };
    let r: Term;
    try {
      r = await evalOnNode(node, liveExprs.installRelease(vsn), INSTALL_TIMEOUT_MS);
    } catch (e) {
      // The node went away during the relup: past its point of no return release_handler restarts it.
      throw await afterLostNode(node, vsn, e, nodeWaitMs);
    }
    if (!isOk(r)) throw failure(host, `release_handler:install_release("${vsn}")`, r,
      `${STILL_OLD} release_handler refused before the point of no return; fix what the reply names and apply again.`, true);
    return { value: undefined, detail: `now running ${vsn}` };
  });

  await runStep(emit, 'make_permanent', host, async () => {
    if (status === 'permanent') return { value: undefined, skipped: true, detail: `${vsn} is already permanent` };
    const r = await evalOnNode(node, liveExprs.makePermanent(vsn));
    if (!isOk(r)) throw failure(host, `release_handler:make_permanent("${vsn}")`, r,
      `The node runs ${vsn} but would boot the previous release after a restart; run apply again to make it permanent.`, false);
    await promoteScript(node, vsn);
    return { value: undefined };
  });

  await runStep(emit, 'verify', host, async () => {
    await verifyPermanent(node, vsn);
    return { value: undefined, detail: `${vsn} permanent; start_erl.data names it` };
  });
}

/** bin/<app> becomes VSN's start script (see promoteScriptArgv). */
export async function promoteScript(node: NodeTarget, vsn: string): Promise<void> {
  const r = await node.exec.run(promoteScriptArgv(node.root, node.app, vsn), { timeoutMs: 30_000 });
  if (r.code !== 0) {
    throw new HotupError('COMMAND_FAILED', `could not install bin/${node.app}-${vsn} as bin/${node.app}: ${r.stderr.trim()}`,
      `Copy it by hand, or the next restart boots an older release: cp ${node.root}/bin/${node.app}-${vsn} ${node.root}/bin/${node.app}`, { host: node.exec.target });
  }
}

/** What the node runs after it vanished during install_release, as an error that says so. */
async function afterLostNode(node: NodeTarget, vsn: string, cause: unknown, nodeWaitMs: number): Promise<HotupError> {
  const host = node.exec.target;
  const what = `the node stopped answering during release_handler:install_release("${vsn}")`;
  if (await waitForNode(node, nodeWaitMs)) {
    const releases = await readLiveReleases(node);
    const runs = releases.find((r) => r.status === 'current')?.vsn ?? releases.find((r) => r.status === 'permanent')?.vsn ?? 'an unknown release';
    return new HotupError('UPGRADE_FAILED', `${what}; it came back and runs ${runs}`,
      runs === vsn ? 'The new release runs but is not permanent: run apply again to finish.' : `The upgrade did not happen; the node serves ${runs}. Look at its logs for why the relup failed, then apply again.`,
      { host, cause });
  }
  const path = startErlDataPath(node.root);
  const text = await readRemoteFile(node.exec, path).catch(() => null);
  const boots = text ? parseStartErlData(text, path).vsn : 'unknown';
  return new HotupError('NODE_DOWN', `${what} and did not come back within ${Math.round(nodeWaitMs / 1000)} s; start_erl.data says it boots ${boots} next`,
    `Start the node (or let its supervisor do it); it comes up on ${boots}. Then run \`hotup status\`.`, { host, cause });
}

/** which_releases shows VSN permanent, and start_erl.data names it for the next boot. */
export async function verifyPermanent(node: NodeTarget, vsn: string): Promise<void> {
  const host = node.exec.target;
  const status = statusOf(await readLiveReleases(node), vsn);
  if (status !== 'permanent') {
    throw new HotupError('VERIFY_FAILED', `the node reports ${vsn} as ${status ?? 'not installed'}, not permanent`,
      'Run `hotup status` to see the node\'s release table.', { host });
  }
  const path = startErlDataPath(node.root);
  const text = await readRemoteFile(node.exec, path);
  const named = text === null ? null : parseStartErlData(text, path).vsn;
  if (named !== vsn) {
    throw new HotupError('VERIFY_FAILED', `${path} names ${named ?? 'nothing'}, not ${vsn}: the next boot would start another release`,
      `Write "<erts> ${vsn}" into ${path} (release_handler does this on make_permanent when the file is writable).`, { host });
  }
}
