/** Packing part of a release root into a tarball on a host, and unpacking it elsewhere. Pure. */

/** `tar czf OUT -C ROOT PATHS…`; the paths are relative to ROOT. */
export function packArgv(root: string, out: string, paths: string[]): string[] {
  return ['tar', 'czf', out, '-C', root, ...paths];
}

/** `tar xzf ARCHIVE -C DIR`: the counterpart of packArgv. */
export function unpackArgv(archive: string, dir: string): string[] {
  return ['tar', 'xzf', archive, '-C', dir];
}
