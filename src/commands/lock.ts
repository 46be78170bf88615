/** The deploy lock on a host: a directory made atomically by mkdir, with who/when/what inside. Pure. */

export function lockDir(root: string): string {
  return `${root}/releases/.hotup-lock`;
}

/** mkdir fails if the lock exists (exit 3); otherwise the holder's note is written inside. */
/**
 * Exit 3: held (the directory exists). Any other failure (no space, no
 * permission) leaves no directory behind: a half-taken lock would be an orphan.
 */
export function acquireLockArgv(root: string, note: string): string[] {
  return ['sh', '-c', 'if ! mkdir "$1" 2>/dev/null; then [ -d "$1" ] && exit 3; exit 4; fi; printf "%s\\n" "$2" > "$1/holder.json" || { rm -rf "$1"; exit 4; }',
    'hotup', lockDir(root), note];
}

export const LOCK_HELD = 3;

export function readLockArgv(root: string): string[] {
  return ['sh', '-c', '[ -d "$1" ] || exit 3; cat "$1/holder.json" 2>/dev/null || echo "{}"', 'hotup', lockDir(root)];
}

export function releaseLockArgv(root: string): string[] {
  return ['rm', '-rf', lockDir(root)];
}
