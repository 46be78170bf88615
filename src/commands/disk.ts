/** Disk usage of paths on a host. Pure. */

/** One `<kB>\t<path>` line per path, `0` for one that does not exist (any more). */
export function diskUsageArgv(paths: readonly string[]): string[] {
  return ['sh', '-c', 'for p do if [ -e "$p" ]; then du -sk "$p"; else printf "0\\t%s\\n" "$p"; fi; done', 'hotup', ...paths];
}

/** The total of diskUsageArgv's output, in bytes. */
export function parseDiskUsage(stdout: string): number {
  return stdout.split('\n').filter(Boolean).reduce((sum, l) => sum + (Number(l.split('\t')[0]) || 0) * 1024, 0);
}
