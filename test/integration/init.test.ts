/**
 * `hotup init` as a user runs it in CI (no terminal, CI=true), in a copy of each fixture project, then
 * the commands that take the file as written: status without naming the one environment, --host.
 */
import { cp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hotup, jsonOf } from '../support/cli.js';
import { buildMixShop, buildRebar3Shop } from '../support/fixture-build.js';
import { FIXTURES, tempDir } from '../support/shop-project.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';

let sshd: SshdHandle;
let work: string;
const CI = { CI: 'true' };
const SCHEMAS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/schemas');

beforeAll(async () => {
  [sshd, work] = await Promise.all([startSshd(), tempDir('init')]);
});

afterAll(async () => {
  await sshd?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A release root of the fixture's 0.1.0 built release (from the shared fixture cache), its node not started. */
const builtRoot = {
  rebar3: async () => (await buildRebar3Shop(['v1'])).relDir,
  mix: async () => (await buildMixShop('v1')).relDir,
};

describe.each([
  ['rebar3', 'rebar3-shop/v1', 'shop', 'rebar3'],
  ['mix', 'mix-shop/v1', 'shop_ex', 'mix'],
] as const)('a %s project', (name, fixture, release, tool) => {
  let dir: string;
  let root: string;
  let host: string;

  beforeAll(async () => {
    dir = path.join(work, name);
    root = path.join(work, `${name}-root`);
    await cp(path.join(FIXTURES, fixture), dir, { recursive: true });
    // A copy: the cached build is shared with other test files.
    await cp(await builtRoot[name](), root, { recursive: true, verbatimSymlinks: true });
    host = `${sshd.user}@127.0.0.1:${sshd.port}`;
  });

  test('init without a terminal names the flag each missing answer needs', async () => {
    const r = await hotup(['init', '--deploy-to', root], { cwd: dir, env: CI });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--host is needed');
  });

  test('init writes a hotup.yml for the release the project builds, and refuses to replace it', async () => {
    const r = await hotup(['init', '--host', host, '--deploy-to', root, '--identity', sshd.identity, '--known-hosts', sshd.knownHosts, '--json'], { cwd: dir, env: CI });
    expect(r.code, r.stderr).toBe(0);
    const doc = jsonOf(r);
    expect(doc).toMatchObject({ schema: 'hotup.init/1', app: release, tool, environment: 'prod', hosts: [host], deployTo: root });
    const ajv = new Ajv({ allErrors: true });
    for (const f of ['events', 'init']) ajv.addSchema(JSON.parse(await readFile(path.join(SCHEMAS, `${f}.schema.json`), 'utf8')));
    expect(ajv.validate('init.schema.json', doc), ajv.errorsText()).toBe(true);
    const text = await readFile(path.join(dir, 'hotup.yml'), 'utf8');
    expect(text).toContain(`app: ${release} `);
    expect(text).toContain(`tool: ${tool} `);

    const again = await hotup(['init', '--host', host, '--deploy-to', '/elsewhere'], { cwd: dir, env: CI });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect(await readFile(path.join(dir, 'hotup.yml'), 'utf8')).toBe(text);
  });

  test('status takes the file as written, in its one environment, without naming it', async () => {
    const r = await hotup(['status', '--json'], { cwd: dir, env: CI, timeoutMs: 60_000 });
    const doc = jsonOf(r);
    expect(doc, r.stderr).toMatchObject({ schema: 'hotup.status/1', environment: 'prod' });
    // Read over SSH with the key and known_hosts init wrote: the release under deploy_to, its node down.
    expect(doc.hosts).toMatchObject([{ host, running: '0.1.0', live: { up: false } }]);
  });

  test('--host picks hosts by name; an unknown one is a usage error listing the hosts', async () => {
    const ok = await hotup(['status', '--host', '127.0.0.1', '--json'], { cwd: dir, env: CI, timeoutMs: 60_000 });
    expect(jsonOf(ok).hosts.map((h: { host: string }) => h.host)).toEqual([host]);
    const r = await hotup(['status', 'prod', '--host', 'web9'], { cwd: dir, env: CI });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--host web9 is not a host of environment prod; its hosts are: ${host}`);
  });
});
