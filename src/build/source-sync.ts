/**
 * A remote build host builds the commit checked out here: it is bundled, sent
 * over the same SSH connection, and checked out in build.path on the build
 * host, so the build host needs no access to the origin repository.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { scratchDir } from '../scratch.js';
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import { LocalExecutor } from '../remote/local.js';
import { bundleArgv, checkoutBundleArgv, dirtyArgv, revParseArgv } from '../commands/git.js';
import { removeArgv } from '../commands/files.js';

export interface SyncedSource {
  commit: string;
  /** Local changes not committed: they are not part of what the build host builds. */
  dirty: boolean;
}

async function local(argv: string[], what: string): Promise<string> {
  const r = await new LocalExecutor().run(argv, { timeoutMs: 5 * 60_000 });
  if (r.code !== 0) {
    throw new HotupError('BUILD_FAILED', `${what} failed: ${r.stderr.trim() || `exit ${r.code}`}`,
      'A remote build host builds a git commit: run hotup inside the project\'s git checkout.');
  }
  return r.stdout.trim();
}

export async function syncSource(projectDir: string, build: Executor, buildPath: string): Promise<SyncedSource> {
  const commit = await local(revParseArgv(projectDir), 'git rev-parse HEAD');
  const dirty = (await local(dirtyArgv(projectDir), 'git status')) !== '';
  const tmp = await scratchDir('hotup-src-');
  const bundle = path.join(tmp, 'source.bundle');
  const remote = `.hotup/source-${commit.slice(0, 12)}.bundle`;
  try {
    await local(bundleArgv(projectDir, bundle), 'git bundle');
    await build.run(['mkdir', '-p', '.hotup'], { timeoutMs: 30_000 });
    await build.upload(bundle, remote);
    const r = await build.run(checkoutBundleArgv(buildPath, remote, commit), { timeoutMs: 5 * 60_000 });
    if (r.code !== 0) {
      throw new HotupError('BUILD_FAILED', `checking out ${commit.slice(0, 12)} in ${buildPath} on the build host failed: ${r.stderr.trim()}`,
        'The build host needs git, and build.path must be a directory hotup may own (it checks commits out there by force).', { host: build.target });
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
    await build.run(removeArgv(remote), { timeoutMs: 30_000 }).catch(() => undefined);
  }
  return { commit, dirty };
}
