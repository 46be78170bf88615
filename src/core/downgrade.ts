/**
 * `hotup downgrade <env>`: back to the previous (or a named) installed release,
 * on the same machinery as apply: hot through the running release's relup
 * down-path when it has one, otherwise a restart into the older release.
 */
import { HotupError } from '../errors.js';
import type { HostStatus } from '../node/discover.js';
import { relupPath } from '../commands/release-paths.js';
import { consolidatedDiffArgv } from '../commands/files.js';
import type { Host } from '../host/host.js';
import { parseRelup } from '../terms/relup.js';
import { PLAN_SCHEMA, type HostPlan, type PlanReason, type UpgradePlan } from '../plan/types.js';
import { compareVersions } from '../validate/version.js';
import { findPath, hasHotPath } from '../validate/relup-paths.js';
import { describeInstruction } from '../report/relup.js';
import { runStep } from './step.js';
import { environment, hostNamed, type CoreContext } from './context.js';
import { discoverEnvironment } from './status.js';

/** The newest installed release older than the running one. */
export function previousRelease(s: HostStatus): string | null {
  const installed = (s.live.up ? s.live.releases : s.releasesFile ?? []).map((r) => r.vsn).filter((v) => v !== s.running);
  const older = installed.filter((v) => s.running && compareVersions(v, s.running) === -1);
  const pick = (vs: string[]) => [...vs].sort((a, b) => compareVersions(b, a) ?? 0)[0] ?? null;
  return pick(older) ?? pick(installed);
}

function installedOn(s: HostStatus): string[] {
  return (s.live.up ? s.live.releases : s.releasesFile ?? []).map((r) => r.vsn);
}

/**
 * Consolidated protocols that differ between the two releases on the host (a
 * mix release's releases/<vsn>/consolidated): a hot downgrade would keep the
 * running release's dispatch, as an upgrade would (see validate/elixir.ts).
 */
async function protocolsChanged(host: Host, running: string, target: string): Promise<PlanReason[]> {
  const r = await host.run(consolidatedDiffArgv(host.root, running, target), { timeoutMs: 30_000 });
  const names = r.code === 0 ? r.stdout.split('\n').map((l) => l.trim().replace(/\.beam$/, '')).filter(Boolean) : [];
  return names.map((n) => ({
    rule: 'elixir/protocol-changed',
    severity: 'warning',
    effect: 'restart',
    message: `protocol ${n.replace(/^Elixir\./, '')} is consolidated differently in ${running} and ${target}: a hot downgrade would keep ${running}'s dispatch`,
    remedy: 'hotup restarts the node into the older release instead; expect downtime.',
  }));
}

export async function planDowngrade(ctx: CoreContext, envName: string, to?: string): Promise<UpgradePlan> {
  const env = environment(ctx.config, envName);
  const statuses = await discoverEnvironment(ctx, envName);
  const hosts: HostPlan[] = [];
  for (const s of statuses) {
    const target = to ?? previousRelease(s);
    if (!target || !installedOn(s).includes(target)) {
      throw new HotupError('NOT_INSTALLED',
        target ? `release ${target} is not installed on ${s.host} (it has: ${installedOn(s).join(', ') || 'none'})` : `${s.host} has no earlier release installed to go back to`,
        'Pick an installed version with --to (see `hotup status`); nothing was changed on any host.', { host: s.host });
    }
    const base = { host: s.host, from: s.running, to: target, hotRollback: false, warnings: s.disagreements };
    if (s.running === target) {
      hosts.push({ ...base, action: 'noop', reasons: [], instructions: [] });
      continue;
    }
    const plan = await runStep(ctx.emit, 'inspect', s.host, async () => {
      const host = await hostNamed(ctx, env, s.host);
      // The running release's relup, decoded on the host by its session.
      const terms = s.running ? await host.terms(relupPath(host.root, s.running)) : null;
      const relup = terms === null ? null : parseRelup({ kind: 'list', items: terms });
      const down = relup ? findPath(relup.down, target) : undefined;
      const protocols = s.live.up && hasHotPath(down) && s.running ? await protocolsChanged(host, s.running, target) : [];
      const hot = s.live.up && hasHotPath(down) && protocols.length === 0;
      const reasons: PlanReason[] = hot ? [] : protocols.length ? protocols : [{
        rule: 'relup/no-down-path',
        severity: 'warning',
        effect: 'restart',
        message: !s.live.up ? 'the node is down, so nothing can be downgraded hot'
          : down ? `the relup of ${s.running} goes down to ${target} only with an emulator restart`
            : `the relup of ${s.running} has no down-path to ${target}`,
        remedy: 'hotup restarts the node into the older release instead; expect downtime.',
      }];
      return {
        value: { ...base, action: hot ? 'hot' as const : 'restart' as const, reasons, instructions: hot ? down!.instructions.map(describeInstruction) : [] },
        detail: `${s.running} → ${target} ${hot ? 'hot' : 'by restart'}`,
      };
    });
    hosts.push(plan);
  }
  const result: UpgradePlan = { schema: PLAN_SCHEMA, app: ctx.config.app, environment: envName, deployTo: env.deployTo, target: { vsn: to ?? hosts[0]?.to ?? '', tarball: null }, hosts };
  ctx.emit({ type: 'plan', plan: result });
  return result;
}
