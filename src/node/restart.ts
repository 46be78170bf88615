/**
 * The restart path: make VSN the release the node boots (RELEASES and
 * start_erl.data), restart the node into it, and measure the downtime.
 */
import { HotupError } from '../errors.js';
import { liveExprs } from '../commands/node.js';
import { shippedTarballPath, startErlDataPath } from '../commands/release-paths.js';
import { testFileArgv } from '../commands/files.js';
import { daemonArgv, extractTarballArgv, restartCommandArgv, stopArgv } from '../commands/restart.js';
import { parseStartErlData } from '../terms/start-erl.js';
import type { Emit } from '../core/events.js';
import { runStep } from '../core/step.js';
import { seconds } from '../report/style.js';
import { evalOnNode, nodeIsUp, waitForNode, type NodeTarget } from './live.js';
import { readLive } from './discover.js';
import { readRemoteFile } from '../host/remote-file.js';
import { runHostHelper } from '../helper/on-host.js';
import { measureOutage } from '../health/outage.js';
import { promoteScript, verifyPermanent } from './upgrade.js';

export interface RestartOptions {
  /** e.g. `systemctl restart shop`; without it, `bin/<app> stop` then `bin/<app> daemon`. */
  restartCommand?: string;
  /** How long the node may take to answer after the restart. */
  nodeWaitMs: number;
  /** Probe used to time the outage; the node's own ping when absent. */
  probe?: () => Promise<boolean>;
}

async function mustRun(node: NodeTarget, argv: string[], what: string, timeoutMs: number): Promise<void> {
  const r = await node.exec.run(argv, { timeoutMs, env: node.env });
  if (r.code !== 0) {
    throw new HotupError('COMMAND_FAILED', `${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 400)}`,
      'Run it by hand on the host to see why.', { host: node.exec.target });
  }
}

async function currentErts(node: NodeTarget): Promise<string> {
  const path = startErlDataPath(node.root);
  const text = await readRemoteFile(node.exec, path);
  if (text === null) throw new HotupError('NOT_A_RELEASE', `${path} is missing`, 'Check deploy_to.', { host: node.exec.target });
  return parseStartErlData(text, path).erts;
}

/** The node stops and starts (or the configured command restarts it); resolves when it answers again. */
async function restartNode(node: NodeTarget, opts: RestartOptions): Promise<void> {
  if (opts.restartCommand) {
    await mustRun(node, restartCommandArgv(opts.restartCommand), `\`${opts.restartCommand}\``, 5 * 60_000);
  } else {
    // A node that is already down has nothing to stop.
    if (await nodeIsUp(node)) await mustRun(node, stopArgv(node.root, node.app), `bin/${node.app} stop`, 2 * 60_000);
    await mustRun(node, daemonArgv(node.root, node.app), `bin/${node.app} daemon`, 2 * 60_000);
  }
  if (!(await waitForNode(node, opts.nodeWaitMs))) {
    throw new HotupError('NODE_DOWN', `the node did not answer within ${Math.round(opts.nodeWaitMs / 1000)} s of the restart`,
      'Its release may crash at boot: look at the node\'s logs (log/ under deploy_to, or the service\'s journal).', { host: node.exec.target });
  }
}

/** Restart into VSN (already shipped or installed on the host). Returns the measured downtime. */
export async function restartInto(node: NodeTarget, vsn: string, opts: RestartOptions, emit: Emit): Promise<number> {
  const host = node.exec.target;
  await runStep(emit, 'unpack', host, async () => {
    const live = await readLive(node);
    if (live.up) {
      const status = live.releases.find((r) => r.vsn === vsn)?.status;
      if (status) return { value: undefined, skipped: true, detail: `${vsn} is already ${status}` };
      const r = await evalOnNode(node, liveExprs.unpackRelease(vsn, node.app));
      const ok = r.kind === 'tuple' && r.items[0]?.kind === 'atom' && r.items[0].name === 'ok';
      if (!ok) throw new HotupError('UPGRADE_FAILED', `release_handler:unpack_release("${vsn}/${node.app}") failed`, 'The node still runs what it ran; check the tarball and free disk space.', { host, untouched: true });
      return { value: undefined, detail: `${vsn} unpacked by release_handler` };
    }
    // No node to ask: an installed release has its boot script; otherwise unpack the shipped
    // tarball ourselves (set-boot then records it in RELEASES).
    if ((await node.exec.run(testFileArgv(`${node.root}/releases/${vsn}/start.boot`), { timeoutMs: 30_000 })).code === 0) {
      return { value: undefined, skipped: true, detail: `${vsn} is installed (node down)` };
    }
    const tarball = shippedTarballPath(node.root, vsn, node.app);
    if ((await node.exec.run(testFileArgv(tarball), { timeoutMs: 30_000 })).code !== 0) {
      throw new HotupError('NOT_INSTALLED', `release ${vsn} is neither installed nor shipped to this host`, 'Run `hotup apply` to ship it first.', { host });
    }
    await mustRun(node, extractTarballArgv(tarball, node.root), `unpacking ${tarball}`, 5 * 60_000);
    return { value: undefined, detail: `${vsn} unpacked from the tarball (node down)` };
  });
  await runStep(emit, 'set_boot', host, async () => {
    await runHostHelper(node.exec, node.root, await currentErts(node), 'set-boot', [node.root, vsn]);
    await promoteScript(node, vsn);
    return { value: undefined, detail: `RELEASES, start_erl.data and bin/${node.app} name ${vsn}` };
  });
  const downtimeMs = await runStep(emit, 'restart', host, async () => {
    const outage = await measureOutage(opts.probe ?? (() => nodeIsUp(node, 5_000)), () => restartNode(node, opts));
    return { value: outage.downtimeMs, detail: `node back on ${vsn}, downtime ${seconds(outage.downtimeMs)}` };
  });
  await runStep(emit, 'verify', host, async () => {
    await verifyPermanent(node, vsn);
    return { value: undefined, detail: `${vsn} permanent; start_erl.data names it` };
  });
  return downtimeMs;
}
