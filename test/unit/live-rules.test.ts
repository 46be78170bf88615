/** The live rules, pure: facts as the node reports them → findings; the relup's up-path → live targets. */
import { describe, expect, test } from 'vitest';
import { liveTargets, type LiveTarget } from '../../src/validate/live-targets.js';
import { expectedPauseMs, liveNotChecked, liveRules, LONG_PAUSE_MS } from '../../src/validate/live.js';
import { parseLiveFacts, type LiveFacts, type LiveModule, type LiveProcess, type Rehearsal } from '../../src/terms/live-facts.js';
import type { Term } from '../../src/terms/etf.js';

const ROOT = '/opt/shop';
const acceptor: LiveProcess = { pid: '<0.279.0>', name: 'shop_listener', initialCall: '{shop_listener,init,1}' };
const counter: LiveProcess = { pid: '<0.278.0>', name: 'shop_counter', initialCall: '{shop_counter,init,1}' };
const anon: LiveProcess = { pid: '<0.301.0>', name: null, initialCall: '{shop_listener,serve,1}' };

function target(module: string, over: Partial<LiveTarget> = {}): LiveTarget {
  return { module, app: 'shop', vsn: '0.2.0', action: null, prePurge: null, postPurge: null, purged: false, suspend: false, change: null, stoppedFirst: [], ...over };
}

function mod(module: string, over: Partial<LiveModule> = {}): LiveModule {
  return { module, loadedFrom: `${ROOT}/lib/shop-0.1.0/ebin/${module}.beam`, oldCode: false, runners: [], oldRunners: [], ...over };
}

function facts(over: Partial<LiveFacts> = {}): LiveFacts {
  return { root: ROOT, scanned: 60, total: 60, truncated: false, elapsedMs: 4, modules: [], suspended: [], ...over };
}

const load = (module: string, post: 'brutal_purge' | 'soft_purge' = 'brutal_purge', pre: 'brutal_purge' | 'soft_purge' = 'brutal_purge') =>
  target(module, { action: 'load', prePurge: pre, postPurge: post });

const rules = (ts: LiveTarget[], f: LiveFacts) => liveRules(ts, f).map((x) => `${x.rule} ${x.severity} ${x.effect}`);

describe('purges', () => {
  test('an acceptor on the stack of a module loaded with brutal_purge is killed: named by name and initial call', () => {
    const found = liveRules([load('shop_listener')], facts({ modules: [mod('shop_listener', { runners: [acceptor] })] }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule: 'live/brutal-purge-kills', severity: 'error', effect: 'restart', module: 'shop_listener' });
    expect(found[0]!.message).toContain('shop_listener ({shop_listener,init,1})');
  });

  test('twins: the same module with no process on its stack, or a process running another module, raise nothing', () => {
    expect(rules([load('shop_listener')], facts({ modules: [mod('shop_listener')] }))).toEqual([]);
    // A target the relup only suspends (no load of its own here) is not purged.
    expect(rules([target('shop_listener', { suspend: false })], facts({ modules: [mod('shop_listener', { runners: [acceptor] })] }))).toEqual([]);
  });

  test('a purge instruction kills too; a process without a registered name is named by pid', () => {
    const found = liveRules([target('shop_listener', { purged: true })], facts({ modules: [mod('shop_listener', { runners: [anon] })] }));
    expect(found.map((f) => f.rule)).toEqual(['live/brutal-purge-kills']);
    expect(found[0]!.message).toContain('<0.301.0> ({shop_listener,serve,1})');
  });

  test('soft_purge before a load while processes run old code: the install is refused (error, restart)', () => {
    const f = facts({ modules: [mod('shop_listener', { oldCode: true, oldRunners: [acceptor] })] });
    expect(rules([load('shop_listener', 'soft_purge', 'soft_purge')], f)).toEqual(['live/soft-purge-fails error restart']);
    // brutal_purge before the load kills them instead.
    expect(rules([load('shop_listener', 'soft_purge', 'brutal_purge')], f)).toEqual(['live/brutal-purge-kills error restart']);
  });

  test('a process in old code shows the module on its stack too: it is the pre-purge\'s, not counted again', () => {
    const f = facts({ modules: [mod('shop_listener', { oldCode: true, runners: [acceptor], oldRunners: [acceptor] })] });
    expect(rules([load('shop_listener', 'soft_purge', 'soft_purge')], f)).toEqual(['live/soft-purge-fails error restart']);
  });

  test('soft_purge after a load while processes run the code: old code stays (warning only)', () => {
    expect(rules([load('shop_listener', 'soft_purge', 'soft_purge')], facts({ modules: [mod('shop_listener', { runners: [acceptor] })] })))
      .toEqual(['live/soft-purge-fails warning none']);
  });

  test('a deleted module some process runs', () => {
    const t = target('shop_old', { action: 'remove', prePurge: 'brutal_purge', postPurge: 'brutal_purge' });
    const found = liveRules([t], facts({ modules: [mod('shop_old', { runners: [anon] })] }));
    expect(found.map((f) => f.rule)).toEqual(['live/removed-module-running']);
    expect(found[0]!.message).toContain('the purge kills them');
    expect(rules([t], facts({ modules: [mod('shop_old')] }))).toEqual([]);
  });

  test('children the up-path stops first (supervisor:terminate_child) may be the processes named: a warning that says so', () => {
    const t = target('shop_old', { action: 'remove', prePurge: 'brutal_purge', postPurge: 'brutal_purge', stoppedFirst: ['supervisor:terminate_child(shop_sup, shop_old)'] });
    const found = liveRules([t], facts({ modules: [mod('shop_old', { runners: [anon] })] }));
    expect(found.map((f) => `${f.rule} ${f.severity} ${f.effect}`)).toEqual(['live/removed-module-running warning none']);
    expect(found[0]!.message).toContain('unless supervisor:terminate_child(shop_sup, shop_old), which the upgrade runs before it, stops them first');
    const ts = liveTargets({ vsn: '0.1.0', descr: '', instructions: [
      { op: 'apply', mfa: 'supervisor:terminate_child(shop_sup, shop_old)' },
      { op: 'remove', module: 'shop_old', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
      { op: 'load', module: 'shop_counter', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
    ] });
    expect(ts.map((x) => [x.module, x.stoppedFirst])).toEqual([['shop_old', ['supervisor:terminate_child(shop_sup, shop_old)']], ['shop_counter', ['supervisor:terminate_child(shop_sup, shop_old)']]]);
  });

  test('a module loaded from outside the release lib/ is shadowed; one under lib/ or not loaded is not', () => {
    const shadowed = facts({ modules: [mod('shop_counter', { loadedFrom: '/opt/patches/shop_counter.beam' })] });
    expect(rules([load('shop_counter')], shadowed)).toEqual(['live/shadowed-module warning none']);
    expect(rules([load('shop_counter')], facts({ modules: [mod('shop_counter', { loadedFrom: 'non_existing' })] }))).toEqual([]);
    expect(rules([load('shop_counter')], facts({ root: `${ROOT}/`, modules: [mod('shop_counter')] }))).toEqual([]);
  });
});

describe('suspended processes and the rehearsal', () => {
  const suspended = (rehearsal: Rehearsal, rttUs = 40) => facts({ suspended: [{ module: 'shop_counter', processes: [{ process: counter, rttUs, rehearsal }] }] });

  test('each failure of the rehearsal is named with module and process', () => {
    const of = (r: Rehearsal) => liveRules([], suspended(r)).filter((f) => f.effect !== 'none');
    expect(of({ kind: 'no_clause' })).toMatchObject([{ rule: 'live/code-change-no-clause', module: 'shop_counter' }]);
    expect(of({ kind: 'no_clause' })[0]!.message).toContain('shop_counter ({shop_counter,init,1})');
    expect(of({ kind: 'crash', detail: '{error,badarith}' })[0]).toMatchObject({ rule: 'live/code-change-crashes', effect: 'restart' });
    expect(of({ kind: 'crash', detail: '{error,badarith}' })[0]!.message).toContain('{error,badarith}');
    expect(of({ kind: 'bad_return', detail: 'error' })[0]!.message).toContain('not {ok, NewState}');
    expect(of({ kind: 'timeout' })[0]!.rule).toBe('live/code-change-crashes');
    expect(of({ kind: 'heap_limit' })[0]!.rule).toBe('live/code-change-crashes');
    expect(of({ kind: 'ok' })).toEqual([]);
    expect(of({ kind: 'no_code_change' })).toEqual([]);
  });

  test('many processes failing alike make one finding per module and kind', () => {
    const many = facts({ suspended: [{ module: 'shop_counter', processes: [1, 2, 3].map((i) => ({ process: { ...counter, pid: `<0.${i}.0>`, name: null }, rttUs: 10, rehearsal: { kind: 'no_clause' as const } })) }] });
    expect(liveRules([], many).filter((f) => f.rule === 'live/code-change-no-clause')).toHaveLength(1);
  });

  test('the expected pause: two round trips per process, a warning above the threshold only', () => {
    expect(expectedPauseMs(suspended({ kind: 'ok' }, 40))).toEqual({ processes: 1, ms: 0.08 });
    // Below the threshold the pause is reported by the step, not as a finding.
    expect(rules([], suspended({ kind: 'ok' }, 40))).toEqual([]);
    const slow = facts({ suspended: [{ module: 'shop_counter', processes: Array.from({ length: 200 }, (_, i) => ({ process: { ...counter, pid: `<0.${i}.0>` }, rttUs: 3000, rehearsal: { kind: 'none' as const } })) }] });
    expect(expectedPauseMs(slow).ms).toBeGreaterThan(LONG_PAUSE_MS);
    expect(rules([], slow)).toEqual(['live/long-pause warning none']);
    expect(rules([], facts())).toEqual([]);
  });

  test('what was not checked is said: a truncated scan, a skipped rehearsal, no live node', () => {
    expect(rules([], facts({ truncated: true, scanned: 10, total: 99 }))).toEqual(['live/not-checked info none']);
    const skipped = liveRules([], suspended({ kind: 'skip', why: 'the new beam has no debug_info' })).filter((f) => f.rule === 'live/not-checked');
    expect(skipped[0]!.message).toContain('no debug_info');
    expect(liveNotChecked('inspect reads files only')).toMatchObject({ rule: 'live/not-checked', effect: 'none' });
  });
});

describe('live targets from the up-path', () => {
  test('load, purge modes, suspend and the up code_change; a down code_change is not run', () => {
    const ts = liveTargets({ vsn: '0.1.0', descr: '[]', instructions: [
      { op: 'load_object_code', app: 'shop', vsn: '0.2.0', modules: ['shop_counter', 'shop_listener', 'shop_audit'] },
      { op: 'point_of_no_return' },
      { op: 'suspend', modules: [{ module: 'shop_counter', timeout: 'default' }] },
      { op: 'load', module: 'shop_counter', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
      { op: 'load', module: 'shop_listener', prePurge: 'soft_purge', postPurge: 'soft_purge' },
      { op: 'code_change', mode: 'up', changes: [{ module: 'shop_counter', extra: '[]' }] },
      { op: 'code_change', mode: 'down', changes: [{ module: 'shop_listener', extra: '[]' }] },
      { op: 'resume', modules: ['shop_counter'] },
      { op: 'remove', module: 'shop_old', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
      { op: 'purge', modules: ['shop_old'] },
    ] });
    expect(ts).toEqual([
      { module: 'shop_counter', app: 'shop', vsn: '0.2.0', action: 'load', prePurge: 'brutal_purge', postPurge: 'brutal_purge', purged: false, suspend: true, change: '[]', stoppedFirst: [] },
      { module: 'shop_listener', app: 'shop', vsn: '0.2.0', action: 'load', prePurge: 'soft_purge', postPurge: 'soft_purge', purged: false, suspend: false, change: null, stoppedFirst: [] },
      { module: 'shop_old', app: null, vsn: null, action: 'remove', prePurge: 'brutal_purge', postPurge: 'brutal_purge', purged: true, suspend: false, change: null, stoppedFirst: [] },
    ]);
  });
});

describe('the node\'s answer', () => {
  const a = (name: string): Term => ({ kind: 'atom', name });
  const b = (value: string): Term => ({ kind: 'binary', value });
  const t = (...items: Term[]): Term => ({ kind: 'tuple', items });
  const l = (...items: Term[]): Term => ({ kind: 'list', items });
  const n = (value: number): Term => ({ kind: 'int', value });
  const proc = t(b('<0.279.0>'), a('shop_listener'), b('{shop_listener,init,1}'));

  test('decoded, every field typed', () => {
    const answer: Term = { kind: 'map', entries: [
      [a('root'), b('/opt/shop')], [a('scanned'), n(60)], [a('total'), n(60)], [a('truncated'), a('false')], [a('elapsed_ms'), n(4)],
      [a('modules'), l(t(a('shop_listener'), b('/opt/shop/lib/shop-0.1.0/ebin/shop_listener.beam'), a('false'), l(proc), l()))],
      [a('suspended'), l(t(a('shop_counter'), l(t(t(b('<0.278.0>'), a('undefined'), b('{shop_counter,init,1}')), n(7), t(a('crash'), b('{error,badarith}'))))))],
    ] };
    const f = parseLiveFacts(answer);
    expect(f.modules[0]).toEqual({ module: 'shop_listener', loadedFrom: '/opt/shop/lib/shop-0.1.0/ebin/shop_listener.beam', oldCode: false, runners: [acceptor], oldRunners: [] });
    expect(f.suspended[0]!.processes[0]).toEqual({ process: { pid: '<0.278.0>', name: null, initialCall: '{shop_counter,init,1}' }, rttUs: 7, rehearsal: { kind: 'crash', detail: '{error,badarith}' } });
  });

  test('an exception on the node is CALL_FAILED; another shape a decode error', () => {
    expect(() => parseLiveFacts(t(a('EXIT'), a('undef')))).toThrow(expect.objectContaining({ code: 'CALL_FAILED' }));
    expect(() => parseLiveFacts(l())).toThrow(expect.objectContaining({ code: 'TERM_DECODE' }));
  });
});
