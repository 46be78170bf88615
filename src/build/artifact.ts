/** An artifact on disk for `hotup inspect`: a relup file, a release directory, or a release tarball. */
import { existsSync } from 'node:fs';
import { open, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { scratchDir } from '../scratch.js';
import { extract } from 'tar';
import { HotupError } from '../errors.js';
import { parseStartErlData } from '../terms/start-erl.js';

export type Artifact =
  | { kind: 'relup'; relup: string }
  | { kind: 'release'; root: string; vsn: string; relup: string | null; cleanup: () => Promise<void> };

const GZIP_MAGIC = [0x1f, 0x8b];

function invalid(message: string, remedy: string): HotupError {
  return new HotupError('ARTIFACT_INVALID', message, remedy);
}

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === GZIP_MAGIC[0] && buffer[1] === GZIP_MAGIC[1];
  } finally {
    await fh.close();
  }
}

/** The version a release root holds: the one start_erl.data names, else its only releases/<vsn>/ with a .rel. */
async function releaseVersion(root: string, wanted: string | undefined): Promise<string> {
  if (wanted) {
    if (!existsSync(path.join(root, 'releases', wanted))) {
      throw invalid(`${root} has no release ${wanted} (no releases/${wanted}/)`, 'Name a version the directory holds with --vsn.');
    }
    return wanted;
  }
  const startErl = path.join(root, 'releases', 'start_erl.data');
  if (existsSync(startErl)) return parseStartErlData(await readFile(startErl, 'utf8'), startErl).vsn;
  const dirs = existsSync(path.join(root, 'releases')) ? await readdir(path.join(root, 'releases'), { withFileTypes: true }) : [];
  const withRel = [];
  for (const d of dirs.filter((x) => x.isDirectory())) {
    if ((await readdir(path.join(root, 'releases', d.name))).some((f) => f.endsWith('.rel'))) withRel.push(d.name);
  }
  if (withRel.length === 1) return withRel[0]!;
  throw invalid(
    withRel.length === 0 ? `${root} is not a release: it has no releases/<vsn>/*.rel` : `${root} holds several releases (${withRel.join(', ')})`,
    withRel.length === 0 ? 'Point inspect at a release root (bin/, lib/, releases/), a release tarball or a relup file.' : 'Say which with --vsn.',
  );
}

async function releaseArtifact(root: string, vsn: string | undefined, cleanup: () => Promise<void>): Promise<Artifact> {
  try {
    const v = await releaseVersion(root, vsn);
    const relup = path.join(root, 'releases', v, 'relup');
    return { kind: 'release', root, vsn: v, relup: existsSync(relup) ? relup : null, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

export async function openArtifact(target: string, vsn?: string): Promise<Artifact> {
  const info = await stat(target).catch(() => null);
  if (!info) throw invalid(`${target} does not exist`, 'Give the path of a relup file, a release directory or a release tarball.');
  if (info.isDirectory()) return releaseArtifact(target, vsn, async () => undefined);
  // The content decides, not the name; only a file named like a tarball must be one.
  if (!(await isGzip(target))) {
    if (!target.endsWith('.tar.gz') && !target.endsWith('.tgz')) return { kind: 'relup', relup: target };
    throw invalid(`${target} is not a gzip file, so it is not a release tarball`, 'Give the .tar.gz that rebar3 tar, mix release or systools:make_tar made.');
  }
  const dir = await scratchDir('hotup-inspect-');
  // A failed extraction may still be finishing writes: retry, and never fail the command over a temp dir.
  const cleanup = () => rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => undefined);
  try {
    await extract({ file: target, cwd: dir, strict: true });
  } catch (e) {
    await cleanup();
    throw invalid(`${target} could not be unpacked: ${(e as Error).message}`, 'The tarball is truncated or corrupt; make it again.');
  }
  return releaseArtifact(dir, vsn, cleanup);
}
