/**
 * Errors a user can act on carry a stable code, what happened, and a remedy.
 * Anything else reaching the CLI is a bug and is printed with its stack.
 */
export type ErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'SSH_CONNECT'
  | 'SSH_AUTH'
  | 'SSH_HOST_KEY_UNKNOWN'
  | 'SSH_HOST_KEY_CHANGED'
  | 'COMMAND_TIMEOUT'
  | 'COMMAND_FAILED'
  | 'UPLOAD_FAILED'
  | 'HELPER_FAILED'
  | 'TERM_DECODE'
  | 'NOT_A_RELEASE'
  | 'NODE_DOWN'
  | 'LINK_LOST'
  | 'CALL_FAILED'
  | 'BUILD_FAILED'
  | 'OLD_RELEASE_MISSING'
  | 'ARTIFACT_INVALID'
  | 'NOT_NEWER'
  | 'PLAN_BLOCKED'
  | 'PLAN_STALE'
  | 'UPGRADE_FAILED'
  | 'VERIFY_FAILED'
  | 'HEALTH_FAILED'
  | 'ROLLED_BACK'
  | 'NOT_INSTALLED'
  | 'LOCK_HELD'
  | 'HOOK_FAILED'
  | 'ABORTED'
  | 'ERLPACK_MISSING';

export class HotupError extends Error {
  readonly code: ErrorCode;
  readonly remedy: string;
  readonly host: string | undefined;
  /** The failure left the node on what it ran before, untouched: nothing to roll back. */
  readonly untouched: boolean;

  constructor(code: ErrorCode, message: string, remedy: string, options: { host?: string; cause?: unknown; untouched?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HotupError';
    this.code = code;
    this.remedy = remedy;
    this.host = options.host;
    this.untouched = options.untouched ?? false;
  }

  /** The same error, known to have come before any change on the host. */
  asUntouched(): HotupError {
    if (this.untouched) return this;
    return new HotupError(this.code, this.message, this.remedy, { host: this.host, cause: this.cause, untouched: true });
  }

  /** The same error, attributed to a host (first attribution wins). */
  onHost(host: string): HotupError {
    if (this.host !== undefined) return this;
    return new HotupError(this.code, this.message, this.remedy, { host, cause: this.cause, untouched: this.untouched });
  }
}

export function isHotupError(e: unknown): e is HotupError {
  return e instanceof HotupError;
}

/** Runs BODY, whose failures all come before any change on a host: they are marked so (exit code, no rollback). */
export async function beforeAnyChange<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    throw isHotupError(e) ? e.asUntouched() : e;
  }
}
