/**
 * What apply does with a host's decision, given what the user asked for.
 * Pure, so the rules for --restart and --force are tested on their own.
 */
import { HotupError } from '../errors.js';
import type { HostPlan } from './types.js';

export interface ApplyChoices {
  /** Restart into the new release: even where hot would work, or despite findings that rule hot out. */
  restart?: boolean;
  /** Go hot despite error findings (never where there is no up-path to run). */
  force?: boolean;
}

export type Execution = 'hot' | 'restart' | 'noop';

const NO_HOT_PATH = new Set(['host/node-down', 'relup/no-up-path', 'relup/missing', 'relup/restart-emulator', 'release/erts-changed', 'release/core-app-changed']);

function refuse(h: HostPlan, message: string, remedy: string): HotupError {
  const errors = h.reasons.filter((r) => r.severity === 'error').map((r) => `    [${r.rule}] ${r.message}`);
  return new HotupError('PLAN_BLOCKED', `${h.host} (${h.from ?? '?'} → ${h.to}): ${message}; nothing was changed${errors.length ? `:\n${errors.join('\n')}` : ''}`, remedy, { host: h.host });
}

export function execution(h: HostPlan, c: ApplyChoices): Execution {
  if (h.action === 'noop') return 'noop';
  // No flag helps: a host holds one build per version, and this build's version is already there.
  if (h.reasons.some((r) => r.rule === 'release/same-version-new-bytes')) {
    throw refuse(h, 'the build has the version the host runs, with other code', 'Bump the release version (and each changed application\'s), then apply; --force and --restart cannot install two builds of one version.');
  }
  const errors = h.reasons.filter((r) => r.severity === 'error');
  const hotPossible = !h.reasons.some((r) => NO_HOT_PATH.has(r.rule));
  if (c.restart) {
    if (h.reasons.some((r) => r.effect === 'block') && !c.force) {
      throw refuse(h, 'the findings rule out a restart too', 'Fix the errors and plan again; --force --restart restarts regardless.');
    }
    return 'restart';
  }
  if (h.action === 'hot') return 'hot';
  if (c.force && hotPossible) return 'hot';
  if (h.action === 'restart' && errors.length === 0) return 'restart';
  if (h.action === 'restart') {
    throw refuse(h, 'a hot upgrade is ruled out by errors that a restart would avoid',
      hotPossible ? 'Fix the errors, or choose: --restart to restart into the new release, --force to go hot anyway.' : 'Fix the errors, or pass --restart to restart into the new release.');
  }
  throw refuse(h, 'the upgrade is blocked', 'Fix the errors and plan again (--force goes ahead regardless, at your own risk).');
}
