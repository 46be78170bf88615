/** Facts of a release — its applications, modules, appups — read by the helper where the release is. */
import path from 'node:path';
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import { HELPER_FILES, hostHelperDir, releaseEscript } from '../commands/helper.js';
import { mkdirArgv, testFileArgv } from '../commands/files.js';
import { parseReleaseFacts } from '../terms/facts.js';
import type { ReleaseFacts } from '../terms/model.js';
import { listItems, text } from '../terms/shape.js';
import { localHelperDir, runHelper } from './helper.js';

const FACTS_TIMEOUT_MS = 5 * 60_000;

/** On the build host, which has Erlang. */
export async function buildHostFacts(exec: Executor, relDir: string, vsn: string): Promise<ReleaseFacts> {
  return parseReleaseFacts(await runHelper(exec, localHelperDir(), 'facts', [relDir, vsn], { timeoutMs: FACTS_TIMEOUT_MS }));
}

/** Which of these beam files have an -on_load function (build host). */
export async function onLoadModules(exec: Executor, beams: string[]): Promise<string[]> {
  if (beams.length === 0) return [];
  const t = await runHelper(exec, localHelperDir(), 'onload', beams, { timeoutMs: FACTS_TIMEOUT_MS });
  return listItems(t, 'onload').map((b) => path.basename(text(b, 'onload'), '.beam'));
}

/**
 * On a production host, with the release's own ERTS: the running release as
 * it really is there (a rebuilt copy on the build host can differ).
 */
export async function hostFacts(exec: Executor, root: string, erts: string, vsn: string): Promise<ReleaseFacts> {
  const dir = hostHelperDir(root);
  const mk = await exec.run(mkdirArgv(dir), { timeoutMs: 30_000 });
  if (mk.code !== 0) {
    throw new HotupError('COMMAND_FAILED', `cannot create ${dir}: ${mk.stderr.trim()}`,
      'The SSH user must be able to write inside deploy_to.', { host: exec.target });
  }
  for (const f of HELPER_FILES) await exec.upload(path.join(localHelperDir(), f), `${dir}/${f}`);
  const own = releaseEscript(root, erts);
  const escript = (await exec.run(testFileArgv(own), { timeoutMs: 30_000 })).code === 0 ? own : 'escript';
  return parseReleaseFacts(await runHelper(exec, dir, 'facts', [root, vsn], { escript, timeoutMs: FACTS_TIMEOUT_MS }));
}
