// The CLI tests run the compiled binary, as a user would; compile it once per run.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { toolVersions } from './fixture-cache.js';

const run = promisify(execFile);

export default async function setup(project: TestProject): Promise<void> {
  // Unit tests never run the binary (npm run test:unit sets this).
  if (process.env.HOTUP_TEST_NO_BUILD === '1') return;
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  // The fixture cache keys on the toolchain's versions: ask once here, while tsc runs, not in every test file.
  const [, tools] = await Promise.all([
    run('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root }).catch((e: { stdout?: string; stderr?: string }) => {
      throw new Error(`tsc failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }),
    toolVersions(),
  ]);
  project.provide('fixtureTools', tools);
}
