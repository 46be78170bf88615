/**
 * Part fleet: `hotup apply --parallel 10` on fleets of 1, 5, 10 and 20 hosts.
 * Each host is its own OpenSSH server on 127.0.0.1 in front of its own release
 * root and running node (own node name and port); every fleet size starts from
 * fresh 0.1.0 nodes and a fresh copy of the project.
 */
import path from 'node:path';
import { writeHotupConfig } from '../test/support/hotup-config.js';
import { check, hotup, removeTree, stamp, timed, withCleanup, type PartResult, type RunOptions, type Row } from './lib.js';
import { expectUpgraded, prepareShop, projectCopy, startShopNodes, startSshHosts, stopShopNodes, type ShopWork, type SshHosts } from './shop.js';

const PARALLEL = 10;

async function applyFleet(shop: ShopWork, ssh: SshHosts, n: number): Promise<number> {
  const project = await projectCopy(shop, path.join(shop.work, `fleet-${n}`));
  const nodes = await startShopNodes(shop, path.join(shop.work, 'hosts'), n);
  try {
    await writeHotupConfig(project, 'shop', [{
      name: 'prod',
      hosts: nodes.map((node, i) => ({ host: `${ssh.servers[i]!.user}@127.0.0.1:${ssh.servers[i]!.port}`, deploy_to: node.root, env: node.env })),
      deployTo: nodes[0]!.root,
      identity: ssh.identity,
      knownHosts: ssh.knownHosts,
    }]);
    const { ms } = await timed(async () => check(`hotup apply (${n} hosts)`, await hotup(['apply', 'prod', '--yes', '--parallel', String(PARALLEL)], { cwd: project })));
    await expectUpgraded(nodes, `${n} hosts`);
    return ms;
  } finally {
    await stopShopNodes(nodes);
    await removeTree(project);
  }
}

export async function runFleet(opts: RunOptions): Promise<PartResult> {
  const sizes = opts.quick ? [1, 5] : [1, 5, 10, 20];
  const started = stamp();
  return withCleanup(async (cleanup) => {
    opts.log(`fleet: building the shop, starting ${Math.max(...sizes)} sshd servers`);
    const shop = await prepareShop(cleanup, 'fleet');
    const ssh = await startSshHosts(cleanup, shop.work, Math.max(...sizes));
    const rows: Row[] = [];
    let one = 0;
    for (const n of sizes) {
      const ms = await applyFleet(shop, ssh, n);
      if (n === 1) one = ms;
      opts.log(`fleet: ${n} host${n === 1 ? '' : 's'}: ${ms.toFixed(0)} ms (${(ms / one).toFixed(2)}× one host)`);
      rows.push({ part: 'fleet', case: `${n} host${n === 1 ? '' : 's'}`, ms, ratio: ms / one, baseline: '1 host', target: n === 20 ? 1.5 : null, samples: [ms] });
    }
    return {
      part: 'fleet',
      ...started,
      quick: opts.quick,
      rows,
      notes: [
        `Wall time of one \`hotup apply prod --yes --parallel ${PARALLEL}\` per fleet size (${sizes.join(', ')} hosts), 0.1.0 → 0.2.0, build included; the ratio is over the one-host apply of the same run.`,
        'Each host is its own OpenSSH server on 127.0.0.1 (random port, own host key; one client key and one known_hosts for all) in front of its own release root and node (own node name and TCP port, from the host\'s `env` in hotup.yml). Every size starts from fresh 0.1.0 nodes, started four at a time, and a fresh copy of the project; afterwards every node must answer with 0.2.0\'s code.',
        'The nodes are kept small so twenty fit on two cores: `+S 1:1 +SDcpu 1:1 +SDio 1 +A 1` and no scheduler busy-waiting (`+sbwt none` and its dirty variants).',
      ],
    };
  });
}
