/** hotup's session helpers running on this machine, as `ps` shows them. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Every command line that hotup's session started here (the helper VM and its shell); with ROOT,
 * only those of that release root (other test files run sessions of their own meanwhile).
 */
export async function sessionArgvs(root?: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'args', '--no-headers']);
  return stdout.split('\n').filter((l) => l.includes('hotup_session') && (root === undefined || l.includes(root)));
}
