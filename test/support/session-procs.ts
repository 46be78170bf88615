/** hotup's session helpers running on this machine, as `ps` shows them. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Every command line that hotup's session started here (the helper VM and its shell). */
export async function sessionArgvs(): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'args', '--no-headers']);
  return stdout.split('\n').filter((l) => l.includes('hotup_session'));
}
