/**
 * Module digests do not depend on where a release was built: Elixir keeps the
 * absolute source path in literals (Logger metadata), so the same source built
 * in two checkouts has two beam_lib:md5s. Compiled here by the real elixirc and
 * erlc, in two directories each, read by the facts helper.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LocalExecutor } from '../../src/remote/local.js';
import { localHelperDir } from '../../src/helper/run.js';
import { buildHostFacts } from '../../src/helper/facts.js';
import { tempDir } from '../support/shop-project.js';

const run = promisify(execFile);
const helper = { exec: new LocalExecutor(), dir: localHelperDir() };
let work: string;

beforeAll(async () => {
  work = await tempDir('digest');
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const EX = (greeting: string) => `defmodule Shop.Greeter do
  require Logger
  def hello, do: Logger.info("${greeting}") && :ok
  def where, do: __ENV__.file
end
`;
const ERL = (greeting: string) => `-module(greeter).
-include_lib("kernel/include/logger.hrl").
-export([hello/0]).
hello() -> ?LOG_INFO("${greeting}"), ok.
`;

/** A checkout at DIR with SOURCE compiled by the real compiler into a one-application release; the module's digest. */
async function digestOf(dir: string, kind: 'ex' | 'erl', source: string): Promise<{ digest: string; md5: string }> {
  const ebin = path.join(dir, 'lib/shop-1.0.0/ebin');
  const src = path.join(dir, kind === 'ex' ? 'lib/shop/greeter.ex' : 'src/greeter.erl');
  await mkdir(path.dirname(src), { recursive: true });
  await mkdir(ebin, { recursive: true });
  await mkdir(path.join(dir, 'releases/1.0.0'), { recursive: true });
  await writeFile(src, source);
  // Both compilers as a build tool runs them: from the checkout, with the absolute source path.
  if (kind === 'ex') await run('elixirc', ['-o', ebin, src], { cwd: dir });
  else await run('erlc', ['-o', ebin, src], { cwd: dir });
  const mod = kind === 'ex' ? 'Elixir.Shop.Greeter' : 'greeter';
  await writeFile(path.join(ebin, 'shop.app'), `{application, shop, [{vsn, "1.0.0"}, {modules, ['${mod}']}, {applications, [kernel, stdlib]}]}.\n`);
  await writeFile(path.join(dir, 'releases/1.0.0/shop.rel'), '{release, {"shop", "1.0.0"}, {erts, "13.1.5"}, [{shop, "1.0.0"}]}.\n');
  const facts = await buildHostFacts(helper, dir, '1.0.0');
  const m = facts.apps.find((a) => a.name === 'shop')!.modules.find((x) => x.module === mod)!;
  const { stdout } = await run('erl', ['-noshell', '-eval',
    `{ok, {_, M}} = beam_lib:md5("${path.join(ebin, `${mod}.beam`)}"), io:format("~s", [binary:encode_hex(M)]), halt().`]);
  return { digest: m.md5, md5: stdout.trim() };
}

test('Elixir: the same source built in two checkouts has one digest (beam_lib:md5 differs); a changed literal changes it', async () => {
  const a = await digestOf(path.join(work, 'ex-a'), 'ex', EX('hi'));
  const b = await digestOf(path.join(work, 'checkouts/ex-b'), 'ex', EX('hi'));
  expect(a.md5).not.toBe(b.md5);
  expect(a.digest).toBe(b.digest);
  const changed = await digestOf(path.join(work, 'ex-c'), 'ex', EX('ho'));
  expect(changed.digest).not.toBe(a.digest);
});

test('Erlang: the same source in two checkouts has one digest; a changed literal changes it', async () => {
  const a = await digestOf(path.join(work, 'erl-a'), 'erl', ERL('hi'));
  const b = await digestOf(path.join(work, 'checkouts/erl-b'), 'erl', ERL('hi'));
  expect(a.digest).toBe(b.digest);
  const changed = await digestOf(path.join(work, 'erl-c'), 'erl', ERL('ho'));
  expect(changed.digest).not.toBe(a.digest);
});
