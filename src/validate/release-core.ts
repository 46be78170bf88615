/**
 * Rules on the release as a whole: complete, and on the same runtime (a new
 * ERTS or kernel/stdlib/sasl needs the emulator restarted).
 */
import type { ReleaseFacts } from '../terms/model.js';
import type { Finding } from './finding.js';

const CORE_APPS = ['kernel', 'stdlib', 'sasl'];

/**
 * Every application the .rel names must be in lib/, or the release cannot
 * boot or upgrade; and sasl must be one of them, or the node has no
 * release_handler.
 */
export function completenessRules(newRel: ReleaseFacts): Finding[] {
  const sasl: Finding[] = newRel.apps.some((a) => a.name === 'sasl') ? [] : [{
    rule: 'release/no-sasl',
    severity: 'error',
    effect: 'restart',
    message: `release ${newRel.vsn} does not include sasl, so the node has no release_handler to upgrade it`,
    remedy: 'Add sasl to the release: in rebar.config, {release, {App, Vsn}, [App, sasl]}; in mix.exs, extra_applications: [:sasl].',
  }];
  return [...sasl, ...newRel.apps.filter((a) => !a.present).map((a): Finding => ({
    rule: 'release/missing-application',
    severity: 'error',
    effect: 'block',
    app: a.name,
    message: `release ${newRel.vsn} names ${a.name} ${a.vsn}, but lib/${a.name}-${a.vsn}/ebin is missing`,
    remedy: 'The release (or its tarball) is incomplete; build it again.',
  }))];
}

/** How ERTS (app null) and kernel, stdlib and sasl change between two releases. */
export function runtimeChanges(oldRel: ReleaseFacts, newRel: ReleaseFacts): Array<{ app: string | null; from: string; to: string }> {
  const changes: Array<{ app: string | null; from: string; to: string }> = [];
  if (oldRel.erts !== newRel.erts) changes.push({ app: null, from: oldRel.erts, to: newRel.erts });
  for (const name of CORE_APPS) {
    const from = oldRel.apps.find((a) => a.name === name)?.vsn;
    const to = newRel.apps.find((a) => a.name === name)?.vsn;
    if (from && to && from !== to) changes.push({ app: name, from, to });
  }
  return changes;
}

export function runtimeRules(oldRel: ReleaseFacts, newRel: ReleaseFacts): Finding[] {
  return runtimeChanges(oldRel, newRel).map((c): Finding => (c.app === null ? {
    rule: 'release/erts-changed',
    severity: 'warning',
    effect: 'restart',
    message: `ERTS changes from ${c.from} to ${c.to}: only a restart starts the new emulator`,
    remedy: 'Expect a restart of the node; keep ERTS unchanged in releases meant to be upgraded hot.',
  } : {
    rule: 'release/core-app-changed',
    severity: 'warning',
    effect: 'restart',
    app: c.app,
    message: `${c.app} changes from ${c.from} to ${c.to}: release_handler restarts the emulator for kernel, stdlib and sasl`,
    remedy: 'Expect a restart of the node; upgrade OTP in a release of its own.',
  }));
}

export function oldFactsUnavailable(running: string): Finding {
  return {
    rule: 'release/old-facts-unavailable',
    severity: 'info',
    effect: 'none',
    message: `the running release ${running} could not be read, so changed modules were not compared`,
    remedy: 'Let hotup read the running release (its release root must be readable where it runs, or kept beside the new one).',
  };
}
