/**
 * The saved plan: `plan --out` writes it (and the tarball beside it) to the
 * planfile schema; `apply --plan` carries it out over fake hosts only while
 * every host reads as planned, and refuses before any change otherwise.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { create } from 'tar';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applySavedPlan, loadPlan, recheckPlan, savePlan } from '../../src/core/plan-file.js';
import { describeTarball } from '../../src/core/plan.js';
import { discoverEnvironment } from '../../src/core/status.js';
import { isHotupError, type HotupError } from '../../src/errors.js';
import { parsePlanFile } from '../../src/plan/plan-file.js';
import { exitCodeFor } from '../../src/report/exit-codes.js';
import { FakeHost, fakeContext, fakePlan } from '../support/fake-host.js';

const SCHEMAS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/schemas');
const OLD = '0.1.0';
const NEW = '0.2.0';
const RELUP = '{"0.2.0",[{"0.1.0",[],[point_of_no_return]}],[]}.\n';

let work: string;
let built: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'hotup-planfile-'));
  // A build's tarball: the relup where release_handler finds it.
  await mkdir(path.join(work, 'rel/releases', NEW), { recursive: true });
  await writeFile(path.join(work, 'rel/releases', NEW, 'relup'), RELUP);
  built = path.join(work, 'shop-build.tar.gz');
  await create({ gzip: true, file: built, cwd: path.join(work, 'rel') }, ['releases']);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const host = (name = 'deploy@a:22', vsn = OLD) => new FakeHost({ name, releases: [{ vsn, status: 'permanent' }] });

/** `plan --out` over FAKES into a fresh directory: the plan file's path. */
async function saved(fakes: FakeHost[], dir: string): Promise<string> {
  const { ctx } = fakeContext(fakes);
  const statuses = await discoverEnvironment(ctx, 'prod');
  const plan = fakePlan(fakes, OLD, NEW);
  plan.target.tarball = await describeTarball(built);
  const out = path.join(work, dir, 'plan.json');
  await savePlan(ctx, { plan, statuses }, out);
  return out;
}

/** `apply --plan FILE` over FAKES (the config lists them): the error it stopped with, if any. */
async function applyPlan(fakes: FakeHost[], file: string): Promise<HotupError | undefined> {
  const { ctx } = fakeContext(fakes);
  try {
    await applySavedPlan(ctx, 'prod', file, {}, async () => undefined);
    return undefined;
  } catch (e) {
    if (!isHotupError(e)) throw e;
    return e;
  }
}

describe('plan --out', () => {
  test('writes the plan file to its schema, the tarball beside it, with the readings and the relup digest', async () => {
    const out = await saved([host()], 'out');
    const doc = JSON.parse(await readFile(out, 'utf8'));
    const ajv = new Ajv({ allErrors: true });
    for (const f of ['events', 'plan', 'planfile']) ajv.addSchema(JSON.parse(await readFile(path.join(SCHEMAS, `${f}.schema.json`), 'utf8')));
    expect(ajv.validate('planfile.schema.json', doc), ajv.errorsText()).toBe(true);
    expect(doc.readings).toEqual([{ host: 'deploy@a:22', running: OLD, permanent: OLD, erts: '13.2', nodeUp: true }]);
    expect(doc.plan.target.tarball.path).toBe('shop-0.2.0.tar.gz');
    const beside = await describeTarball(path.join(path.dirname(out), 'shop-0.2.0.tar.gz'));
    expect(beside.sha256).toBe(doc.plan.target.tarball.sha256);
    const { createHash } = await import('node:crypto');
    expect(doc.relup.sha256).toBe(createHash('sha256').update(RELUP).digest('hex'));
    expect(doc.hotup).toMatch(/^\d+\.\d+\.\d+/);
    // The schema is no rubber stamp: a plan file without its readings fails it.
    expect(ajv.validate('planfile.schema.json', { ...doc, readings: undefined })).toBe(false);
  });
});

describe('apply --plan', () => {
  test('a plan with nothing to ship (every host there already): saved without a tarball, applied as nothing to do', async () => {
    const fake = host('deploy@a:22', NEW);
    const { ctx } = fakeContext([fake]);
    const out = path.join(work, 'noop', 'plan.json');
    expect(await savePlan(ctx, { plan: fakePlan([fake], OLD, NEW, { ship: false }), statuses: await discoverEnvironment(ctx, 'prod') }, out)).toBeNull();
    const doc = JSON.parse(await readFile(out, 'utf8'));
    expect([doc.relup, doc.plan.target.tarball, doc.plan.hosts[0].action]).toEqual([null, null, 'noop']);
    expect(await applyPlan([fake], out)).toBeUndefined();
    expect(fake.ops('put')).toEqual([]);
  });


  test('hosts as planned: carried out with the tarball beside the plan', async () => {
    const fake = host();
    const out = await saved([fake], 'ok');
    expect(await applyPlan([fake], out)).toBeUndefined();
    expect(fake.releases).toEqual([{ vsn: OLD, status: 'old' }, { vsn: NEW, status: 'permanent' }]);
  });

  const refusals: Array<[string, (a: FakeHost) => FakeHost[], RegExp]> = [
    ['another running version', () => [host('deploy@a:22', '0.1.1')], /deploy@a:22: runs 0\.1\.1, planned from 0\.1\.0/],
    ['a node gone down', (a) => { a.up = false; return [a]; }, /deploy@a:22: the node is down, was up/],
    ['another ERTS', () => [new FakeHost({ name: 'deploy@a:22', erts: '14.0', releases: [{ vsn: OLD, status: 'permanent' }] })], /ERTS is 14\.0, was 13\.2/],
    ['a host added', (a) => [a, host('deploy@b:22')], /deploy@b:22: added to the environment/],
  ];
  test.each(refusals)('%s: refused before any change (exit 6), naming the host; the lock is given back', async (_what, change, message) => {
    const fake = host();
    const out = await saved([fake], `stale-${Math.random()}`);
    const now = change(fake);
    const e = await applyPlan(now, out);
    expect(e?.code).toBe('PLAN_STALE');
    expect(e?.message).toMatch(message);
    expect(e?.remedy).toMatch(/Plan again \(`hotup plan prod --out /);
    expect(exitCodeFor(e)).toBe(6);
    for (const f of now) {
      expect(f.ops('put')).toEqual([]);
      expect(f.locked).toBe(false);
    }
  });

  test('another deploy_to in the config: refused', async () => {
    const fake = host();
    const out = await saved([fake], 'deploy-to');
    const { ctx } = fakeContext([fake], { deployTo: '/srv/other' });
    const loaded = await loadPlan(out, 'shop', 'prod');
    const e = await recheckPlan(ctx, 'prod', loaded, out).then(() => undefined, (x: unknown) => x as HotupError);
    expect(e?.message).toMatch(/deploy_to is \/srv\/other in the config, the plan was made for \/srv\/shop/);
    expect(exitCodeFor(e)).toBe(6);
  });

  test('a plan made by another hotup version is carried out with a warning saying so', async () => {
    const fake = host();
    const out = await saved([fake], 'other-hotup');
    await writeFile(out, JSON.stringify({ ...JSON.parse(await readFile(out, 'utf8')), hotup: '0.0.1' }));
    const { ctx, events } = fakeContext([fake]);
    await recheckPlan(ctx, 'prod', await loadPlan(out, 'shop', 'prod'), out);
    expect(events).toContainEqual(expect.objectContaining({ type: 'log', level: 'warn', message: expect.stringMatching(/made by hotup 0\.0\.1, this is hotup /) }));
  });

  test('a host removed from the environment: refused', async () => {
    const [a, b] = [host(), host('deploy@b:22')];
    const out = await saved([a, b], 'removed');
    const e = await applyPlan([a], out);
    expect(e?.message).toMatch(/deploy@b:22: no longer in the environment/);
    expect(exitCodeFor(e)).toBe(6);
  });

  test('another tarball beside the plan: refused before any host is contacted (exit 6)', async () => {
    const out = await saved([host()], 'other-tarball');
    await writeFile(path.join(path.dirname(out), 'shop-0.2.0.tar.gz'), 'another build');
    await expect(loadPlan(out, 'shop', 'prod')).rejects.toMatchObject({ code: 'PLAN_STALE', message: expect.stringMatching(/is not the planned build/) });
    expect(exitCodeFor(await loadPlan(out, 'shop', 'prod').catch((e: unknown) => e))).toBe(6);
  });

  test('usage errors (exit 2): tarball missing, not JSON, plan --json output, damaged, another environment or app', async () => {
    const out = await saved([host()], 'usage');
    const usage = async (file: string, app = 'shop', env = 'prod') => {
      const e = await loadPlan(file, app, env).catch((x: unknown) => x as HotupError);
      expect(exitCodeFor(e)).toBe(2);
      return (e as HotupError).message;
    };
    expect(await usage(out, 'shop', 'staging')).toMatch(/is a plan for shop in prod, not for shop in staging/);
    expect(await usage(out, 'ledger')).toMatch(/is a plan for shop in prod, not for ledger in prod/);
    const doc = JSON.parse(await readFile(out, 'utf8'));
    const write = async (name: string, text: string) => {
      const f = path.join(path.dirname(out), name);
      await writeFile(f, text);
      return f;
    };
    expect(await usage(await write('cut.json', '{"schema": "hotup.planfile/1", "hot'))).toMatch(/not a plan file: not JSON/);
    expect(await usage(await write('printed.json', JSON.stringify(doc.plan)))).toMatch(/not a hotup\.planfile\/1 plan file/);
    expect(await usage(await write('v2.json', JSON.stringify({ ...doc, schema: 'hotup.planfile/2' })))).toMatch(/its schema is "hotup\.planfile\/2"/);
    const damaged = structuredClone(doc);
    damaged.plan.hosts[0].action = 'maybe';
    expect(await usage(await write('damaged.json', JSON.stringify(damaged)))).toMatch(/damaged plan file: plan\/hosts\/0\/action/);
    await rm(path.join(path.dirname(out), 'shop-0.2.0.tar.gz'));
    expect(await usage(out)).toMatch(/the plan's tarball .*shop-0\.2\.0\.tar\.gz is missing/);
    expect(await usage(path.join(work, 'nowhere.json'))).toMatch(/cannot read the plan file/);
  });

  test('parsePlanFile says what a plan --json document is', () => {
    let e: HotupError | undefined;
    try {
      parsePlanFile(JSON.stringify({ schema: 'hotup.plan/1' }), 'p.json');
    } catch (x) {
      e = x as HotupError;
    }
    expect(e?.remedy).toMatch(/That is `hotup plan --json` output; .* `hotup plan <env> --out <file>`/);
  });
});
