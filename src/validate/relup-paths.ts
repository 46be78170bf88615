/**
 * Rules on the relup's paths: is there one, is it for this release, is there
 * a way up from the running version and a way back down, and does the way up
 * need the emulator restarted?
 */
import type { Relup, RelupPath } from '../terms/model.js';
import type { Finding } from './finding.js';

export function findPath(paths: RelupPath[], vsn: string): RelupPath | undefined {
  return paths.find((p) => p.vsn === vsn);
}

/** A path release_handler can run on a live node: it exists and needs no emulator restart. */
export function hasHotPath(path: RelupPath | undefined): boolean {
  return !!path && !path.instructions.some((i) => i.op === 'restart_new_emulator' || i.op === 'restart_emulator');
}

export function relupMissing(target: string, running: string | null): Finding {
  return {
    rule: 'relup/missing',
    severity: 'error',
    effect: 'restart',
    message: `release ${target} has no relup, so release_handler cannot upgrade to it`,
    remedy: `Make a relup from the running version (rebar3 relup --upfrom ${running ?? '<running>'}), or restart into the new release.`,
  };
}

export interface PathContext {
  /** The version the node runs, which the relup must start from. */
  running: string;
  /** The release the relup must belong to; unchecked when absent (a relup file alone). */
  target?: string;
  /** Why the emulator would restart, as far as the release facts tell. */
  restartCauses?: string[];
}

export function relupPathRules(relup: Relup, ctx: PathContext): Finding[] {
  const { running } = ctx;
  const findings: Finding[] = [];
  const listed = (paths: RelupPath[]) => paths.map((p) => p.vsn).join(', ') || 'none';
  if (ctx.target !== undefined && relup.vsn !== ctx.target) {
    findings.push({
      rule: 'relup/wrong-version',
      severity: 'error',
      effect: 'restart',
      message: `the relup is for release ${relup.vsn}, but it ships with release ${ctx.target}; release_handler would refuse it`,
      remedy: `Make the relup again for ${ctx.target} (rebar3 relup --relvsn ${ctx.target} --upfrom ${running}).`,
    });
  }
  const up = findPath(relup.up, running);
  if (!up) {
    findings.push({
      rule: 'relup/no-up-path',
      severity: 'error',
      effect: 'restart',
      message: `the relup for ${relup.vsn} has no up-path from the running version ${running} (it has: ${listed(relup.up)})`,
      remedy: `Make the relup from ${running} (hotup does when the build host has release ${running}); otherwise only a restart can move the node.`,
    });
  }
  const down = findPath(relup.down, running);
  if (!down) {
    findings.push({
      rule: 'relup/no-down-path',
      severity: 'warning',
      effect: 'none',
      message: `the relup has no down-path to ${running} (it has: ${listed(relup.down)}), so going back will need a restart`,
      remedy: `Give each changed application's appup a down entry for its version in ${running} if a hot rollback matters.`,
    });
  }
  const restarts = [...new Set((up?.instructions ?? []).flatMap((i) => (i.op === 'restart_new_emulator' || i.op === 'restart_emulator' ? [i.op] : [])))];
  if (restarts.length > 0) {
    const causes = ctx.restartCauses?.length ? ctx.restartCauses.join('; ') : 'an appup asks for it';
    findings.push({
      rule: 'relup/restart-emulator',
      severity: 'warning',
      effect: 'restart',
      message: `the up-path from ${running} contains ${restarts.join(' and ')}: the node's emulator restarts during the upgrade (${causes})`,
      remedy: 'Expect downtime: hotup restarts the node into the new release instead of upgrading it hot.',
    });
  }
  for (const [direction, path] of [['up', up], ['down', down]] as const) {
    for (const i of path?.instructions ?? []) {
      if (i.op !== 'unknown') continue;
      findings.push(direction === 'up' ? {
        rule: 'relup/unknown-instruction',
        severity: 'error',
        effect: 'restart',
        message: `the up-path from ${running} has an instruction release_handler does not know: ${i.printed}`,
        remedy: 'Fix the appup that produced it (appup(4) lists the instructions) and make the relup again.',
      } : {
        rule: 'relup/unknown-instruction',
        severity: 'warning',
        effect: 'none',
        message: `the down-path to ${running} has an instruction release_handler does not know: ${i.printed}; a hot downgrade would fail`,
        remedy: 'Fix the down entry of the appup that produced it and make the relup again.',
      });
    }
  }
  return findings;
}
