import { afterEach, describe, expect, test } from 'vitest';
import { confirm } from '../../src/cli/confirm.js';
import { HotupError } from '../../src/errors.js';

const tty = process.stdin.isTTY;
const ci = process.env.CI;
afterEach(() => {
  process.stdin.isTTY = tty;
  if (ci === undefined) delete process.env.CI;
  else process.env.CI = ci;
});

describe('confirmation without a terminal', () => {
  test('--yes goes on', async () => {
    process.stdin.isTTY = false;
    await expect(confirm('Apply?', true)).resolves.toBeUndefined();
  });

  test('without --yes it stops before anything changes, in CI too (CI=true is not a yes)', async () => {
    process.stdin.isTTY = false;
    for (const value of ['true', undefined]) {
      if (value === undefined) delete process.env.CI;
      else process.env.CI = value;
      const e = await confirm('Apply?', false).then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(HotupError);
      expect((e as HotupError).code).toBe('ABORTED');
      expect((e as HotupError).untouched).toBe(true);
      expect((e as HotupError).remedy).toContain('--yes');
    }
  });
});
