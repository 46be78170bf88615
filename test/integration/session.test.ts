/**
 * The session link for real: an OpenSSH server on 127.0.0.1, real relx and
 * mix nodes, and one helper per host answering typed requests over
 * distribution. What only a real host can show: the cookie stays out of every
 * argv, a stopped node, a node with another cookie and a dropped SSH link are
 * three different answers, and the link survives the node restarting.
 */
import { execFile } from 'node:child_process';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SshExecutor } from '../../src/remote/ssh.js';
import { SessionLink } from '../../src/host/session-link.js';
import type { SshSettings } from '../../src/config/types.js';
import { printTerm } from '../../src/terms/etf.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { deployTarball, newInstance, shopEnv, startNode, stopNode, type ShopInstance } from '../support/shop-node.js';
import { tempDir } from '../support/shop-project.js';
import { buildMixShop, buildRebar3Shop } from '../support/fixture-build.js';
import { failure } from '../support/failure.js';
import { sessionArgvs } from '../support/session-procs.js';

const run = promisify(execFile);

let sshd: SshdHandle;
let ssh: SshSettings;
let exec: SshExecutor;
let inst: ShopInstance;
let work: string;
let root: string;

beforeAll(async () => {
  sshd = await startSshd();
  ssh = { knownHosts: sshd.knownHosts, identity: sshd.identity, connectTimeoutMs: 10_000, commandTimeoutMs: 60_000 };
  exec = await SshExecutor.connect(sshd.hostSpec, ssh);
  inst = await newInstance('sess');
  work = await tempDir('sess-link');
  root = path.join(work, 'opt/shop');
  await deployTarball((await buildRebar3Shop(['v1'], { tarball: true })).tarball!, root);
  await startNode(root, 'shop', shopEnv(inst));
});

afterAll(async () => {
  await exec?.close();
  if (root) await stopNode(root, 'shop', shopEnv(inst));
  await sshd?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a relx node over SSH', () => {
  test('answers typed requests, and the cookie is in no argv hotup started', async () => {
    const link = new SessionLink(exec, root, 'shop', shopEnv(inst));
    try {
      expect(await link.up()).toBe(true);
      const releases = printTerm(await link.call({ op: 'which_releases' }, 10_000));
      expect(releases).toContain('"0.1.0"');
      expect(releases).toContain('permanent');
      expect(printTerm(await link.call({ op: 'eval', expr: 'code:which(shop_app)' }, 10_000))).toContain(`${root}/lib/shop-0.1.0/ebin`);
      // An exception inside an expression is its value, as `catch` gives it.
      expect(printTerm(await link.call({ op: 'eval', expr: 'erlang:error(boom)' }, 10_000))).toMatch(/^\{'EXIT',\{boom,/);
      // A bignum survives the trip (erlpack alone cannot decode one).
      expect(printTerm(await link.call({ op: 'eval', expr: '1 bsl 100' }, 10_000))).toBe((1n << 100n).toString());
      const argvs = await sessionArgvs();
      expect(argvs.length).toBeGreaterThan(0);
      for (const a of argvs) expect(a).not.toContain('shop_cookie');
      // The release's own ERTS runs it, not an Erlang of the host's: hosts need none.
      expect(argvs.some((a) => a.includes(`-root ${root} `))).toBe(true);
    } finally {
      await link.close();
    }
    // Closing the link ends the helper on the host.
    await expect.poll(() => sessionArgvs(root), { timeout: 10_000 }).toEqual([]);
  });

  test('reads and consults the release\'s files, with or without the node', async () => {
    const link = new SessionLink(exec, root, 'shop', shopEnv(inst));
    try {
      expect(await link.read(path.join(root, 'releases/start_erl.data'))).toMatch(/^\S+ 0\.1\.0/);
      expect(await link.read(path.join(root, 'releases/no-such-file'))).toBeNull();
      const rows = await link.consult(path.join(root, 'releases/RELEASES'));
      expect(rows?.map(printTerm).join('')).toContain('"0.1.0"');
      expect(await link.consult(path.join(root, 'releases/no-such-file'))).toBeNull();
      const broken = path.join(work, 'broken.term');
      await writeFile(broken, '{release, "unterminated"');
      expect((await failure(link.consult(broken))).code).toBe('COMMAND_FAILED');
    } finally {
      await link.close();
    }
  });

  test('a round trip takes milliseconds once the session runs', async () => {
    const link = new SessionLink(exec, root, 'shop', shopEnv(inst));
    try {
      await link.up();
      const started = Date.now();
      for (let i = 0; i < 20; i++) await link.call({ op: 'which_releases' }, 10_000);
      expect((Date.now() - started) / 20).toBeLessThan(50);
    } finally {
      await link.close();
    }
  });

  test('a stopped node is NODE_DOWN; the same link answers again once it is back', async () => {
    const link = new SessionLink(exec, root, 'shop', shopEnv(inst));
    try {
      expect(await link.up()).toBe(true);
      await stopNode(root, 'shop', shopEnv(inst));
      expect(await link.up()).toBe(false);
      const err = await failure(link.call({ op: 'which_releases' }, 10_000));
      expect(err.code).toBe('NODE_DOWN');
      expect(err.message).toContain(`no node ${inst.sname}@`);
      await startNode(root, 'shop', shopEnv(inst));
      expect(printTerm(await link.call({ op: 'which_releases' }, 10_000))).toContain('"0.1.0"');
    } finally {
      await link.close();
    }
  });

  test('a node running with another cookie than its files name is told apart from a stopped one', async () => {
    const vmArgs = path.join(root, 'releases/0.1.0/vm.args');
    const original = await readFile(vmArgs, 'utf8');
    await writeFile(vmArgs, original.replace('-setcookie shop_cookie', '-setcookie not_the_running_one'));
    const link = new SessionLink(exec, root, 'shop', shopEnv(inst));
    try {
      const err = await failure(link.call({ op: 'which_releases' }, 10_000));
      expect(err.code).toBe('NODE_DOWN');
      expect(err.message).toContain('refused hotup\'s connection');
      expect(err.message).toContain('cookie');
    } finally {
      await link.close();
      await writeFile(vmArgs, original);
    }
  });

  test('a release root that does not exist is NOT_A_RELEASE, with a remedy', async () => {
    const link = new SessionLink(exec, path.join(work, 'nowhere'), 'shop', {});
    const err = await failure(link.call({ op: 'which_releases' }, 10_000));
    expect(err.code).toBe('NOT_A_RELEASE');
    expect(err.remedy).toContain('deploy_to');
    await link.close();
  });
});

describe('long names', () => {
  test('a node started with -name is reached with long names', async () => {
    // relx renders vm.args from vm.args.src at every start.
    const vmArgs = path.join(root, 'releases/0.1.0/vm.args.src');
    const original = await readFile(vmArgs, 'utf8');
    await stopNode(root, 'shop', shopEnv(inst));
    await writeFile(vmArgs, original.replace('-sname ${SHOP_NODE:-shop}', '-name ${SHOP_NODE:-shop}@127.0.0.1'));
    const link = new SessionLink(exec, root, 'shop', shopEnv(inst));
    try {
      await startNode(root, 'shop', shopEnv(inst));
      expect(printTerm(await link.call({ op: 'eval', expr: 'node()' }, 10_000))).toBe(`'${inst.sname}@127.0.0.1'`);
    } finally {
      await link.close();
      await stopNode(root, 'shop', shopEnv(inst));
      await writeFile(vmArgs, original);
      await startNode(root, 'shop', shopEnv(inst));
    }
  });
});

describe('a mix release over SSH', () => {
  let mixRoot: string;
  let mixEnv: Record<string, string>;

  beforeAll(async () => {
    // A copy: the shared build is not a place to run a node from.
    mixRoot = path.join(work, 'mix-root');
    await cp((await buildMixShop('v1')).relDir, mixRoot, { recursive: true });
    mixEnv = { RELEASE_NODE: `${inst.sname}_ex`, SHOP_PORT: String(inst.port + 1) };
    await run(path.join(mixRoot, 'bin/shop_ex'), ['daemon'], { env: { ...process.env, ...mixEnv } });
  });

  afterAll(async () => {
    if (mixRoot) await run(path.join(mixRoot, 'bin/shop_ex'), ['stop'], { env: { ...process.env, ...mixEnv } }).catch(() => undefined);
  });

  test('the node named by RELEASE_NODE answers, its cookie read from releases/COOKIE', async () => {
    const cookie = (await readFile(path.join(mixRoot, 'releases/COOKIE'), 'utf8')).trim();
    const link = new SessionLink(exec, mixRoot, 'shop_ex', { RELEASE_NODE: mixEnv.RELEASE_NODE! });
    try {
      await expect.poll(() => link.up(), { timeout: 30_000 }).toBe(true);
      expect(printTerm(await link.call({ op: 'eval', expr: 'node()' }, 10_000))).toMatch(new RegExp(`^'?${mixEnv.RELEASE_NODE}@`));
      const argvs = await sessionArgvs();
      for (const a of argvs) expect(a).not.toContain(cookie);
      expect(argvs.some((a) => a.includes(`-root ${mixRoot} `))).toBe(true);
    } finally {
      await link.close();
    }
    // The helper leaves no crash dump in the release root it works in.
    const { stdout } = await run('ls', ['-a', mixRoot]);
    expect(stdout.split('\n')).not.toContain('erl_crash.dump');
  });
});
