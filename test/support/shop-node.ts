/**
 * Running the fixture release for real: deploy a tarball into a release root,
 * start it as a daemon, talk to it over its TCP line protocol, stop it.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './wait.js';

const run = promisify(execFile);

export interface ShopInstance {
  /** Node short name, unique per test run so nodes never collide. */
  sname: string;
  /** TCP port of the shop's line protocol on 127.0.0.1. */
  port: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function newInstance(prefix = 'shop'): Promise<ShopInstance> {
  return { sname: `${prefix}_${process.pid}_${Math.floor(Math.random() * 1e6)}`, port: await freePort() };
}

/**
 * What the rebar3 shop's start script needs to run as this instance: its
 * vm.args.src reads the node name and port from here (every `bin/shop`
 * command needs them, to find the node).
 */
export function shopEnv(inst: ShopInstance): Record<string, string> {
  return { SHOP_NODE: inst.sname, SHOP_PORT: String(inst.port) };
}

export async function deployTarball(tarball: string, root: string): Promise<void> {
  await mkdir(root, { recursive: true });
  await run('tar', ['xzf', tarball, '-C', root]);
}

/** Starts the release as a daemon and waits until it answers (`ping` for relx, `pid` for Mix). */
export async function startNode(root: string, app = 'shop', env: Record<string, string> = {}, ping: 'ping' | 'pid' = 'ping'): Promise<void> {
  const opts = { env: { ...process.env, ...env } };
  await run(path.join(root, 'bin', app), ['daemon'], { timeout: 60_000, ...opts });
  await waitFor(`${root}/bin/${app} ${ping} to answer`, () => run(path.join(root, 'bin', app), [ping], { timeout: 10_000, ...opts }),
    { timeoutMs: 30_000, intervalMs: 300 });
}

/** What an Erlang expression evaluates to on the running node, as `bin/<app> eval` prints it (spaces removed). */
export async function nodeEval(root: string, env: Record<string, string>, expr: string, app = 'shop'): Promise<string> {
  const { stdout } = await run(path.join(root, 'bin', app), ['eval', expr], { timeout: 30_000, env: { ...process.env, ...env } });
  return stdout.replace(/\s+/g, '');
}

/** The OS pid of the release's running VM. */
export async function nodePid(root: string, env: Record<string, string>, app = 'shop'): Promise<number> {
  const { stdout } = await run(path.join(root, 'bin', app), ['pid'], { timeout: 30_000, env: { ...process.env, ...env } });
  const pid = Number(stdout.trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`bin/${app} pid said ${JSON.stringify(stdout)}`);
  return pid;
}

export async function stopNode(root: string, app = 'shop', env: Record<string, string> = {}): Promise<void> {
  await run(path.join(root, 'bin', app), ['stop'], { timeout: 60_000, env: { ...process.env, ...env } }).catch(() => undefined);
}

/** One request on a fresh connection: the reply line, or an error. */
export function request(port: number, line: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no reply to "${line}" within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('connect', () => sock.write(`${line}\n`));
    sock.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        sock.end();
        resolve(buf.slice(0, nl));
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export interface LoopReport {
  ok: number;
  failures: string[];
  /** Sum of the `add` amounts the shop acknowledged. */
  added: number;
}

/**
 * Calls the shop (`add 1` on a fresh connection) until stopped, at most
 * `maxRequests` times and for at most `maxMs`, so it always ends by itself.
 */
export function clientLoop(port: number, opts: { maxRequests?: number; maxMs?: number; pauseMs?: number } = {}) {
  const maxRequests = opts.maxRequests ?? 20_000;
  const maxMs = opts.maxMs ?? 10 * 60_000;
  const pauseMs = opts.pauseMs ?? 10;
  let stopped = false;
  const report: LoopReport = { ok: 0, failures: [], added: 0 };
  const done = (async () => {
    const started = Date.now();
    for (let i = 0; i < maxRequests && !stopped && Date.now() - started < maxMs; i++) {
      try {
        const reply = await request(port, 'add 1');
        if (!reply.startsWith('ok ')) throw new Error(`unexpected reply ${reply}`);
        report.ok++;
        report.added++;
      } catch (e) {
        report.failures.push((e as Error).message);
      }
      await new Promise((r) => setTimeout(r, pauseMs));
    }
    return report;
  })();
  return {
    stop: async (): Promise<LoopReport> => {
      stopped = true;
      return done;
    },
  };
}
