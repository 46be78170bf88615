/** The compiled CLI's own flags against the commands' flags: nothing swallows what was meant for a command. */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { hotup } from '../support/cli.js';

let empty: string;
let version: string;
beforeAll(async () => {
  empty = await mkdtemp(path.join(os.tmpdir(), 'hotup-cli-'));
  version = (JSON.parse(await readFile(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
});

test('hotup --version is hotup\'s own version', async () => {
  const r = await hotup(['--version'], { cwd: empty });
  expect(r.code).toBe(0);
  expect(r.stdout.trim()).toBe(version);
});

test('a --version after a command is that command\'s unknown option (usage, exit 2), never hotup\'s version and exit 0', async () => {
  const r = await hotup(['apply', 'prod', '--version', '0.3.0', '--yes'], { cwd: empty });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("unknown option '--version'");
  expect(r.stdout).not.toContain(version);
});

test('--vsn is the release version apply and plan build; it is parsed (the missing config is what stops them)', async () => {
  for (const cmd of ['apply', 'plan']) {
    const r = await hotup([cmd, 'prod', '--vsn', '0.3.0'], { cwd: empty });
    expect(r.code, cmd).toBe(2);
    expect(r.stderr, cmd).toContain('CONFIG_NOT_FOUND');
  }
});
