/** The deploy lock on a host: a directory made atomically by mkdir, with who/when/what inside. Pure. */

export function lockDir(root: string): string {
  return `${root}/releases/.hotup-lock`;
}

/** mkdir fails if the lock exists (exit 3); otherwise the holder's note is written inside. */
export function acquireLockArgv(root: string, note: string): string[] {
  return ['sh', '-c', 'mkdir "$1" 2>/dev/null || exit 3; printf "%s\\n" "$2" > "$1/holder.json"', 'hotup', lockDir(root), note];
}

export const LOCK_HELD = 3;

export function readLockArgv(root: string): string[] {
  return ['sh', '-c', '[ -d "$1" ] || exit 3; cat "$1/holder.json" 2>/dev/null || echo "{}"', 'hotup', lockDir(root)];
}

export function releaseLockArgv(root: string): string[] {
  return ['rm', '-rf', lockDir(root)];
}
