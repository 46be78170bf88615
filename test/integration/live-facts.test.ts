/**
 * Live facts for real: a shop 0.1.0 node behind sshd, and `hotup plan` of
 * real rebar3 builds of 0.2.0 and its variants. An acceptor waiting in
 * gen_tcp:accept/1 inside a module the relup load_module's is named as killed
 * by the brutal purge; a code_change whose clauses do not fit the live state
 * is caught by the rehearsal on a copy of it; the honest 0.2.0 raises neither,
 * reports the expected pause, and then really upgrades; and forced hot, the
 * upgrade that was said to kill the acceptor does.
 */
import path from 'node:path';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SshdHandle } from '../support/sshd.js';
import { startShopHost, type ShopHost } from '../support/shop-host.js';
import { nodeEval, request, shopEnv, type ShopInstance } from '../support/shop-node.js';
import { checkout, checkoutVariant } from '../support/shop-project.js';
import { hotup, jsonOf } from '../support/cli.js';
import { writeHotupConfig } from '../support/hotup-config.js';
import { waitFor } from '../support/wait.js';
import { SshExecutor } from '../../src/remote/ssh.js';
import { SessionLink } from '../../src/host/session-link.js';
import { parseLiveFacts } from '../../src/terms/live-facts.js';
import { LIVE_LIMITS } from '../../src/node/live-facts.js';
import { liveRules } from '../../src/validate/live.js';
import type { LiveTarget } from '../../src/validate/live-targets.js';

let host: ShopHost | undefined;
let sshd: SshdHandle;
let inst: ShopInstance;
let project: string;
let root: string;
let work: string;

const run = (args: string[]) => hotup(args, { cwd: project });

interface Reason { rule: string; severity: string; effect: string; message: string }

interface Event { type: string; step?: string; phase?: string; detail?: string }

async function planned(): Promise<{ action: string; reasons: Reason[]; events: Event[] }> {
  const r = await run(['plan', 'prod', '--json']);
  const doc = jsonOf(r);
  expect(doc.hosts, r.stderr).toHaveLength(1);
  return { ...doc.hosts[0], events: doc.events };
}

/** The detail of the live_facts step that ended. */
const liveStep = (events: Event[]) => events.find((e) => e.type === 'step' && e.step === 'live_facts' && e.phase === 'done')?.detail;

const live = (reasons: Reason[]) => reasons.filter((r) => r.rule.startsWith('live/'));

beforeAll(async () => {
  host = await startShopHost('live-facts', { instance: 'live' });
  ({ sshd, inst, work, project, root } = host);
  await request(inst.port, 'add 40');
  await writeHotupConfig(project, 'shop', [host.prod({ node_wait: 20 })]);
});

afterAll(async () => {
  await host?.stop();
});

describe('live facts on a running 0.1.0 node', () => {
  test('an acceptor in gen_tcp:accept inside a module loaded with brutal_purge: named as killed', async () => {
    await checkoutVariant(project, 'live-acceptor');
    const h = await planned();
    const kills = live(h.reasons).filter((r) => r.rule === 'live/brutal-purge-kills');
    expect(kills, JSON.stringify(h.reasons)).toHaveLength(1);
    // The process by its registered name and initial call, and the module.
    expect(kills[0]!.message).toMatch(/^shop_listener is loaded with brutal_purge while shop_listener \(\{shop_listener,init,1\}\)/);
    expect(kills[0]).toMatchObject({ severity: 'error', effect: 'restart' });
    expect(h.action).toBe('restart');
    // Only the module that is purged: the counter's gen_server waits in gen_server's code, not its own.
    expect(live(h.reasons).filter((r) => r.effect !== 'none')).toHaveLength(1);
  });

  test('a deleted module whose acceptor runs: named; its twin stops the child first (terminate_child) and only says so', async () => {
    const listener = path.join(project, 'apps/shop/src/shop_listener.erl');
    await checkoutVariant(project, 'removed-called');
    await rm(listener);
    const bad = live((await planned()).reasons).filter((r) => r.rule === 'live/removed-module-running');
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ severity: 'error', effect: 'restart' });
    expect(bad[0]!.message).toMatch(/^shop_listener is deleted by the upgrade while shop_listener \(\{shop_listener,init,1\}\) runs its code/);
    await checkoutVariant(project, 'removed-clean');
    await rm(listener);
    const twin = await planned();
    expect(live(twin.reasons).filter((r) => r.effect !== 'none')).toEqual([]);
    expect(live(twin.reasons).find((r) => r.rule === 'live/removed-module-running')?.message).toMatch(/unless supervisor:terminate_child\(shop_sup, shop_listener\)/);
  });

  test('a code_change with no clause for the live state: caught by the rehearsal, the process untouched', async () => {
    await checkoutVariant(project, 'live-noclause');
    const h = await planned();
    const bad = live(h.reasons).filter((r) => r.effect !== 'none');
    expect(bad.map((r) => r.rule), JSON.stringify(h.reasons)).toEqual(['live/code-change-no-clause']);
    expect(bad[0]!.message).toMatch(/shop_counter:code_change matches the state shop_counter \(\{shop_counter,init,1\}\) holds now/);
    expect(h.action).toBe('restart');
    // The rehearsal ran on a copy: the live process still holds 0.1.0's integer and answers.
    expect(await request(inst.port, 'state')).toBe('40');
  });

  test('a code_change that crashes on the live state: caught by the rehearsal', async () => {
    await checkoutVariant(project, 'live-crash');
    const h = await planned();
    const bad = live(h.reasons).filter((r) => r.effect !== 'none');
    expect(bad.map((r) => r.rule), JSON.stringify(h.reasons)).toEqual(['live/code-change-crashes']);
    expect(bad[0]!.message).toMatch(/run on a copy of the state shop_counter \(\{shop_counter,init,1\}\) holds now, crashes: \{error,\{badmatch,40\}\}/);
    expect(h.action).toBe('restart');
    expect(await request(inst.port, 'state')).toBe('40');
  });

  test('the honest 0.2.0: no alarm, the expected pause reported, and the upgrade then works', async () => {
    await checkout(project, 'v2');
    const h = await planned();
    expect(live(h.reasons).filter((r) => r.severity !== 'info'), JSON.stringify(h.reasons)).toEqual([]);
    expect(live(h.reasons)).toEqual([]);
    // The pause of the one process release_handler suspends, and the rehearsal of its state, in the step's line.
    expect(liveStep(h.events)).toMatch(/; 1 to suspend \(expected pause [\d.]+ ms\); code_change rehearsed on 1 live state\(s\); 0 problem/);
    expect(h.action).toBe('hot');

    const acceptor = await nodeEval(root, shopEnv(inst), 'whereis(shop_listener).');
    const r = await run(['apply', 'prod', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    // The twin of the kill below: shop_listener is not in this relup, and its acceptor lives on.
    expect(await nodeEval(root, shopEnv(inst), 'whereis(shop_listener).')).toBe(acceptor);
    const doc = jsonOf(r);
    // The measured pause: install_release's time, within which the suspended counter was held.
    expect(doc.hosts[0]).toMatchObject({ execution: 'hot', outcome: 'upgraded', pauseMs: expect.any(Number) });
    // apply read the facts again just before install, with the beams the unpack put on the host.
    const steps = (doc.events as Event[])
      .filter((e) => e.type === 'step' && e.phase !== 'start').map((e) => `${e.step}:${e.phase}`);
    expect(steps.slice(steps.indexOf('check_install:done'), steps.indexOf('install:done') + 1)).toEqual(['check_install:done', 'live_facts:done', 'install:done']);
    expect(liveStep(doc.events)).toMatch(/1 to suspend \(expected pause [\d.]+ ms\); code_change rehearsed on 1 live state\(s\); 0 problem/);
    expect(await request(inst.port, 'vsn')).toBe('v2');
    expect(await nodeEval(root, shopEnv(inst), 'maps:get(total, sys:get_state(shop_counter)).')).toBe('40');
  });

  test('forced hot, the finding comes true: the brutal purge kills the waiting acceptor (its supervisor starts another)', async () => {
    await checkoutVariant(project, 'v2-acceptor-kill');
    const h = await planned();
    expect(live(h.reasons).filter((r) => r.effect !== 'none').map((r) => r.rule), JSON.stringify(h.reasons)).toEqual(['live/brutal-purge-kills']);
    const listener = () => nodeEval(root, shopEnv(inst), 'whereis(shop_listener).');
    const before = await listener();
    expect(before).toMatch(/^<.+>$/);
    const r = await run(['apply', 'prod', '--yes', '--force', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOf(r).hosts[0]).toMatchObject({ execution: 'hot', outcome: 'upgraded' });
    // make_permanent purged the old code and killed the acceptor in it: another process accepts now, with the new code.
    const after = await waitFor('a new acceptor', async () => { const p = await listener(); return p !== before && /^<.+>$/.test(p) && p; });
    expect(after).not.toBe(before);
    expect(await request(inst.port, 'ping')).toBe('pong');
  });
});

describe('the read itself, on the same node through a session', () => {
  /** Runs BODY with a session on the node, as plan and apply have one. */
  async function session(body: (link: SessionLink) => Promise<void>): Promise<void> {
    const exec = await SshExecutor.connect(sshd.hostSpec, { knownHosts: sshd.knownHosts, identity: sshd.identity, connectTimeoutMs: 10_000, commandTimeoutMs: 60_000 });
    const link = new SessionLink(exec, root, 'shop', shopEnv(inst));
    try {
      await body(link);
    } finally {
      await link.close();
      await exec.close();
    }
  }
  const load = (module: string, purge: 'soft_purge' | 'brutal_purge'): LiveTarget =>
    ({ module, app: 'shop', vsn: '0.2.1', action: 'load', prePurge: purge, postPurge: purge, purged: false, suspend: false, change: null, stoppedFirst: [] });
  const read = async (link: SessionLink, targets: LiveTarget[]) => parseLiveFacts(await link.call({ op: 'live_facts', limits: LIVE_LIMITS,
    modules: targets.map((t) => ({ module: t.module, suspend: false, change: null, beams: [], paths: [] })) }, 30_000));

  test('a process cap cuts the scan and says so; a state above the heap bound is not copied', async () => session(async (link) => {
      // The release's beam (stripped) and the build's (with debug_info), as plan sends them.
      const debug = (await readFile(path.join(project, '_build/prod/lib/shop/ebin/shop_counter.beam'))).toString('base64');
      const modules = [{ module: 'shop_counter', suspend: true, change: '[]', beams: [debug], paths: [`${root}/lib/shop-0.2.1/ebin/shop_counter.beam`] }];
      const f = parseLiveFacts(await link.call({ op: 'live_facts', modules, limits: { ...LIVE_LIMITS, max_procs: 5, state_words: 1 } }, 30_000));
      expect(f).toMatchObject({ scanned: 5, truncated: true });
      expect(f.total).toBeGreaterThan(5);
      const held = f.suspended[0]!.processes[0]!;
      expect(held.process.name).toBe('shop_counter');
      // The counter's heap is far above one word: its state is not read, and the reason is given.
      expect(held.rehearsal).toMatchObject({ kind: 'skip', why: expect.stringMatching(/its heap is \d+ words, above the 1 read for a rehearsal/) });
  }));

  test('a module loaded from a patch directory on the code path: shadowed; its twin from lib/ is not', async () => session(async (link) => {
    expect(liveRules([load('shop_counter', 'brutal_purge')], await read(link, [load('shop_counter', 'brutal_purge')]))).toEqual([]);
    const patches = path.join(work, 'patches');
    await mkdir(patches, { recursive: true });
    await copyFile(path.join(root, 'lib/shop-0.2.1/ebin/shop_counter.beam'), path.join(patches, 'shop_counter.beam'));
    expect(await nodeEval(root, shopEnv(inst), `code:add_patha("${patches}"), code:soft_purge(shop_counter), code:load_file(shop_counter).`)).toBe('{module,shop_counter}');
    const found = liveRules([load('shop_counter', 'brutal_purge')], await read(link, [load('shop_counter', 'brutal_purge')]));
    expect(found.map((f) => f.rule)).toEqual(['live/shadowed-module']);
    expect(found[0]!.message).toContain(`${patches}/shop_counter.beam`);
  }));

  test('old code still run by the acceptor: a soft_purge before the load fails, a brutal one kills it', async () => session(async (link) => {
    // Loading shop_listener again makes the code the acceptor waits in old (nothing purges it yet).
    expect(await nodeEval(root, shopEnv(inst), 'code:load_file(shop_listener).')).toBe('{module,shop_listener}');
    const soft = liveRules([load('shop_listener', 'soft_purge')], await read(link, [load('shop_listener', 'soft_purge')]));
    expect(soft.map((f) => `${f.rule} ${f.severity}`)).toEqual(['live/soft-purge-fails error']);
    expect(soft[0]!.message).toMatch(/still has old code from an earlier load, run by shop_listener \(\{shop_listener,init,1\}\)/);
    const brutal = liveRules([load('shop_listener', 'brutal_purge')], await read(link, [load('shop_listener', 'brutal_purge')]));
    expect(brutal.map((f) => f.rule)).toEqual(['live/brutal-purge-kills']);
    // What release_handler's own check says: the same.
    expect(await nodeEval(root, shopEnv(inst), 'catch release_handler_1:check_old_processes([{load, {shop_listener, soft_purge, soft_purge}}], soft_purge).')).toBe('{error,shop_listener}');
  }));
});
