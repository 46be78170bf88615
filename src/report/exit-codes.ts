/**
 * Exit codes, documented in docs/cli.md and carried as `exit` in the JSON error
 * document: a script can tell "nothing changed" from "rolled back" from "look now".
 */
import { isHotupError } from '../errors.js';
import type { HostResult } from '../core/results.js';
import type { UpgradePlan } from '../plan/types.js';
import type { InspectResult } from '../core/inspect.js';
import { decide } from '../plan/decide.js';

export const EXIT = {
  ok: 0,
  /** Failed and needs attention: a host may run something other than before (or it could not be told). */
  failed: 1,
  usage: 2,
  blocked: 3,
  locked: 4,
  /** The build failed: no host was touched. */
  build: 5,
  /** Stopped before any change: not confirmed, or a failure before the first change on any host. */
  aborted: 6,
  /** A host failed and was rolled back: it serves the release it ran before. */
  rolledBack: 7,
} as const;

export function exitCodeFor(e: unknown): number {
  if (!isHotupError(e)) return EXIT.failed;
  switch (e.code) {
    case 'CONFIG_NOT_FOUND':
    case 'CONFIG_INVALID':
    case 'USAGE':
      return EXIT.usage;
    case 'PLAN_BLOCKED':
    case 'NOT_NEWER':
      return EXIT.blocked;
    case 'LOCK_HELD':
      return EXIT.locked;
    case 'BUILD_FAILED':
    case 'OLD_RELEASE_MISSING':
      return EXIT.build;
    case 'ROLLED_BACK':
      return EXIT.rolledBack;
    default: {
      // Untouched is about the failing host; hosts of earlier waves may have changed.
      const results = (e as { results?: HostResult[] }).results ?? [];
      return e.untouched && !results.some((r) => r.outcome === 'upgraded') ? EXIT.aborted : EXIT.failed;
    }
  }
}

/** A plan that cannot be carried out on some host exits `blocked`, as apply would. */
export function planExitCode(p: UpgradePlan): number {
  return p.hosts.some((h) => h.action === 'blocked') ? EXIT.blocked : EXIT.ok;
}

/** An inspected upgrade that is blocked (on any up-path judged, or as a whole) exits `blocked`, as plan does. */
export function inspectExitCode(r: InspectResult): number {
  return r.paths.some((p) => p.decision === 'blocked') || decide(r.findings).kind === 'blocked' ? EXIT.blocked : EXIT.ok;
}
