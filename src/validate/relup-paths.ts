/**
 * Rules on the relup's paths: is there a way up from the running version,
 * a way back down, and does the way up need the emulator restarted?
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

export function relupPathRules(relup: Relup, running: string): Finding[] {
  const findings: Finding[] = [];
  const listed = (paths: RelupPath[]) => paths.map((p) => p.vsn).join(', ') || 'none';
  const up = findPath(relup.up, running);
  if (!up) {
    findings.push({
      rule: 'relup/no-up-path',
      severity: 'error',
      effect: 'restart',
      message: `the relup for ${relup.vsn} has no up-path from the running version ${running} (it has: ${listed(relup.up)})`,
      remedy: `Rebuild the relup from ${running} (hotup does this when the build host has release ${running}); otherwise only a restart can move the node.`,
    });
  }
  if (!findPath(relup.down, running)) {
    findings.push({
      rule: 'relup/no-down-path',
      severity: 'warning',
      effect: 'none',
      message: `the relup has no down-path to ${running} (it has: ${listed(relup.down)}), so going back will need a restart`,
      remedy: 'Add a down entry for the running version to each changed application\'s appup if a hot rollback matters.',
    });
  }
  for (const i of up?.instructions ?? []) {
    if (i.op === 'restart_new_emulator' || i.op === 'restart_emulator') {
      findings.push({
        rule: 'relup/restart-emulator',
        severity: 'warning',
        effect: 'restart',
        message: `the up-path from ${running} contains ${i.op}: the emulator restarts during the upgrade (an ERTS, kernel, stdlib or sasl change, or an appup that asks for it)`,
        remedy: 'Expect downtime; hotup restarts the node into the new release instead of a hot upgrade.',
      });
    }
    if (i.op === 'unknown') {
      findings.push({
        rule: 'relup/unknown-instruction',
        severity: 'error',
        effect: 'restart',
        message: `the up-path from ${running} has an instruction release_handler does not know: ${i.printed}`,
        remedy: 'Fix the appup that produced it (see appup(4) for the instruction set) and rebuild the relup.',
      });
    }
  }
  return findings;
}
