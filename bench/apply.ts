/**
 * Part apply: `hotup apply` against the pipeline a careful operator scripts
 * with plain ssh/scp and rebar3, the same upgrade (0.1.0 → 0.2.0 of a running
 * node behind a real sshd on 127.0.0.1), side by side in pairs. Every run gets
 * a fresh 0.1.0 node and a fresh copy of the project; the order within a pair
 * alternates so neither side always runs on a warmer machine.
 */
import path from 'node:path';
import { writeHotupConfig } from '../test/support/hotup-config.js';
import { check, exec, hotup, median, removeTree, stamp, timed, withCleanup, type PartResult, type RunOptions } from './lib.js';
import { FROM, TO, expectUpgraded, prepareShop, projectCopy, startShopNode, startSshHosts, type ShopNode, type ShopWork, type SshHosts } from './shop.js';

type Side = 'hotup' | 'script';

interface Target {
  ssh: SshHosts;
  node: ShopNode;
  project: string;
}

function sshOptions(ssh: SshHosts): string[] {
  // No user ssh_config, nothing but the given key and known_hosts: what a CI job would pin.
  return ['-F', '/dev/null', '-i', ssh.identity, '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${ssh.knownHosts}`,
    '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes'];
}

/** The hand-written pipeline: read what runs, build release + relup + tarball, copy it, upgrade. */
async function script(t: Target): Promise<void> {
  const server = t.ssh.servers[0]!;
  const dest = `${server.user}@127.0.0.1`;
  const ssh = (command: string) => exec('ssh', [...sshOptions(t.ssh), '-p', String(server.port), dest, command], { cwd: t.project });
  const rebar3 = (args: string[]) => exec('rebar3', ['as', 'prod', ...args], { cwd: t.project });
  const root = t.node.root;
  const startErl = check('ssh cat start_erl.data', await ssh(`cat ${root}/releases/start_erl.data && mkdir -p ${root}/releases/${TO}`));
  const running = startErl.stdout.trim().split(/\s+/)[1];
  if (running !== FROM) throw new Error(`start_erl.data says ${startErl.stdout.trim()}, expected ${FROM}`);
  check('rebar3 release', await rebar3(['release']));
  check('rebar3 relup', await rebar3(['relup', '--relname', 'shop', '--relvsn', TO, '--upfrom', running]));
  check('rebar3 tar', await rebar3(['tar', '--relname', 'shop', '--relvsn', TO]));
  const tarball = path.join(t.project, `_build/prod/rel/shop/shop-${TO}.tar.gz`);
  check('scp', await exec('scp', [...sshOptions(t.ssh), '-q', '-P', String(server.port), tarball, `${dest}:${root}/releases/${TO}/shop.tar.gz`]));
  const env = Object.entries(t.node.env).map(([k, v]) => `${k}=${v}`).join(' ');
  check('ssh shop upgrade', await ssh(`${env} ${root}/bin/shop upgrade ${TO}`));
}

async function hotupApply(t: Target): Promise<void> {
  check('hotup apply', await hotup(['apply', 'prod', '--yes'], { cwd: t.project }));
}

async function oneRun(shop: ShopWork, ssh: SshHosts, side: Side, i: number): Promise<number> {
  const project = await projectCopy(shop, path.join(shop.work, `${side}-${i}`));
  const node = await startShopNode(shop, path.join(shop.work, 'hosts'));
  try {
    const server = ssh.servers[0]!;
    if (side === 'hotup') {
      await writeHotupConfig(project, 'shop', [{
        name: 'prod',
        hosts: [{ host: `${server.user}@127.0.0.1:${server.port}`, deploy_to: node.root, env: node.env }],
        deployTo: node.root,
        identity: ssh.identity,
        knownHosts: ssh.knownHosts,
      }]);
    }
    const { ms } = await timed(() => (side === 'hotup' ? hotupApply : script)({ ssh, node, project }));
    await expectUpgraded([node], side);
    return ms;
  } finally {
    await node.stop();
    await removeTree(project);
  }
}

export async function runApply(opts: RunOptions): Promise<PartResult> {
  const pairs = opts.quick ? 2 : 5;
  const started = stamp();
  return withCleanup(async (cleanup) => {
    opts.log(`apply: building shop ${FROM} and checking out ${TO}`);
    const shop = await prepareShop(cleanup, 'apply');
    const ssh = await startSshHosts(cleanup, shop.work, 1);
    const ratios: number[] = [];
    const times: Record<Side, number[]> = { hotup: [], script: [] };
    for (let i = 0; i < pairs; i++) {
      const order: Side[] = i % 2 === 0 ? ['hotup', 'script'] : ['script', 'hotup'];
      for (const side of order) times[side].push(await oneRun(shop, ssh, side, i));
      const ratio = times.hotup[i]! / times.script[i]!;
      ratios.push(ratio);
      opts.log(`apply: pair ${i + 1}/${pairs} (${order.join(' then ')}): hotup ${times.hotup[i]!.toFixed(0)} ms, script ${times.script[i]!.toFixed(0)} ms, ratio ${ratio.toFixed(2)}`);
    }
    const rebar3Version = (await exec('rebar3', ['version'])).stdout.trim();
    const sshVersion = (await exec('ssh', ['-V'])).stderr.trim();
    return {
      part: 'apply',
      ...started,
      quick: opts.quick,
      rows: [
        ...ratios.map((r, i) => ({ part: 'apply' as const, case: `pair ${i + 1}: hotup apply`, ms: times.hotup[i]!, ratio: r, baseline: `script ${(times.script[i]! / 1000).toFixed(2)} s`, target: null, samples: [times.hotup[i]!, times.script[i]!] })),
        { part: 'apply', case: `median of ${pairs} pairs`, ms: median(times.hotup), ratio: median(ratios), baseline: 'script', target: 1.0, samples: ratios },
      ],
      notes: [
        `${pairs} pairs; in each, \`hotup apply prod --yes\` and the script each upgrade a fresh 0.1.0 node (started from the same tarball, in its own release root) to 0.2.0, from a fresh copy of one project that has 0.1.0 built and 0.2.0 checked out. The first side of a pair alternates. The figure is hotup's wall time; the ratio is hotup's time over the script's in the same pair, and the summary row is the median of those ratios.`,
        `The script: \`ssh host 'cat <root>/releases/start_erl.data && mkdir -p <root>/releases/0.2.0'\` → \`rebar3 as prod release\` → \`rebar3 as prod relup --relname shop --relvsn 0.2.0 --upfrom 0.1.0\` → \`rebar3 as prod tar --relname shop --relvsn 0.2.0\` → \`scp\` of the tarball to \`<root>/releases/0.2.0/shop.tar.gz\` → \`ssh host <root>/bin/shop upgrade 0.2.0\` (relx's install_upgrade.escript: unpack, install, make permanent), with the OpenSSH client (${sshVersion}) and ${rebar3Version}.`,
        'Both sides talk to the same OpenSSH server on 127.0.0.1 (own host key, client key and known_hosts, random port), and both are checked afterwards: the node must answer with 0.2.0\'s code.',
      ],
    };
  });
}

