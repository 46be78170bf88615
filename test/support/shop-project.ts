/**
 * A working copy of the rebar3 fixture that moves between versions the way a
 * project's checkout does, so rebar3 keeps earlier releases under _build.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

export function fixtureVersion(name: string): string {
  return path.join(FIXTURES, 'rebar3-shop', name);
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `hotup-${prefix}-`));
}

/**
 * Replaces the project's sources with those of a fixture version (like a git
 * checkout). The release takes its node name and port from the environment
 * where it starts (shopEnv), so the project needs no edit per node.
 */
export async function checkout(projectDir: string, version: string): Promise<void> {
  await rm(path.join(projectDir, 'apps'), { recursive: true, force: true });
  await cp(fixtureVersion(version), projectDir, { recursive: true });
}

/** `rebar3 as prod release` + `tar`: the tarball of the version now checked out. */
export async function buildTarball(projectDir: string, vsn: string): Promise<string> {
  await buildRelease(projectDir);
  await run('rebar3', ['as', 'prod', 'tar'], { cwd: projectDir, timeout: 300_000 });
  return path.join(projectDir, '_build/prod/rel/shop', `shop-${vsn}.tar.gz`);
}

/** `rebar3 as prod release` of the version now checked out. */
export async function buildRelease(projectDir: string): Promise<void> {
  await run('rebar3', ['as', 'prod', 'release'], { cwd: projectDir, timeout: 300_000 });
}

/** A relup made by rebar3 from FROM to the checked-out TO: its path. Both releases must be built. */
export async function buildRelup(projectDir: string, from: string, to: string): Promise<string> {
  await run('rebar3', ['as', 'prod', 'relup', '--relname', 'shop', '--relvsn', to, '--upfrom', from], { cwd: projectDir, timeout: 300_000 });
  return path.join(projectDir, '_build/prod/rel/shop/releases', to, 'relup');
}

/** A version's sources (v2 unless said) with a variant's files laid over them (fixtures/rebar3-shop/variants/NAME). */
export async function checkoutVariant(projectDir: string, variant: string, base = 'v2'): Promise<void> {
  await checkout(projectDir, base);
  await cp(fixtureVersion(`variants/${variant}`), projectDir, { recursive: true });
}

/** A copy of a project with its _build, so each variant starts from the same built releases. */
export async function copyProject(from: string, to: string): Promise<void> {
  // rebar3's _build links back into the project with relative links; keep them relative.
  await cp(from, to, { recursive: true, verbatimSymlinks: true });
}

/** The mix fixture at VERSION (fixtures/mix-shop/VERSION), as a checkout would leave it. */
export async function checkoutMix(projectDir: string, version: string): Promise<void> {
  await rm(path.join(projectDir, 'lib'), { recursive: true, force: true });
  await cp(path.join(FIXTURES, 'mix-shop', version), projectDir, { recursive: true });
}

/** The mix fixture at BASE with a variant's files laid over it (fixtures/mix-shop/variants/NAME). */
export async function checkoutMixVariant(projectDir: string, variant: string, base: string): Promise<void> {
  await checkoutMix(projectDir, base);
  await cp(path.join(FIXTURES, 'mix-shop', 'variants', variant), projectDir, { recursive: true });
}

/** `MIX_ENV=prod mix release --overwrite`: the release directory of the version checked out. */
export async function buildMixRelease(projectDir: string, app: string): Promise<string> {
  // The fixture defines no releases: its one release is named after the app.
  await run('mix', ['release', '--overwrite'], { cwd: projectDir, timeout: 300_000, env: { ...process.env, MIX_ENV: 'prod' } });
  return path.join(projectDir, '_build/prod/rel', app);
}

/** The umbrella fixture at VERSION (fixtures/mix-umbrella/VERSION), as a checkout would leave it. */
export async function checkoutUmbrella(projectDir: string, version: string): Promise<void> {
  await rm(path.join(projectDir, 'apps'), { recursive: true, force: true });
  await cp(path.join(FIXTURES, 'mix-umbrella', version), projectDir, { recursive: true });
}
