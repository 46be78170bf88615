/**
 * A mix release's runtime configuration on the hot path, over a fake host:
 * evaluated before install, the keys whose value changes reported (never the
 * values), Mix's own sys.config put back after install; a failure stops
 * before any change.
 */
import { describe, expect, test } from 'vitest';
import { HotupError } from '../../src/errors.js';
import { runApply } from '../../src/core/deploy.js';
import type { Term } from '../../src/terms/etf.js';
import { FakeHost, fakeContext, fakePlan, stepsOf } from '../support/fake-host.js';

const OLD = '0.1.0';
const NEW = '0.2.0';
const yes = async () => undefined;
const atom = (name: string): Term => ({ kind: 'atom', name });
const bin = (value: string): Term => ({ kind: 'binary', value });
const tuple = (...items: Term[]): Term => ({ kind: 'tuple', items });
const list = (...items: Term[]): Term => ({ kind: 'list', items });
const entry = (app: string, key: string, md5: string) => tuple(atom(app), atom(key), bin(md5));
const MIX_SYS_CONFIG = '%% RUNTIME_CONFIG=false\n[{elixir,[{config_provider_init,#{}}]}].';

function mixHost(): FakeHost {
  const fake = new FakeHost({ name: 'deploy@a:22', releases: [{ vsn: OLD, status: 'permanent' }] });
  fake.files.set(`${fake.root}/releases/${NEW}/sys.config`, MIX_SYS_CONFIG);
  return fake;
}

async function apply(fake: FakeHost) {
  const { ctx, events } = fakeContext([fake]);
  try {
    const result = await runApply(ctx, 'prod', {}, yes, async () => fakePlan([fake], OLD, NEW));
    return { result, events, steps: stepsOf(events, fake.name) };
  } catch (e) {
    return { error: e as HotupError, events, steps: stepsOf(events, fake.name) };
  }
}

describe('runtime configuration on a hot upgrade', () => {
  test('evaluated before install; the keys whose value changes listed, no value; Mix\'s sys.config back after install', async () => {
    const fake = mixHost();
    fake.runtimeConfig = { kind: 'map', entries: [[atom('keys'), list(entry('shop', 'greeting', 'AA'), entry('shop', 'api_token', 'BB'), entry('elixir', 'config_provider_init', 'CC'))]] };
    fake.appEnv = list(entry('shop', 'greeting', 'AA'), entry('elixir', 'config_provider_init', 'OLD'));
    const { result, events, steps } = await apply(fake);
    expect(result!.hosts[0]).toMatchObject({ outcome: 'upgraded', execution: 'hot' });
    expect(steps.filter((s) => !s.endsWith(':start'))).toEqual([
      'ship:done', 'bootstrap:skip', 'unpack:done', 'runtime_config:done', 'check_install:done', 'live_facts:skip', 'install:done', 'verify_code:done', 'health:done', 'make_permanent:done', 'verify:done',
    ]);
    const done = events.find((e) => e.type === 'step' && e.step === 'runtime_config' && e.phase === 'done');
    expect(done).toMatchObject({ detail: expect.stringMatching(/keys whose value changes: shop\.api_token \(values not shown\)$/) });
    // The evaluated file served the install; then Mix's came back, so the next boot evaluates runtime.exs itself.
    const log = fake.log.join('\n');
    expect(log.indexOf('helper:runtime-config')).toBeLessThan(log.indexOf('install_release'));
    expect(log.indexOf('run:rename-if-present')).toBeGreaterThan(log.indexOf('install_release'));
    expect(fake.files.get(`${fake.root}/releases/${NEW}/sys.config`)).toBe(MIX_SYS_CONFIG);
    expect(fake.files.has(`${fake.root}/releases/${NEW}/sys.config.build`)).toBe(false);
  });

  test('a rebar3 release (no config providers) has no runtime_config step', async () => {
    const fake = new FakeHost({ name: 'deploy@a:22', releases: [{ vsn: OLD, status: 'permanent' }] });
    const { steps } = await apply(fake);
    expect(steps.some((s) => s.startsWith('runtime_config'))).toBe(false);
    expect(fake.ops('helper:runtime-config')).toHaveLength(0);
  });

  test('runtime.exs fails on the host: stopped before install, nothing changed (no rollback), the error and a restart named', async () => {
    const fake = mixHost();
    fake.runtimeConfig = tuple(atom('failed'), bin('config provider Config.Reader failed: ** (System.EnvError) environment variable "SHOP_SECRET" is missing'));
    const { error, steps } = await apply(fake);
    expect(error).toMatchObject({ code: 'UPGRADE_FAILED', untouched: true, message: expect.stringMatching(/\[elixir\/runtime-config\].*SHOP_SECRET/), remedy: expect.stringMatching(/Nothing was changed\..*apply --restart/) });
    expect(steps).not.toContain('install:start');
    expect(steps.some((s) => s.startsWith('rollback'))).toBe(false);
    expect(fake.running).toBe(OLD);
    expect(fake.bootsNext).toBe(OLD);
    expect(fake.files.get(`${fake.root}/releases/${NEW}/sys.config`)).toBe(MIX_SYS_CONFIG);
  });

  test('a value sys.config cannot hold: stopped before install, the key named', async () => {
    const fake = mixHost();
    fake.runtimeConfig = tuple(atom('unwritable'), atom('shop'), atom('on_event'), bin('fun'));
    const { error } = await apply(fake);
    expect(error).toMatchObject({ code: 'UPGRADE_FAILED', untouched: true, message: expect.stringMatching(/sets shop\.on_event to a value holding a fun/) });
    expect(fake.running).toBe(OLD);
  });

  test('an apply cut off after install is resumed: the evaluated sys.config it left is replaced by Mix\'s, nothing evaluated again', async () => {
    const fake = new FakeHost({ name: 'deploy@a:22', releases: [{ vsn: OLD, status: 'permanent' }, { vsn: NEW, status: 'current' }] });
    fake.files.set(`${fake.root}/releases/${NEW}/sys.config`, `${MIX_SYS_CONFIG}\n%% evaluated`);
    fake.files.set(`${fake.root}/releases/${NEW}/sys.config.build`, MIX_SYS_CONFIG);
    const { ctx } = fakeContext([fake]);
    const p = fakePlan([fake], OLD, NEW, { ship: false, hotRollback: false });
    p.hosts[0] = { ...p.hosts[0]!, from: OLD, action: 'hot' };
    const result = await runApply(ctx, 'prod', {}, yes, async () => p);
    expect(result.hosts[0]).toMatchObject({ outcome: 'upgraded' });
    expect(fake.ops('helper:runtime-config')).toHaveLength(0);
    expect(fake.files.get(`${fake.root}/releases/${NEW}/sys.config`)).toBe(MIX_SYS_CONFIG);
    expect(fake.files.has(`${fake.root}/releases/${NEW}/sys.config.build`)).toBe(false);
  });
});
