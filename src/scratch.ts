/**
 * Temporary directories on this machine (downloaded tarballs, unpacked
 * artifacts, source archives). Each is removed when the process exits, by
 * whatever path: a normal end, an error, or a stop at once on a second Ctrl-C.
 */
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const made = new Set<string>();
let hooked = false;

/** A new directory under the system's temporary directory, named PREFIX plus random characters. */
export async function scratchDir(prefix: string): Promise<string> {
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const dir of made) rmSync(dir, { recursive: true, force: true });
    });
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}
