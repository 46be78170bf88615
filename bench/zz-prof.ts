import path from 'node:path';
import { writeHotupConfig } from '../test/support/hotup-config.js';
import { hotup, timed, withCleanup } from './lib.js';
import { prepareShop, projectCopy, startShopNode, startSshHosts } from './shop.js';
await withCleanup(async (cleanup) => {
  const shop = await prepareShop(cleanup, 'prof');
  const ssh = await startSshHosts(cleanup, shop.work, 1);
  for (let i = 0; i < 2; i++) {
    const project = await projectCopy(shop, path.join(shop.work, `p-${i}`));
    const node = await startShopNode(shop, path.join(shop.work, 'hosts'));
    const server = ssh.servers[0]!;
    await writeHotupConfig(project, 'shop', [{ name: 'prod', hosts: [{ host: `${server.user}@127.0.0.1:${server.port}`, deploy_to: node.root, env: node.env }], deployTo: node.root, identity: ssh.identity, knownHosts: ssh.knownHosts }]);
    const t0 = Date.now();
    const { ms, value } = await timed(() => hotup(['apply', 'prod', '--yes', '--json-lines'], { cwd: project }));
    const evs = value.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    console.log(`run ${i}: ${ms} ms`);
    for (const e of evs) if (e.type === 'step' && e.phase !== 'start') console.log(`  ${e.step.padEnd(15)} ${String(e.ms).padStart(6)} ms ${e.phase} ${e.detail ?? ''}`.slice(0, 140));
    await node.stop();
    void t0;
  }
});
