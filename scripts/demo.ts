/**
 * The demo: a real hot upgrade on this machine. A release of the fixture shop
 * (0.1.0) runs as a daemon; an OpenSSH server on 127.0.0.1 stands in for the
 * production host; hotup takes the node to 0.2.0 while a client keeps calling
 * it, and we show that new code runs and the state was kept.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { startSshd } from '../test/support/sshd.js';
import { clientLoop, deployTarball, newInstance, request, shopEnv, startNode, stopNode } from '../test/support/shop-node.js';
import { buildTarball, checkout, tempDir } from '../test/support/shop-project.js';
import { hotup, type CliResult } from '../test/support/cli.js';
import { writeHotupConfig } from '../test/support/hotup-config.js';

const keep = process.argv.includes('--keep');

function say(s: string): void {
  process.stdout.write(`\n\u001b[1m== ${s}\u001b[0m\n`);
}

function show(r: CliResult): void {
  if (r.stdout.trim()) process.stdout.write(`${r.stdout.trimEnd()}\n`);
  if (r.stderr.trim()) process.stdout.write(`${r.stderr.trimEnd()}\n`);
  if (r.code !== 0) throw new Error(`hotup exited with ${r.code}`);
}

const work = await tempDir('demo');
const project = path.join(work, 'shop');
const root = path.join(work, 'opt/shop');
const sshd = await startSshd();
const inst = await newInstance('demo');
try {
  say(`An OpenSSH server on 127.0.0.1:${sshd.port} plays the production host`);
  say('Build shop 0.1.0 with rebar3 and start it as a daemon (the running production release)');
  await checkout(project, 'v1');
  await deployTarball(await buildTarball(project, '0.1.0'), root);
  await startNode(root, 'shop', shopEnv(inst));
  for (const n of [5, 7, 30]) await request(inst.port, `add ${n}`);
  console.log(`code: ${await request(inst.port, 'vsn')}   state: ${await request(inst.port, 'state')}`);

  say('The project moves on to 0.2.0 (new state shape with code_change/3, a new module, an appup)');
  await checkout(project, 'v2');
  const configFile = await writeHotupConfig(project, 'shop', [
    { name: 'prod', hosts: [`${sshd.user}@127.0.0.1:${sshd.port}`], deployTo: root, identity: sshd.identity, knownHosts: sshd.knownHosts, settings: { env: shopEnv(inst) } },
  ]);
  console.log((await readFile(configFile, 'utf8')).trimEnd());

  say('hotup status prod');
  show(await hotup(['status', 'prod'], { cwd: project }));
  say('hotup plan prod');
  show(await hotup(['plan', 'prod'], { cwd: project }));

  say('hotup apply prod --yes, while a client keeps calling the shop');
  const loop = clientLoop(inst.port, { maxMs: 300_000 });
  const applied = await hotup(['apply', 'prod', '--yes'], { cwd: project });
  const calls = await loop.stop();
  show(applied);

  say('After the upgrade');
  console.log(`code: ${await request(inst.port, 'vsn')}   state: ${await request(inst.port, 'state')}`);
  console.log(`start_erl.data: ${(await readFile(path.join(root, 'releases/start_erl.data'), 'utf8')).trim()}`);
  console.log(`client calls during apply: ${calls.ok} ok, ${calls.failures.length} failed`);
  show(await hotup(['status', 'prod'], { cwd: project }));
  if (calls.failures.length > 0) process.exitCode = 1;
} finally {
  if (keep) {
    console.log(`\nkept: project ${project}, release root ${root}, sshd on port ${sshd.port} (stop it yourself)`);
  } else {
    await stopNode(root, 'shop', shopEnv(inst));
    await sshd.stop();
    await rm(work, { recursive: true, force: true });
  }
}
