/** The Erlang helper on a production host, run with the release's own ERTS (hosts need no Erlang of their own). */
import path from 'node:path';
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import { HELPER_FILES, releaseEscript } from '../commands/helper.js';
import { mkdirArgv, testFileArgv } from '../commands/files.js';
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

/** The release's own escript for ERTS when the release has one, else the host's. */
export async function hostEscript(exec: Executor, root: string, erts: string): Promise<string> {
  const own = releaseEscript(root, erts);
  return (await exec.run(testFileArgv(own), { timeoutMs: 30_000 })).code === 0 ? own : 'escript';
}
