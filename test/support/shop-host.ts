/**
 * A host for a test file, as most integration tests start: an OpenSSH server on 127.0.0.1, a release root
 * running the rebar3 shop built from SOURCE (0.1.0), and the project as a working copy of that build, in
 * a temp dir of its own. `stop` takes it all down; `prod` is the environment that reaches it.
 */
import path from 'node:path';
import { cp, rm } from 'node:fs/promises';
import { buildRebar3Shop, workingCopy, type MixShopBuild, type ShopBuild, type ShopSource } from './fixture-build.js';
import { writeHotupConfig, type TestEnvironment } from './hotup-config.js';
import { deployTarball, newInstance, shopEnv, startNode, stopNode, type ShopInstance } from './shop-node.js';
import { copyProject, tempDir } from './shop-project.js';
import { startSshd, type SshdHandle } from './sshd.js';

export interface ShopHost {
  sshd: SshdHandle;
  inst: ShopInstance;
  work: string;
  /** The project, a working copy of the build the node runs. */
  project: string;
  /** The release root the node runs from. */
  root: string;
  build: ShopBuild;
  /** The environment `prod` of hotup.yml for this host, with the node's env and SETTINGS. */
  prod(settings?: Record<string, unknown>): TestEnvironment;
  stop(): Promise<void>;
}

export async function startShopHost(prefix: string, opts: { source?: ShopSource; instance?: string } = {}): Promise<ShopHost> {
  const sshd = await startSshd();
  const work = await tempDir(prefix);
  const root = path.join(work, 'opt/shop');
  let inst: ShopInstance | undefined;
  const stop = async () => {
    if (inst) await stopNode(root, 'shop', shopEnv(inst));
    await sshd.stop();
    await rm(work, { recursive: true, force: true });
  };
  try {
    inst = await newInstance(opts.instance);
    const project = path.join(work, 'project');
    const build = await buildRebar3Shop([opts.source ?? 'v1'], { tarball: true });
    await workingCopy(build, project);
    await deployTarball(build.tarball!, root);
    await startNode(root, 'shop', shopEnv(inst));
    const running = inst;
    const prod = (settings: Record<string, unknown> = {}): TestEnvironment => ({
      name: 'prod', hosts: [`${sshd.user}@127.0.0.1:${sshd.port}`], deployTo: root, identity: sshd.identity, knownHosts: sshd.knownHosts,
      settings: { env: shopEnv(running), ...settings },
    });
    return { sshd, inst: running, work, project, root, build, prod, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A mix release's host: as ShopHost, for the release RELEASE of BUILD, its node run with ENV. */
export interface MixHost {
  sshd: SshdHandle;
  work: string;
  project: string;
  root: string;
  /** The environment `prod` of hotup.yml for this host (the node's ENV unless SETTINGS say otherwise), with the mix build. */
  writeConfig(settings?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

/**
 * An sshd, BUILD's release RELEASE copied to a release root and started by START (default `bin/<release>
 * daemon`, with ENV), and the project as a copy of BUILD's, under a temp dir of its own.
 */
export async function startMixHost(prefix: string, build: MixShopBuild, release: string, env: Record<string, string>,
  start: (at: { root: string; work: string }) => Promise<void> = ({ root }) => startNode(root, release, env, 'pid')): Promise<MixHost> {
  const sshd = await startSshd();
  const work = await tempDir(prefix);
  const root = path.join(work, 'opt', release);
  const project = path.join(work, 'project');
  const stop = async () => {
    await stopNode(root, release, env);
    await sshd.stop();
    await rm(work, { recursive: true, force: true });
  };
  try {
    await copyProject(build.dir, project);
    await cp(build.relDir, root, { recursive: true, verbatimSymlinks: true });
    await start({ root, work });
    const writeConfig = (settings: Record<string, unknown> = {}) => writeHotupConfig(project, release, [{
      name: 'prod', hosts: [`${sshd.user}@127.0.0.1:${sshd.port}`], deployTo: root, identity: sshd.identity, knownHosts: sshd.knownHosts,
      settings: { env, ...settings },
    }], { build: { host: 'local', tool: 'mix', path: '.', profile: 'prod' } });
    return { sshd, work, project, root, writeConfig, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
