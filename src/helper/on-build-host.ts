/** The Erlang helper's files on a remote build host, which has Erlang of its own. */
import path from 'node:path';
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import { HELPER_FILES } from '../commands/helper.js';
import { mkdirArgv } from '../commands/files.js';
import { localHelperDir } from './run.js';

/** Copies the helper's files into DIR on the machine EXEC runs on. */
export async function uploadHelper(exec: Executor, dir: string): Promise<void> {
  const mk = await exec.run(mkdirArgv(dir), { timeoutMs: 30_000 });
  if (mk.code !== 0) {
    throw new HotupError('COMMAND_FAILED', `cannot create ${dir}: ${mk.stderr.trim()}`,
      'The SSH user must be able to write there.', { host: exec.target });
  }
  for (const f of HELPER_FILES) await exec.upload(path.join(localHelperDir(), f), `${dir}/${f}`);
}
