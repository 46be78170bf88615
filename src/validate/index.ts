/** All rules over the facts of one upgrade. Pure. */
import { appupMatches } from '../terms/appup.js';
import type { ReleaseFacts } from '../terms/model.js';
import { appupRules, type AppupLacking } from './appup.js';
import { diffReleases, type AppChange } from './diff.js';
import { protocolRules, runtimeConfigNote } from './elixir.js';
import { bySeverity, type Finding } from './finding.js';
import { moduleRules } from './modules.js';
import { completenessRules, oldFactsUnavailable, runtimeChanges, runtimeRules } from './release-core.js';
import { envRules } from './env.js';
import { nifRules } from './nif.js';
import { view } from './path-view.js';
import { referenceRules } from './references.js';
import { restartApplicationRules } from './restart-application.js';
import { stateChangeRules } from './state.js';
import { supervisorRules } from './supervisors.js';
import { findPath, relupMissing, relupPathRules } from './relup-paths.js';
import { targetRules } from './targets.js';
import { versionRules } from './version.js';

export interface UpgradeFacts {
  /** The release version the node runs. */
  running: string;
  /** The release version to upgrade to. */
  target: string;
  /** The running release as it is where it runs; null when it could not be read. */
  old: ReleaseFacts | null;
  /** The target release; its `relup` is the one the upgrade would use. */
  new: ReleaseFacts;
  /** The applications the build left without an appup, and why (when hotup built the release). */
  appupsLacking?: AppupLacking[];
}

/** Why the up-path restarts the emulator: a new runtime, or appups that ask for it. */
function restartCauses(old: ReleaseFacts, changes: AppChange[], neu: ReleaseFacts): string[] {
  const runtime = runtimeChanges(old, neu).map((c) => `${c.app ?? 'ERTS'} ${c.from} → ${c.to}`);
  const asking = changes.filter((c) => {
    if (c.oldVsn === null || c.app?.appup.status !== 'ok') return false;
    try {
      const entry = c.app.appup.appup.up.find((e) => appupMatches(e.from, c.oldVsn!));
      return entry?.instructions.some((i) => i.op === 'restart_new_emulator' || i.op === 'restart_emulator') ?? false;
    } catch {
      return false; // an unusable version key is the appup rules' finding
    }
  });
  return [...runtime, ...asking.map((c) => `${c.name}.appup asks for it`)];
}

export function validate(f: UpgradeFacts): Finding[] {
  const { running, target, old, new: neu } = f;
  const changes = old ? diffReleases(old, neu) : [];
  const findings: Finding[] = [...versionRules(running, target), ...completenessRules(neu), ...runtimeConfigNote(neu)];
  const up = neu.relup ? findPath(neu.relup.up, running) : undefined;
  if (neu.relup) {
    findings.push(...relupPathRules(neu.relup, { running, target, restartCauses: old ? restartCauses(old, changes, neu) : [] }));
    findings.push(...targetRules(up, neu));
  } else {
    findings.push(relupMissing(target, running));
  }
  if (old) findings.push(...runtimeRules(old, neu), ...appupRules(changes, f.appupsLacking, up), ...moduleRules(changes, up), ...protocolRules(old, neu));
  else findings.push(oldFactsUnavailable(running));
  if (old) findings.push(...codeRules(old, neu, changes, up));
  return bySeverity(findings);
}

/** The rules that read the code itself: state, child specs, NIF libraries, env, references. */
function codeRules(old: ReleaseFacts, neu: ReleaseFacts, changes: AppChange[], up: ReturnType<typeof findPath>): Finding[] {
  const v = up ? view(up) : null;
  return [
    ...stateChangeRules(changes, v),
    ...supervisorRules(changes, v),
    ...restartApplicationRules(changes),
    ...nifRules(changes),
    ...envRules(changes),
    ...referenceRules(old, neu, changes),
  ];
}
