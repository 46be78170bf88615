/** Packing part of a release root into a tarball on a host, to bring it elsewhere. Pure. */

/** `tar czf OUT -C ROOT PATHS…`; the paths are relative to ROOT. */
export function packArgv(root: string, out: string, paths: string[]): string[] {
  return ['tar', 'czf', out, '-C', root, ...paths];
}
