/** All rules over the facts of one upgrade. Pure. */
import type { ReleaseFacts, Relup } from '../terms/model.js';
import { appupRules } from './appup.js';
import { diffReleases } from './diff.js';
import type { Finding } from './finding.js';
import { moduleRules } from './modules.js';
import { completenessRules, releaseCoreRules } from './release-core.js';
import { findPath, relupPathRules } from './relup-paths.js';
import { targetRules } from './targets.js';
import { versionRules } from './version.js';

export interface UpgradeFacts {
  running: string;
  target: string;
  /** The running release as it is on the host; null when it could not be read. */
  old: ReleaseFacts | null;
  new: ReleaseFacts;
  relup: Relup | null;
  /** Modules of the new release with an -on_load function. */
  onLoad: string[];
}

export function validate(f: UpgradeFacts): Finding[] {
  const findings: Finding[] = [...versionRules(f.running, f.target), ...completenessRules(f.new)];
  if (f.relup) findings.push(...relupPathRules(f.relup, f.running));
  else {
    findings.push({
      rule: 'relup/missing',
      severity: 'error',
      effect: 'restart',
      message: `release ${f.target} has no relup, so release_handler cannot upgrade to it`,
      remedy: `Make a relup from ${f.running} (rebar3 relup --upfrom ${f.running}) or restart into the new release.`,
    });
  }
  const up = f.relup ? findPath(f.relup.up, f.running) : undefined;
  findings.push(...targetRules(up, f.new));
  if (f.old) {
    const changes = diffReleases(f.old, f.new);
    findings.push(...releaseCoreRules(f.old, f.new), ...appupRules(changes), ...moduleRules(changes, up, f.onLoad));
  } else {
    findings.push({
      rule: 'release/old-facts-unavailable',
      severity: 'info',
      effect: 'none',
      message: `the running release ${f.running} could not be read, so changed modules were not compared`,
      remedy: 'Let hotup read the running release on a host (the release root must be readable over SSH).',
    });
  }
  const order = { error: 0, warning: 1, info: 2 } as const;
  return findings.sort((a, b) => order[a.severity] - order[b.severity]);
}
