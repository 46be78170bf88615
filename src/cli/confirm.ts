/**
 * Asks on a terminal; never waits when there is none. Only --yes goes on
 * unasked: a CI job (CI=true) that forgot it stops before changing anything.
 */
import { HotupError } from '../errors.js';

export async function confirm(question: string, assumeYes: boolean): Promise<void> {
  if (assumeYes) return;
  if (!process.stdin.isTTY) {
    throw new HotupError('ABORTED', 'confirmation needed, but there is no terminal to ask on; nothing was changed',
      'Review the plan above and pass --yes to proceed without a prompt (in CI too).', { untouched: true });
  }
  // Imported only to ask: every command module imports this one, `hotup --help` too.
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') {
      throw new HotupError('ABORTED', 'not confirmed; nothing was changed', 'Run apply again and answer "y" to proceed.', { untouched: true });
    }
  } finally {
    rl.close();
  }
}
