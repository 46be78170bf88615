/**
 * Rules on the appups: each upgraded application needs one for its new
 * version, with entries matching the version it comes from, and only
 * instructions appup(4) defines.
 */
import { isHotupError } from '../errors.js';
import { appupMatches, printAppupVersion } from '../terms/appup.js';
import type { Appup, AppupEntry, RelupPath } from '../terms/model.js';
import type { AppChange } from './diff.js';
import type { Finding } from './finding.js';

/** An upgraded application the build left without an appup, and why hotup generated none. */
export interface AppupLacking {
  app: string;
  why: string;
  /** Generation was switched off (build.appups: off), so turning it on is a remedy. */
  generationOff: boolean;
}

/** systools makes no relup when any application's appup has one of these, so a build should not ask it for one. */
export const RELUP_STOPPERS: ReadonlySet<string> = new Set(['appup/missing', 'appup/malformed', 'appup/no-up-entry', 'appup/no-down-entry', 'appup/unknown-instruction']);

function missing(c: AppChange & { oldVsn: string; newVsn: string }, lacking: AppupLacking | undefined): Finding {
  const file = `${c.name}.appup`;
  const made = lacking ? `, and hotup generated none (${lacking.why})` : '';
  const generate = !lacking || lacking.generationOff ? ', let hotup generate one (build.appups: generate, for rebar3 and mix builds)' : '';
  return {
    rule: 'appup/missing',
    severity: 'error',
    effect: 'restart',
    app: c.name,
    message: `${c.name} goes from ${c.oldVsn} to ${c.newVsn} but has no ebin/${file}${made}: systools cannot make a relup, so only a restart moves the node to the new release`,
    remedy: `Add rel/appups/${file} to the project with an up and a down entry for ${c.oldVsn} (hotup puts it in the build)${generate}, or accept the restart (hotup apply --restart).`,
  };
}

function matching(entries: AppupEntry[], vsn: string, file: string): AppupEntry | undefined {
  return entries.find((e) => appupMatches(e.from, vsn, file));
}

function entryRules(c: AppChange & { oldVsn: string; newVsn: string }, appup: Appup, file: string): Finding[] {
  const findings: Finding[] = [];
  const app = c.name;
  if (appup.vsn !== c.newVsn) {
    findings.push({
      rule: 'appup/version-mismatch',
      severity: 'warning',
      effect: 'none',
      app,
      message: `${file} is written for ${app} ${appup.vsn}, but the application is ${c.newVsn}: systools only warns (bad_vsn), and the appup may describe another upgrade`,
      remedy: `Check the instructions fit ${c.oldVsn} → ${c.newVsn}, then make the first element of ${file} "${c.newVsn}".`,
    });
  }
  const up = matching(appup.up, c.oldVsn, file);
  if (!up) {
    findings.push({
      rule: 'appup/no-up-entry',
      severity: 'error',
      effect: 'restart',
      app,
      message: `${file} has no up entry matching the running ${app} ${c.oldVsn} (it has: ${appup.up.map((e) => printAppupVersion(e.from)).join(', ') || 'none'})`,
      remedy: `Add {"${c.oldVsn}", [...]} to the up list of ${file}.`,
    });
  }
  const down = matching(appup.down, c.oldVsn, file);
  if (!down) {
    findings.push({
      rule: 'appup/no-down-entry',
      severity: 'warning',
      effect: 'none',
      app,
      message: `${file} has no down entry for ${app} ${c.oldVsn}, so going back to it will need a restart (and systools makes no relup without one)`,
      remedy: `Add {"${c.oldVsn}", [...]} to the down list of ${file}.`,
    });
  }
  for (const [direction, entry] of [['up', up], ['down', down]] as const) {
    for (const i of entry?.instructions ?? []) {
      if (i.op !== 'unknown') continue;
      findings.push({
        rule: 'appup/unknown-instruction',
        severity: direction === 'up' ? 'error' : 'warning',
        effect: direction === 'up' ? 'restart' : 'none',
        app,
        message: `the ${direction} entry for ${c.oldVsn} in ${file} has an instruction appup(4) does not define: ${i.printed}`,
        remedy: `Correct it in ${file} (update, load_module, add_module, delete_module, … with the arities appup(4) gives).`,
      });
    }
  }
  return findings;
}

/**
 * LACKING: the applications the build left without an appup, when hotup built
 * the release. UP: the relup's up-path from the running version, when there is
 * one: an application it upgrades had its appup when the relup was made (a
 * tarball carries no appups), so none missing now is a finding.
 */
export function appupRules(changes: AppChange[], lacking: AppupLacking[] = [], up?: RelupPath): Finding[] {
  const findings: Finding[] = [];
  const upgraded = new Set((up?.instructions ?? []).flatMap((i) => (i.op === 'load_object_code' ? [i.app] : [])));
  for (const c of changes) {
    if (!c.app || c.oldVsn === null || c.newVsn === null || c.oldVsn === c.newVsn) continue;
    const file = `${c.name}.appup`;
    const malformed = (detail: string): Finding => ({
      rule: 'appup/malformed',
      severity: 'error',
      effect: 'restart',
      app: c.name,
      message: `${file} of ${c.name} ${c.newVsn} is not a valid appup: ${detail}`,
      remedy: `Write ${file} as {"${c.newVsn}", [{UpFrom, Instructions}], [{DownTo, Instructions}]}.`,
    });
    if (c.app.appup.status === 'none') {
      if (!upgraded.has(c.name)) findings.push(missing({ ...c, oldVsn: c.oldVsn, newVsn: c.newVsn }, lacking.find((l) => l.app === c.name)));
      continue;
    }
    if (c.app.appup.status === 'malformed') {
      findings.push(malformed(c.app.appup.detail));
      continue;
    }
    try {
      findings.push(...entryRules({ ...c, oldVsn: c.oldVsn, newVsn: c.newVsn }, c.app.appup.appup, file));
    } catch (e) {
      // A version key that is not a usable regular expression.
      if (!isHotupError(e)) throw e;
      findings.push(malformed(e.message));
    }
  }
  return findings;
}
