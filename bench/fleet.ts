/**
 * Part fleet: `hotup apply --parallel 10` on fleets of 1, 5, 10 and 20 hosts.
 * Each host is its own OpenSSH server on 127.0.0.1 in front of its own release
 * root and running node (own node name and port); every fleet size starts from
 * fresh 0.1.0 nodes and a fresh copy of the project.
 */
import path from 'node:path';
import { writeHotupConfig } from '../test/support/hotup-config.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { check, CLI, exec, removeTree, stamp, timed, withCleanup, type PartResult, type RunOptions, type Row } from './lib.js';
import { expectUpgraded, prepareShop, projectCopy, startShopNodes, startSshHosts, stopShopNodes, type ShopWork, type SshHosts } from './shop.js';

const PARALLEL = 10;

/** CPU seconds the whole machine spent busy so far (all cores, from /proc/stat). */
async function machineBusy(): Promise<number> {
  const [, user, nice, system, , iowait, irq, softirq] = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.split(/\s+/).map(Number);
  return (user! + nice! + system! + iowait! + irq! + softirq!) / 100;
}

interface FleetRun {
  ms: number;
  /** CPU seconds of hotup and its children (the build, the local helper), when /usr/bin/time is there. */
  hotupCpu: number | null;
  machineCpu: number;
}

async function applyFleet(shop: ShopWork, ssh: SshHosts, n: number): Promise<FleetRun> {
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
    const args = [CLI, 'apply', 'prod', '--yes', '--parallel', String(PARALLEL)];
    const time = existsSync('/usr/bin/time');
    const busy = await machineBusy();
    const { ms, value } = await timed(async () => check(`hotup apply (${n} hosts)`,
      await (time ? exec('/usr/bin/time', ['-f', 'hotup-cpu %U %S', process.execPath, ...args], { cwd: project }) : exec(process.execPath, args, { cwd: project }))));
    const machineCpu = (await machineBusy()) - busy;
    const cpu = /hotup-cpu ([\d.]+) ([\d.]+)/.exec(value.stderr);
    await expectUpgraded(nodes, `${n} hosts`);
    return { ms, hotupCpu: cpu ? Number(cpu[1]) + Number(cpu[2]) : null, machineCpu };
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
    const cpu: string[] = [];
    for (const n of sizes) {
      const { ms, hotupCpu, machineCpu } = await applyFleet(shop, ssh, n);
      if (n === 1) one = ms;
      cpu.push(`${n} host${n === 1 ? '' : 's'}: hotup and its children ${hotupCpu === null ? 'not measured' : `${hotupCpu.toFixed(1)} s`}, the whole machine ${machineCpu.toFixed(1)} s of the ${(2 * ms / 1000).toFixed(1)} s two cores give in that time`);
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
        `CPU time during each apply (user + system): ${cpu.join('; ')}. Every "host" here runs on the same two cores as hotup and the build: its sshd, hotup's helper VM on it and its node unpacking and installing the release. What grows with the fleet is mostly that host-side work, which on a real fleet runs on each host's own CPU; hotup's own CPU grows by the difference between its rows.`,
      ],
    };
  });
}
