/** Exit codes, documented in docs/cli.md. */
import { isHotupError } from '../errors.js';

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  blocked: 3,
  locked: 4,
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
    default:
      return EXIT.failed;
  }
}
