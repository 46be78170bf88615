/** Git command lines for bringing a revision to a remote build host. Pure. */

export function revParseArgv(projectDir: string): string[] {
  return ['git', '-C', projectDir, 'rev-parse', 'HEAD'];
}

export function dirtyArgv(projectDir: string): string[] {
  return ['git', '-C', projectDir, 'status', '--porcelain', '--untracked-files=no'];
}

/** A bundle of everything reachable from HEAD: the build host needs no access to the origin. */
export function bundleArgv(projectDir: string, out: string): string[] {
  return ['git', '-C', projectDir, 'bundle', 'create', out, 'HEAD'];
}

/**
 * On the build host: a repository at DIR (made if needed) checked out at the
 * bundle's commit. A relative BUNDLE is in the login's home, as SFTP put it.
 */
export function checkoutBundleArgv(dir: string, bundle: string, commit: string): string[] {
  return ['sh', '-c',
    'case "$2" in /*) b="$2" ;; *) b="$HOME/$2" ;; esac; ' +
    'mkdir -p "$1" && cd "$1" && { git rev-parse --git-dir >/dev/null 2>&1 || git init -q; } && ' +
    'git fetch -q "$b" HEAD && git checkout -q --force --detach "$3"',
    'hotup', dir, bundle, commit];
}
