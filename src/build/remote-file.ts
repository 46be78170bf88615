/** A file on the build host (this machine or a remote one), read through its executor. */
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import { readFileArgv, READ_FILE_MISSING } from '../commands/files.js';

/** A file's text, or null when it does not exist. */
export async function readRemoteFile(exec: Executor, path: string): Promise<string | null> {
  const r = await exec.run(readFileArgv(path), { timeoutMs: 30_000 });
  if (r.code === READ_FILE_MISSING) return null;
  if (r.code !== 0) {
    throw new HotupError('COMMAND_FAILED', `could not read ${path}: ${r.stderr.trim() || `exit ${r.code}`}`,
      'Check that the SSH user can read the release directory.', { host: exec.target });
  }
  return r.stdout;
}
