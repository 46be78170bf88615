/** hotup init: project detection (asking rebar3's terms and mix itself), and a hotup.yml that loads as written. */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { detectProject, relxReleases } from '../../src/build/project.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { hotupYml, type InitAnswers } from '../../src/config/template.js';
import { writeInit } from '../../src/core/init.js';
import { HotupError } from '../../src/errors.js';
import { LocalExecutor } from '../../src/remote/local.js';
import type { Term } from '../../src/terms/etf.js';
import { FIXTURES } from '../support/shop-project.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'hotup-init-'));
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function project(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(tmp, name);
  await mkdir(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, f)), { recursive: true });
    await writeFile(path.join(dir, f), text);
  }
  return dir;
}

const exec = new LocalExecutor();

describe('detection', () => {
  test('rebar3: the relx release tuple, read as Erlang terms', async () => {
    const dir = path.join(tmp, 'rebar3');
    await cp(path.join(FIXTURES, 'rebar3-shop/v1'), dir, { recursive: true });
    expect(await detectProject(dir, exec, 'prod')).toEqual({ kind: 'rebar3', tool: 'rebar3', releases: [{ name: 'shop', version: '0.1.0' }] });
  });

  test('rebar3: several releases, and a version the build computes', async () => {
    const dir = await project('rebar3-two', {
      'rebar.config': '%% two releases\n{relx, [{release, {shop, "1.2.0"}, [shop]}, {release, {admin, semver}, [admin]}, {dev_mode, false}]}.\n',
    });
    expect((await detectProject(dir, exec, 'prod'))!.releases).toEqual([{ name: 'shop', version: '1.2.0' }, { name: 'admin', version: null }]);
  });

  test('rebar3 without relx says so', async () => {
    const dir = await project('rebar3-lib', { 'rebar.config': '{erl_opts, [debug_info]}.\n' });
    expect(await detectProject(dir, exec, 'prod')).toMatchObject({ releases: [], problem: expect.stringContaining('no {relx') });
  });

  test('mix without releases: builds the default release, named after the app', async () => {
    const dir = path.join(tmp, 'mix');
    await cp(path.join(FIXTURES, 'mix-shop/v1'), dir, { recursive: true });
    expect(await detectProject(dir, exec, 'prod')).toEqual({ kind: 'mix', tool: 'mix', releases: [{ name: 'shop_ex', version: '0.1.0' }] });
  });

  test('mix with releases: their names, each with its own version or the project\'s', async () => {
    const dir = await project('mix-rel', {
      'mix.exs': `defmodule Two.MixProject do
  use Mix.Project
  @version "2.1.0"
  def project, do: [app: :two, version: @version, releases: releases()]
  defp releases, do: [web: [include_executables_for: [:unix]], ops: [version: "0.9.0"]]
end
`,
    });
    expect(await detectProject(dir, exec, 'prod')).toEqual({ kind: 'mix', tool: 'mix', releases: [{ name: 'web', version: '2.1.0' }, { name: 'ops', version: '0.9.0' }] });
  });

  test('umbrella: apps_path; without releases: it cannot name one', async () => {
    const dir = await project('umbrella', {
      'mix.exs': 'defmodule U.MixProject do\n  use Mix.Project\n  def project, do: [apps_path: "apps", version: "0.3.0"]\nend\n',
      'apps/a/mix.exs': 'defmodule A.MixProject do\n  use Mix.Project\n  def project, do: [app: :a, version: "0.1.0"]\nend\n',
    });
    expect(await detectProject(dir, exec, 'prod')).toMatchObject({ kind: 'umbrella', tool: 'mix', releases: [], problem: expect.stringContaining('defines none') });
  });

  test('Distillery: rel/config.exs beside mix.exs', async () => {
    const dir = path.join(tmp, 'distillery');
    await cp(path.join(FIXTURES, 'mix-shop/v1'), dir, { recursive: true });
    await project('distillery', { 'rel/config.exs': 'use Distillery.Releases.Config\n' });
    expect((await detectProject(dir, exec, 'prod'))!.tool).toBe('distillery');
  });

  test('a mix.exs mix cannot read is a problem to show, not a crash', async () => {
    const dir = await project('mix-broken', { 'mix.exs': 'defmodule Broken do\n' });
    expect(await detectProject(dir, exec, 'prod')).toMatchObject({ kind: 'mix', releases: [], problem: expect.stringContaining('mix could not read mix.exs') });
  });

  test('neither file: no project', async () => {
    expect(await detectProject(await project('empty', { 'README.md': '' }), exec, 'prod')).toBeNull();
  });

  test('relxReleases skips what is not a release tuple', () => {
    const a = (name: string): Term => ({ kind: 'atom', name });
    const s = (value: string): Term => ({ kind: 'list', items: [...value].map((c) => ({ kind: 'int', value: c.charCodeAt(0) })) });
    const terms: Term = { kind: 'list', items: [
      { kind: 'tuple', items: [a('profiles'), { kind: 'list', items: [] }] },
      { kind: 'tuple', items: [a('relx'), { kind: 'list', items: [
        { kind: 'tuple', items: [a('include_erts'), a('false')] },
        { kind: 'tuple', items: [a('release'), { kind: 'tuple', items: [a('shop'), s('0.4.0')] }, { kind: 'list', items: [] }] },
      ] }] },
    ] };
    expect(relxReleases(terms)).toEqual([{ name: 'shop', version: '0.4.0' }]);
  });
});

describe('the written hotup.yml', () => {
  const answers: InitAnswers = { app: 'shop', tool: 'rebar3', env: 'prod', hosts: ['deploy@10.0.0.5', 'deploy@[fd00::1]:2222', 'ops@web-1.example.com'], deployTo: '/opt/shop' };

  test('loads as written, every value as given (comments stay comments)', () => {
    const c = parseConfig(hotupYml({ ...answers, identity: '~/.ssh/deploy_key', knownHosts: 'ops/known_hosts', detected: 'a rebar3 project' }), '/srv/p/hotup.yml');
    expect(c.app).toBe('shop');
    expect(c.build).toMatchObject({ tool: 'rebar3', host: 'local', path: '/srv/p', profile: 'prod' });
    const env = c.environments.prod!;
    expect(env.hosts.map((h) => [h.user, h.host, h.port])).toEqual([['deploy', '10.0.0.5', 22], ['deploy', 'fd00::1', 2222], ['ops', 'web-1.example.com', 22]]);
    expect(env.deployTo).toBe('/opt/shop');
    expect(env.ssh.identity).toBe(path.join(os.homedir(), '.ssh/deploy_key'));
    expect(env.ssh.knownHosts).toBe('/srv/p/ops/known_hosts');
    expect(env.health).toBeUndefined();
  });

  test('for every tool, and with the defaults', () => {
    for (const tool of ['rebar3', 'mix', 'distillery'] as const) {
      const c = parseConfig(hotupYml({ ...answers, tool, env: 'staging-eu' }), '/srv/p/hotup.yml');
      expect(c.build.tool).toBe(tool);
      expect(Object.keys(c.environments)).toEqual(['staging-eu']);
      expect(c.environments['staging-eu']!.ssh.knownHosts).toBe(path.join(os.homedir(), '.ssh/known_hosts'));
      expect(c.environments['staging-eu']!.ssh.identity).toBeUndefined();
    }
  });

  test('writeInit writes it, refuses to overwrite without force, and writes nothing from answers that do not load', async () => {
    const dir = await project('write', {});
    const r = await writeInit(dir, answers, false);
    expect(r.file).toBe(path.join(dir, 'hotup.yml'));
    expect((await loadConfig({ cwd: dir })).environments.prod!.hosts).toHaveLength(3);

    const again = await writeInit(dir, answers, false).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(HotupError);
    expect((again as HotupError).message).toContain('already exists');
    expect((again as HotupError).remedy).toContain('--force');

    await writeInit(dir, { ...answers, hosts: ['other@10.0.0.9'] }, true);
    expect(await readFile(path.join(dir, 'hotup.yml'), 'utf8')).toContain('other@10.0.0.9');

    const bad = await writeInit(dir, { ...answers, deployTo: 'opt/shop', hosts: ['deploy@10.0.0.5:99999'] }, true).catch((e: unknown) => e) as HotupError;
    expect(bad.code).toBe('USAGE');
    expect(bad.message).toContain('environments/prod/hosts/0: should have a port from 1 to 65535, not 99999');
    expect(bad.message).toContain('environments/prod/deploy_to: should be an absolute path');
    expect(await readFile(path.join(dir, 'hotup.yml'), 'utf8')).toContain('other@10.0.0.9');
  });
});
