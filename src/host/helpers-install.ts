/**
 * hotup's Erlang helpers on a production host: kept under
 * `<root>/.hotup/helpers/<digest>/`, installed in one command the first time
 * a version of them is needed there, and never again while they are there.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { create as tarCreate } from 'tar';
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import { helpersDir, HOST_FILES, installHelpersArgv } from '../commands/session.js';
import { localHelperDir } from '../helper/run.js';

let digestOf: string | undefined;
/** Each version of the helpers has its own directory: a newer hotup never runs an older helper. */
export function helpersDigest(): string {
  if (digestOf) return digestOf;
  const h = createHash('sha256');
  for (const f of HOST_FILES) h.update(readFileSync(path.join(localHelperDir(), f)));
  digestOf = h.digest('hex').slice(0, 16);
  return digestOf;
}

let tarOf: Promise<Buffer> | undefined;
/** The helpers' files as an uncompressed tar, made once per run. */
function helpersTar(): Promise<Buffer> {
  tarOf ??= (async () => {
    const chunks: Buffer[] = [];
    for await (const c of tarCreate({ cwd: localHelperDir(), portable: true }, HOST_FILES)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  })();
  return tarOf;
}

export async function installHelpers(exec: Executor, root: string): Promise<void> {
  const dir = helpersDir(root, helpersDigest());
  const r = await exec.run(installHelpersArgv(dir), { stdin: await helpersTar(), timeoutMs: 60_000 });
  if (r.code !== 0) {
    throw new HotupError('HELPER_FAILED', `cannot install hotup's helpers in ${dir}: ${r.stderr.trim() || `exit ${r.code}`}`,
      'The SSH user must be able to write under deploy_to (hotup keeps its helpers in deploy_to/.hotup), the disk must have room, and the host needs tar.',
      { host: exec.target });
  }
}
