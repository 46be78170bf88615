/**
 * Where each appup comes from, on a build directory of plain files: the
 * project's rel/appups/ one wins, the build's own is left alone, else one is
 * generated; what hotup placed in an earlier build is never taken for the
 * project's own.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { placeAppups } from '../../src/build/appups.js';
import { GENERATED_MARK } from '../../src/plan/appup-gen.js';
import { LocalExecutor } from '../../src/remote/local.js';
import type { AppFacts, ModuleFacts, ReleaseFacts } from '../../src/terms/model.js';

const exec = new LocalExecutor();
let dir: string;
let relDir: string;
let toolEbin: string;
const inRelease = () => path.join(relDir, 'lib/shop-0.2.0/ebin/shop.appup');
const inTool = () => path.join(toolEbin, 'shop.appup');

const mod = (module: string, md5: string, behaviours: string[] = []): ModuleFacts => ({ module, md5, behaviours, codeChange: behaviours.length > 0, loadsNif: false, onLoad: false });
function release(vsn: string, modules: ModuleFacts[], appup: AppFacts['appup'] = { status: 'none' }): ReleaseFacts {
  return { name: 'shop', vsn, erts: '13', relup: null, apps: [{ name: 'shop', vsn, present: true, appModules: [], appup, modules }] };
}
const OLD = release('0.1.0', [mod('shop_counter', 'a', ['gen_server'])]);
const NEW = (appup: AppFacts['appup'] = { status: 'none' }) => release('0.2.0', [mod('shop_counter', 'b', ['gen_server']), mod('shop_audit', 'c')], appup);
const some: AppFacts['appup'] = { status: 'ok', appup: { vsn: '0.2.0', up: [], down: [] } };

const place = (mode: 'generate' | 'off', neu = NEW()) =>
  placeAppups(exec, { projectDir: dir, relDir, mode, toolEbins: async () => [toolEbin] }, OLD, neu);

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hotup-appups-'));
  relDir = path.join(dir, '_build/prod/rel/shop');
  toolEbin = path.join(dir, '_build/prod/lib/shop/ebin');
  await mkdir(path.dirname(inRelease()), { recursive: true });
  await mkdir(toolEbin, { recursive: true });
});

afterEach(() => rm(dir, { recursive: true, force: true }));

describe('placing appups', () => {
  test('none anywhere: generated, and written where the release is assembled from too', async () => {
    const p = await place('generate');
    expect(p.lacking).toEqual([]);
    expect(p.used).toEqual([{ app: 'shop', source: 'generated', text: expect.stringContaining('{update, shop_counter, {advanced, []}}') }]);
    expect(await readFile(inRelease(), 'utf8')).toBe(p.used[0]!.text);
    expect(await readFile(inTool(), 'utf8')).toBe(p.used[0]!.text);
  });

  test("the project's rel/appups/ one wins over the build's own", async () => {
    await writeFile(inRelease(), '{"0.2.0", [], []}.\n');
    await mkdir(path.join(dir, 'rel/appups'), { recursive: true });
    await writeFile(path.join(dir, 'rel/appups/shop.appup'), 'OWN\n');
    const p = await place('off', NEW(some));
    expect(p.used).toEqual([{ app: 'shop', source: 'project', text: 'OWN\n' }]);
    expect(await readFile(inRelease(), 'utf8')).toBe('%% Placed by hotup from rel/appups/shop.appup\nOWN\n');
  });

  test("the build's own is left exactly as it is", async () => {
    await writeFile(inRelease(), 'HONEST\n');
    expect((await place('generate', NEW(some))).used).toEqual([{ app: 'shop', source: 'build', text: null }]);
    expect(await readFile(inRelease(), 'utf8')).toBe('HONEST\n');
    expect(existsSync(inTool())).toBe(false);
  });

  test('one hotup placed in an earlier build is replaced by a fresh one, or removed with generation off', async () => {
    await writeFile(inRelease(), `${GENERATED_MARK} from an earlier build\n`);
    await writeFile(inTool(), `${GENERATED_MARK} from an earlier build\n`);
    expect((await place('generate', NEW(some))).used[0]!.source).toBe('generated');
    expect(await readFile(inRelease(), 'utf8')).toMatch(/of shop 0\.1\.0 and 0\.2\.0/);

    await writeFile(inTool(), '%% Placed by hotup from rel/appups/shop.appup\nOLD\n');
    const off = await place('off', NEW(some));
    expect(off).toEqual({ used: [], lacking: [{ app: 'shop', why: 'generation is off: build.appups is off', generationOff: true }] });
    expect(existsSync(inRelease())).toBe(false);
    expect(existsSync(inTool())).toBe(false);
  });

  test('no directory the build tool assembles from: none, and why', async () => {
    const p = await placeAppups(exec, { projectDir: dir, relDir, mode: 'generate', toolEbins: async () => null }, OLD, NEW());
    expect(p.lacking).toEqual([{ app: 'shop', why: 'the build keeps no directory of shop that the release is assembled from', generationOff: false }]);
  });
});
