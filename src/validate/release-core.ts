/** Rules on the runtime itself: ERTS and the core applications need the emulator restarted. */
import type { ReleaseFacts } from '../terms/model.js';
import type { Finding } from './finding.js';

const CORE_APPS = ['kernel', 'stdlib', 'sasl'];

/** Every application the .rel names must be in lib/: without it the release cannot boot or upgrade. */
export function completenessRules(newRel: ReleaseFacts): Finding[] {
  return newRel.apps.filter((a) => !a.present).map((a) => ({
    rule: 'release/missing-application',
    severity: 'error' as const,
    effect: 'block' as const,
    app: a.name,
    message: `release ${newRel.vsn} names ${a.name} ${a.vsn}, but lib/${a.name}-${a.vsn}/ebin is missing`,
    remedy: 'The release (or its tarball) is incomplete; build it again.',
  }));
}

export function releaseCoreRules(oldRel: ReleaseFacts, newRel: ReleaseFacts): Finding[] {
  const findings: Finding[] = [];
  if (oldRel.erts !== newRel.erts) {
    findings.push({
      rule: 'release/erts-changed',
      severity: 'warning',
      effect: 'restart',
      message: `ERTS changes from ${oldRel.erts} to ${newRel.erts}: the new emulator can only be started by a restart`,
      remedy: 'Expect a restart of the node; keep ERTS unchanged in releases meant to be hot-upgraded.',
    });
  }
  for (const name of CORE_APPS) {
    const o = oldRel.apps.find((a) => a.name === name)?.vsn;
    const n = newRel.apps.find((a) => a.name === name)?.vsn;
    if (o && n && o !== n) {
      findings.push({
        rule: 'release/core-app-changed',
        severity: 'warning',
        effect: 'restart',
        app: name,
        message: `${name} changes from ${o} to ${n}: release_handler restarts the emulator for kernel, stdlib and sasl`,
        remedy: 'Expect a restart of the node; upgrade OTP in a release of its own.',
      });
    }
  }
  return findings;
}
