/**
 * A host for a test file, as most integration tests start: an OpenSSH server on 127.0.0.1, a release root
 * running the rebar3 shop built from SOURCE (0.1.0), and the project as a working copy of that build, in
 * a temp dir of its own. `stop` takes it all down; `prod` is the environment that reaches it.
 */
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { buildRebar3Shop, workingCopy, type ShopBuild, type ShopSource } from './fixture-build.js';
import type { TestEnvironment } from './hotup-config.js';
import { deployTarball, newInstance, shopEnv, startNode, stopNode, type ShopInstance } from './shop-node.js';
import { tempDir } from './shop-project.js';
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
