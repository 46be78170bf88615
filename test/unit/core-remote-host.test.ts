/** RemoteHost over a scripted Executor and link: a lost link stays LINK_LOST whatever the method, and commands fail with what to do. */
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { HotupError } from '../../src/errors.js';
import { RemoteHost } from '../../src/host/remote-host.js';
import type { Host } from '../../src/host/host.js';
import type { NodeLink } from '../../src/host/node-link.js';
import type { Executor, Process, RunOptions, RunResult } from '../../src/remote/executor.js';
import { FRAME_PREFIX } from '../../src/terms/etf.js';

const erlpack = createRequire(import.meta.url)('erlpack') as { pack(v: unknown): Buffer };
const framed = (raw: unknown) => `${FRAME_PREFIX}${erlpack.pack(raw).toString('base64')}\n`;
const ROOT = '/srv/shop';

/** An Executor whose every run is answered by ANSWER; its argv are kept. */
class ScriptedExecutor implements Executor {
  readonly target = 'deploy@a:22';
  readonly runs: Array<{ argv: readonly string[]; opts: RunOptions }> = [];
  readonly uploads: string[] = [];
  constructor(private readonly answer: (argv: readonly string[], opts: RunOptions) => Promise<RunResult>) {}
  run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    this.runs.push({ argv, opts });
    return this.answer(argv, opts);
  }
  async upload(_local: string, remote: string): Promise<void> {
    this.uploads.push(remote);
    return this.answer(['upload', remote], {}).then(() => undefined);
  }
  async download(remote: string): Promise<void> {
    return this.answer(['download', remote], {}).then(() => undefined);
  }
  spawn(): Promise<Process> {
    return this.answer(['spawn'], {}).then(() => { throw new Error('this executor runs no long commands'); });
  }
  async close(): Promise<void> {}
}

const ok = (stdout = ''): RunResult => ({ code: 0, stdout, stderr: '' });
const lost = new HotupError('LINK_LOST', 'the connection to a port 22 was lost: read ECONNRESET', 'Check the network.', { host: 'deploy@a:22' });
const ended = new HotupError('LINK_LOST', 'the session of `sh` ended without an exit status', 'Run again.', { host: 'deploy@a:22' });
const site = { name: 'deploy@a:22', root: ROOT, app: 'shop', env: { RELEASE_COOKIE_FILE: '/x' } };
/** A link that goes over the same executor, as the session does: what the executor answers, it answers. */
function linkOver(exec: ScriptedExecutor): NodeLink {
  const through = () => exec.run(['session'], {}).then(() => ({ kind: 'atom', name: 'ok' }) as const);
  return {
    up: () => through().then(() => true), call: through, consult: () => through().then(() => []),
    read: (p) => through().then(() => (p.endsWith('start_erl.data') ? '13.2 0.1.0\n' : null)), append: () => through().then(() => undefined), close: async () => undefined,
  };
}

function remoteHost(answer: (argv: readonly string[], opts: RunOptions) => Promise<RunResult>): { host: RemoteHost; exec: ScriptedExecutor } {
  const exec = new ScriptedExecutor(answer);
  return { host: new RemoteHost(exec, linkOver(exec), site), exec };
}

const everyMethod: Array<[string, (h: Host) => Promise<unknown>]> = [
  ['read', (h) => h.read(`${ROOT}/releases/start_erl.data`)],
  ['run', (h) => h.run(['true'])],
  ['must', (h) => h.must(['true'], 'true')],
  ['put', (h) => h.put('/tmp/x', `${ROOT}/x`)],
  ['get', (h) => h.get(`${ROOT}/x`, '/tmp/x')],
  ['nodeUp', (h) => h.nodeUp()],
  ['call', (h) => h.call({ op: 'which_releases' })],
  ['terms', (h) => h.terms(`${ROOT}/releases/RELEASES`)],
  ['append', (h) => h.append(`${ROOT}/releases/hotup-journal.jsonl`, '{}\n')],
  ['helper', (h) => h.helper('facts', [ROOT, '0.1.0'])],
];

describe('RemoteHost', () => {
  for (const [why, gone] of [['lost', lost], ['ended without an exit status', ended]] as const) {
    test(`an SSH connection that is gone (${why}) is LINK_LOST from every method, not NODE_DOWN`, async () => {
      const { host } = remoteHost(async () => { throw gone; });
      for (const [name, use] of everyMethod) {
        const e = await use(host).then(() => undefined, (err: unknown) => err);
        expect(e, name).toBe(gone);
      }
    });
  }

  test('other failures pass through as they are', async () => {
    const refused = new HotupError('SSH_CONNECT', 'cannot connect to a port 22: connection refused', 'Check sshd.');
    const { host } = remoteHost(async () => { throw refused; });
    await expect(host.run(['true'])).rejects.toBe(refused);
  });

  test('must: a non-zero exit is COMMAND_FAILED naming what failed, with the given remedy', async () => {
    const { host } = remoteHost(async () => ({ code: 2, stdout: '', stderr: 'no such file\n' }));
    await expect(host.must(['cp', 'a', 'b'], 'copying a', { remedy: 'Copy it by hand.' }))
      .rejects.toMatchObject({ code: 'COMMAND_FAILED', message: 'copying a failed (exit 2): no such file', remedy: 'Copy it by hand.', host: 'deploy@a:22' });
  });

  test('helper: run through the host launcher; installed in one command only when the host lacks it', async () => {
    let installed = false;
    const { host, exec } = remoteHost(async (argv) => {
      if (argv[3] === 'hotup-install') {
        installed = true;
        return ok();
      }
      if (argv[3] === 'hotup-helper') return installed ? ok(framed({ a: 'ok' })) : { code: 66, stdout: '', stderr: '' };
      return ok();
    });
    await host.helper('set-boot', [ROOT, '0.1.0']);
    await host.helper('set-boot', [ROOT, '0.1.0']);
    const kinds = exec.runs.map((r) => (r.argv[3] === 'hotup-helper' ? `${r.argv[3]} ${r.argv[7]}` : r.argv[3]));
    expect(kinds).toEqual(['hotup-helper hotup_helper.escript', 'hotup-install', 'hotup-helper hotup_helper.escript', 'hotup-helper hotup_helper.escript']);
    // The files travel as one tar on the install command's stdin, not as uploads.
    expect(exec.uploads).toEqual([]);
    expect(Buffer.isBuffer(exec.runs[1]!.opts.stdin)).toBe(true);
  });

  test('close closes the link', async () => {
    let closed = false;
    const link: NodeLink = {
      up: async () => true, call: async () => ({ kind: 'atom', name: 'ok' }), consult: async () => null,
      read: async () => null, append: async () => undefined, close: async () => void (closed = true),
    };
    await new RemoteHost(new ScriptedExecutor(async () => ok()), link, site).close();
    expect(closed).toBe(true);
  });
});
