/**
 * The live dry run: the tarball is shipped and unpacked beside the running
 * release (which keeps running untouched), and release_handler checks the
 * install on the node itself — catching what only the live node knows, such
 * as processes still running old code that the upgrade would have to kill.
 */
import { liveExprs } from '../commands/node.js';
import { printTerm } from '../terms/etf.js';
import type { PlanReason } from '../plan/types.js';
import type { LocalTarball } from '../host/ship.js';
import { shipTarball } from '../host/ship.js';
import { evalOnNode, readLiveReleases, type NodeTarget } from './live.js';

export async function liveCheck(node: NodeTarget, vsn: string, tarball: LocalTarball): Promise<PlanReason[]> {
  const status = (await readLiveReleases(node)).find((r) => r.vsn === vsn)?.status;
  if (!status) {
    await shipTarball(node.exec, node.root, node.app, vsn, tarball);
    const unpacked = await evalOnNode(node, liveExprs.unpackRelease(vsn, node.app));
    if (!(unpacked.kind === 'tuple' && unpacked.items[0]?.kind === 'atom' && unpacked.items[0].name === 'ok')) {
      return [{
        rule: 'live/unpack-failed',
        severity: 'error',
        effect: 'block',
        message: `release_handler:unpack_release("${vsn}/${node.app}") on the node returned ${printTerm(unpacked)}`,
        remedy: 'Check the tarball and free disk space on the host; the running release was not touched.',
      }];
    }
  }
  const r = await evalOnNode(node, liveExprs.checkInstallRelease(vsn));
  if (r.kind === 'tuple' && r.items[0]?.kind === 'atom' && r.items[0].name === 'ok') {
    return [{
      rule: 'live/check-install',
      severity: 'info',
      effect: 'none',
      message: `release_handler:check_install_release("${vsn}") on the live node: ok`,
      remedy: 'Nothing to do.',
    }];
  }
  return [{
    rule: 'live/check-install',
    severity: 'error',
    effect: 'restart',
    message: `release_handler:check_install_release("${vsn}") on the live node returned ${printTerm(r)}`,
    remedy: 'Fix what it names (often processes still running old code of a module the upgrade purges), or restart instead (apply --restart).',
  }];
}
