/** Remote file operations as argv. Each runs `sh -c SCRIPT hotup ARGS…` so paths travel as arguments, never spliced into the script. */

function sh(script: string, ...args: string[]): string[] {
  return ['sh', '-c', script, 'hotup', ...args];
}

/** Prints the file's contents, or exits 3 when it does not exist (so "missing" is not an error). */
export function readFileArgv(path: string): string[] {
  return sh('if [ -f "$1" ]; then cat "$1"; else exit 3; fi', path);
}

export const READ_FILE_MISSING = 3;

const SHA256 = 'if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi';

/** Prints the sha256 hex digest, or exits 3 when the file does not exist. */
export function sha256Argv(path: string): string[] {
  return sh(`[ -f "$1" ] || exit 3; ${SHA256}`, path);
}

/** Exit codes of the ship builders below. */
export const SHIP_EXIT = { missing: 3, noDirectory: 4, mismatch: 5 } as const;

/**
 * Before an upload, in one command: the target's directory made (exit 4 when
 * it cannot be), the temp files of cut-off uploads removed, then the sha256 of
 * a file already there, or exit 3.
 */
export function prepareShipArgv(path: string): string[] {
  // Temp files of an upload that was cut off (the deploy lock excludes one running now) go first.
  return sh(`mkdir -p "$(dirname "$1")" || exit 4; rm -f "$(dirname "$1")/.$(basename "$1").hotup-"*; [ -f "$1" ] || exit 3; ${SHA256}`, path);
}

/**
 * After an upload, in one command: the uploaded TEMP's sha256 checked against
 * SHA256, then TEMP renamed over FINAL (atomic in one directory). On a
 * mismatch (exit 5) TEMP is removed and its digest printed on stderr.
 */
export function commitShipArgv(temp: string, final: string, sha256: string): string[] {
  return sh(`d=$(${SHA256}) || exit 1; d=\${d%% *}; `
    + '[ "$d" = "$3" ] || { rm -f "$1"; printf "%s" "$d" >&2; exit 5; }; mv -f "$1" "$2"', temp, final, sha256);
}

export function mkdirArgv(path: string): string[] {
  return ['mkdir', '-p', path];
}

/** Same-directory rename: atomic on POSIX file systems. */
export function renameArgv(from: string, to: string): string[] {
  return ['mv', '-f', from, to];
}

/** Writes stdin to PATH. */
export function writeFileArgv(path: string): string[] {
  return sh('cat > "$1"', path);
}

/** Prints, one a line, those of PATHS that are directories. */
export function existingDirsArgv(paths: string[]): string[] {
  return sh('for d in "$@"; do [ -d "$d" ] && printf "%s\\n" "$d"; done; exit 0', ...paths);
}

export function removeArgv(path: string): string[] {
  return ['rm', '-f', path];
}

export function testFileArgv(path: string): string[] {
  return ['test', '-f', path];
}

/** FROM renamed over TO when FROM exists; nothing to do otherwise. */
export function renameIfPresentArgv(from: string, to: string): string[] {
  return sh('[ -f "$1" ] || exit 0; mv -f "$1" "$2"', from, to);
}

/**
 * The consolidated protocols (releases/<vsn>/consolidated/*.beam, a mix
 * release's) that differ between releases A and B under ROOT, one file name a
 * line; nothing when either release has no consolidated/.
 */
export function consolidatedDiffArgv(root: string, a: string, b: string): string[] {
  return sh([
    'cd "$1/releases" 2>/dev/null || exit 0',
    '[ -d "$2/consolidated" ] && [ -d "$3/consolidated" ] || exit 0',
    'for f in "$2"/consolidated/*.beam "$3"/consolidated/*.beam; do',
    '  n=${f##*/}; cmp -s "$2/consolidated/$n" "$3/consolidated/$n" || echo "$n"',
    'done | sort -u',
  ].join('\n'), root, a, b);
}
