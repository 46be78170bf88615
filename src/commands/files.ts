/** Remote file operations as argv. Each runs `sh -c SCRIPT hotup ARGS…` so paths travel as arguments, never spliced into the script. */

function sh(script: string, ...args: string[]): string[] {
  return ['sh', '-c', script, 'hotup', ...args];
}

/** Prints the file's contents, or exits 3 when it does not exist (so "missing" is not an error). */
export function readFileArgv(path: string): string[] {
  return sh('if [ -f "$1" ]; then cat "$1"; else exit 3; fi', path);
}

export const READ_FILE_MISSING = 3;

/** Prints the sha256 hex digest, or exits 3 when the file does not exist. */
export function sha256Argv(path: string): string[] {
  return sh(
    '[ -f "$1" ] || exit 3; if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi',
    path,
  );
}

export function mkdirArgv(path: string): string[] {
  return ['mkdir', '-p', path];
}

/** Same-directory rename: atomic on POSIX file systems. */
export function renameArgv(from: string, to: string): string[] {
  return ['mv', '-f', from, to];
}

export function removeArgv(path: string): string[] {
  return ['rm', '-f', path];
}

export function testFileArgv(path: string): string[] {
  return ['test', '-f', path];
}
