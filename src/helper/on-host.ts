/** The Erlang helper on a production host, run with the release's own ERTS (hosts need no Erlang of their own). */
import path from 'node:path';
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import { HELPER_FILES, hostHelperDir, releaseEscript } from '../commands/helper.js';
import { mkdirArgv, testFileArgv } from '../commands/files.js';
import type { Term } from '../terms/etf.js';
import { localHelperDir, runHelper } from './run.js';

/** Copies the helper's files into DIR on the machine EXEC runs on. */
export async function uploadHelper(exec: Executor, dir: string): Promise<void> {
  const mk = await exec.run(mkdirArgv(dir), { timeoutMs: 30_000 });
  if (mk.code !== 0) {
    throw new HotupError('COMMAND_FAILED', `cannot create ${dir}: ${mk.stderr.trim()}`,
      'The SSH user must be able to write there.', { host: exec.target });
  }
  for (const f of HELPER_FILES) await exec.upload(path.join(localHelperDir(), f), `${dir}/${f}`);
}

/** Uploads the helper into the release root and returns how to run it there. */
async function installHostHelper(exec: Executor, root: string, erts: string): Promise<{ dir: string; escript: string }> {
  const dir = hostHelperDir(root);
  await uploadHelper(exec, dir);
  const own = releaseEscript(root, erts);
  const escript = (await exec.run(testFileArgv(own), { timeoutMs: 30_000 })).code === 0 ? own : 'escript';
  return { dir, escript };
}

export async function runHostHelper(exec: Executor, root: string, erts: string, command: string, args: string[], timeoutMs = 5 * 60_000): Promise<Term> {
  const { dir, escript } = await installHostHelper(exec, root, erts);
  return runHelper(exec, dir, command, args, { escript, timeoutMs });
}
