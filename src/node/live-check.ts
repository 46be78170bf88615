/**
 * The live dry run: the tarball is shipped and unpacked beside the running
 * release (which keeps running untouched), and release_handler checks the
 * install on the node itself — catching what only the live node knows, such
 * as processes still running old code that the upgrade would have to kill.
 */
import type { PlanReason } from '../plan/types.js';
import type { Host } from '../host/host.js';
import { shipTarball, type LocalTarball } from '../host/ship.js';
import { checkInstall, unpack, whichReleases } from './release-handler.js';
import { isHotupError } from '../errors.js';
import { changedKeys, describeChanges, evaluateRuntimeConfig, hasProviders, restoreBuildConfig, RULE } from './runtime-config.js';

/** The target's runtime.exs evaluated on the host as apply would, then Mix's sys.config put back: the keys whose value changes. */
async function runtimeConfigCheck(host: Host, vsn: string): Promise<PlanReason[]> {
  if (!(await hasProviders(host, vsn))) return [];
  try {
    const ev = await evaluateRuntimeConfig(host, vsn);
    if (!ev) return [];
    return [{ rule: RULE, severity: 'info', effect: 'none', message: `config/runtime.exs of ${vsn} evaluated on the host: ${describeChanges(await changedKeys(host, ev))}`, remedy: 'Nothing to do.' }];
  } catch (e) {
    if (!isHotupError(e) || e.code !== 'UPGRADE_FAILED') throw e;
    return [{ rule: RULE, severity: 'error', effect: 'restart', message: e.message.replace(`[${RULE}] `, ''), remedy: e.remedy.replace('Nothing was changed. ', '') }];
  } finally {
    await restoreBuildConfig(host, vsn);
  }
}

export async function liveCheck(host: Host, vsn: string, tarball: LocalTarball): Promise<PlanReason[]> {
  const status = (await whichReleases(host)).find((r) => r.vsn === vsn)?.status;
  if (!status) {
    await shipTarball(host, vsn, tarball);
    const unpacked = await unpack(host, vsn);
    if (!unpacked.ok) {
      return [{
        rule: 'live/unpack-failed',
        severity: 'error',
        effect: 'block',
        message: `release_handler:unpack_release("${vsn}/${host.app}") on the node returned ${unpacked.reply}`,
        remedy: 'Check the tarball and free disk space on the host; the running release was not touched.',
      }];
    }
  }
  const config = await runtimeConfigCheck(host, vsn);
  const r = await checkInstall(host, vsn);
  if (r.ok) {
    return [...config, {
      rule: 'live/check-install',
      severity: 'info',
      effect: 'none',
      message: `release_handler:check_install_release("${vsn}") on the live node: ok`,
      remedy: 'Nothing to do.',
    }];
  }
  return [...config, {
    rule: 'live/check-install',
    severity: 'error',
    effect: 'restart',
    message: `release_handler:check_install_release("${vsn}") on the live node returned ${r.reply}`,
    remedy: 'Fix what it names (often processes still running old code of a module the upgrade purges), or restart instead (apply --restart).',
  }];
}
