/**
 * The fixture shop as the apply and fleet parts use it: one project with 0.1.0
 * built and 0.2.0 checked out (copied afresh for every measured upgrade, so
 * each starts from the same _build), and fresh 0.1.0 nodes in their own release
 * roots, named and placed by environment (SHOP_NODE, SHOP_PORT) as fleets do.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startSshd, type SshdHandle } from '../test/support/sshd.js';
import { deployTarball, freePort, request, startNode, stopNode } from '../test/support/shop-node.js';
import { buildTarball, checkout, copyProject, tempDir } from '../test/support/shop-project.js';
import { mapLimit, removeTree, type Cleanup } from './lib.js';

export const FROM = '0.1.0';
export const TO = '0.2.0';

/**
 * Small nodes, so twenty fit on two cores: one scheduler of each kind, one
 * async thread, and no busy-waiting schedulers taking CPU from the others.
 */
const VM_ARGS = '-sname ${SHOP_NODE}\n-setcookie hotup_test\n+K true\n-shop port ${SHOP_PORT}\n+S 1:1\n+SDcpu 1:1\n+SDio 1\n+A 1\n+sbwt none\n+sbwtdcpu none\n+sbwtdio none\n';

export interface ShopWork {
  work: string;
  /** The project: 0.1.0 built under _build, 0.2.0 checked out. Copy it with projectCopy; do not build in it. */
  base: string;
  /** The 0.1.0 tarball every node starts from. */
  tarball: string;
  /** Nodes running now, stopped by the clean-up should a run be cut short. */
  live: Set<ShopNode>;
}

async function checkoutSmall(project: string, version: string): Promise<void> {
  await checkout(project, version);
  await writeFile(path.join(project, 'config/vm.args.src'), VM_ARGS);
}

export async function prepareShop(cleanup: Cleanup, prefix: string): Promise<ShopWork> {
  const work = await tempDir(`bench-${prefix}`);
  cleanup.defer(() => removeTree(work));
  const live = new Set<ShopNode>();
  cleanup.defer(() => stopShopNodes([...live]));
  const base = path.join(work, 'base');
  await checkoutSmall(base, 'v1');
  const tarball = path.join(work, `shop-${FROM}.tar.gz`);
  await writeFile(tarball, await readFile(await buildTarball(base, FROM)));
  await checkoutSmall(base, 'v2');
  return { work, base, tarball, live };
}

/** A copy of the base project at DEST, compiled afresh as a new checkout would be. */
export async function projectCopy(shop: ShopWork, dest: string): Promise<string> {
  await copyProject(shop.base, dest);
  // rebar3's compile state names the base's paths: no stale beam of 0.1.0 may survive in the copy.
  await rm(path.join(dest, '_build/prod/lib/shop'), { recursive: true, force: true });
  return dest;
}

export interface ShopNode {
  root: string;
  env: { SHOP_NODE: string; SHOP_PORT: string };
  port: number;
  /** What the node's code says it is: `v1` or `v2`. */
  vsn(): Promise<string>;
  stop(): Promise<void>;
}

let nodes = 0;

/** A fresh 0.1.0 release root under DIR with its node running. */
export async function startShopNode(shop: ShopWork, dir: string): Promise<ShopNode> {
  const port = await freePort();
  const env = { SHOP_NODE: `bench_${process.pid}_${++nodes}`, SHOP_PORT: String(port) };
  const root = path.join(dir, env.SHOP_NODE);
  await deployTarball(shop.tarball, root);
  const node: ShopNode = {
    root,
    env,
    port,
    vsn: () => request(port, 'vsn'),
    stop: async () => {
      await stopNode(root, 'shop', env);
      await removeTree(root);
      shop.live.delete(node);
    },
  };
  shop.live.add(node);
  try {
    await startNode(root, 'shop', env);
  } catch (e) {
    await node.stop();
    throw e;
  }
  return node;
}

/** N fresh nodes, started a few at a time; all stopped again if one fails to start. */
export async function startShopNodes(shop: ShopWork, dir: string, n: number): Promise<ShopNode[]> {
  const started: ShopNode[] = [];
  try {
    await mapLimit(Array.from({ length: n }), 4, async () => started.push(await startShopNode(shop, dir)));
  } catch (e) {
    await stopShopNodes(started);
    throw e;
  }
  return started;
}

export async function stopShopNodes(list: ShopNode[]): Promise<void> {
  await mapLimit(list, 4, (node) => node.stop());
}

/** Fails unless every node runs 0.2.0's code. */
export async function expectUpgraded(list: ShopNode[], what: string): Promise<void> {
  const vsns = await Promise.all(list.map((n) => n.vsn()));
  const behind = vsns.filter((v) => v !== 'v2').length;
  if (behind > 0) throw new Error(`${what}: ${behind} of ${list.length} nodes do not run 0.2.0 (${vsns.join(', ')})`);
}

export interface SshHosts {
  servers: SshdHandle[];
  /** A client key every server accepts. */
  identity: string;
  /** known_hosts naming every server. */
  knownHosts: string;
}

/** N OpenSSH servers on 127.0.0.1 (one per host, as a fleet has), one client key and one known_hosts for all. */
export async function startSshHosts(cleanup: Cleanup, dir: string, n: number): Promise<SshHosts> {
  const servers: SshdHandle[] = [];
  cleanup.defer(() => mapLimit(servers, 4, (s) => s.stop()));
  await mapLimit(Array.from({ length: n }), 4, async () => servers.push(await startSshd()));
  const first = servers[0]!;
  const authorized = await readFile(path.join(first.dir, 'authorized_keys'));
  for (const s of servers.slice(1)) await writeFile(path.join(s.dir, 'authorized_keys'), authorized, { mode: 0o600 });
  const knownHosts = path.join(dir, 'known_hosts');
  await writeFile(knownHosts, (await Promise.all(servers.map((s) => readFile(s.knownHosts, 'utf8')))).join(''));
  return { servers, identity: first.identity, knownHosts };
}
