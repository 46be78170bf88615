/** The rules on what a mix release keeps beside its code: consolidated protocols, runtime configuration. */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import type { ProtocolFacts, ReleaseFacts } from '../../src/terms/model.js';
import { protocolRules, runtimeConfigNote } from '../../src/validate/elixir.js';
import { consolidatedDiffArgv } from '../../src/commands/files.js';
import { umbrellaWithoutReleases } from '../../src/commands/mix.js';

const run = promisify(execFile);

function release(vsn: string, protocols: ProtocolFacts[] | null, runtimeConfig = false): ReleaseFacts {
  return { name: 'shop', vsn, erts: '13.1', apps: [], relup: null, elixir: { protocols, runtimeConfig } };
}

const chars = (md5: string, ...types: string[]): ProtocolFacts => ({
  protocol: 'Elixir.String.Chars', md5,
  atoms: ['Elixir.String.Chars', 'Elixir.Kernel', ...types.flatMap((t) => [`Elixir.${t}`, `Elixir.String.Chars.${t}`])],
});

test('a defimpl added: restart, the protocol and the implementation named', () => {
  const [f, ...rest] = protocolRules(release('0.1.0', [chars('A', 'Atom')]), release('0.2.0', [chars('B', 'Atom', 'Shop.Total')]));
  expect(rest).toEqual([]);
  expect(f).toMatchObject({ rule: 'elixir/protocol-changed', effect: 'restart', severity: 'warning', module: 'Elixir.String.Chars' });
  expect(f!.message).toMatch(/^defimpl String\.Chars, for: Shop\.Total added \(releases\/0\.2\.0\/consolidated\/Elixir\.String\.Chars\.beam\)/);
});

test('a defimpl removed, and a protocol new in the release', () => {
  const inspect: ProtocolFacts = { protocol: 'Elixir.Shop.Priced', md5: 'P', atoms: ['Elixir.Shop.Priced'] };
  const fs = protocolRules(release('0.1.0', [chars('A', 'Atom', 'Shop.Total')]), release('0.2.0', [chars('B', 'Atom'), inspect]));
  expect(fs.map((f) => f.message.split(' (')[0])).toEqual(['protocol Shop.Priced is new', 'defimpl String.Chars, for: Shop.Total removed']);
});

test('the same consolidation, or a release without consolidated/: silent', () => {
  expect(protocolRules(release('0.1.0', [chars('A', 'Atom')]), release('0.2.0', [chars('A', 'Atom')]))).toEqual([]);
  expect(protocolRules(release('0.1.0', null), release('0.2.0', null))).toEqual([]);
  expect(protocolRules({ ...release('0.1.0', null), elixir: undefined }, release('0.2.0', [chars('A')]))).toEqual([]);
});

test('runtime configuration: a note for a release with config providers, nothing otherwise', () => {
  expect(runtimeConfigNote(release('0.2.0', null, true))).toMatchObject([{ rule: 'elixir/runtime-config', severity: 'info', effect: 'none' }]);
  expect(runtimeConfigNote(release('0.2.0', null, false))).toEqual([]);
});

test('consolidatedDiffArgv names the protocol beams that differ, in a real shell; nothing without consolidated/', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'hotup-consolidated-'));
  try {
    for (const [v, files] of [['0.1.0', { 'A.beam': 'a', 'B.beam': 'b' }], ['0.2.0', { 'A.beam': 'a', 'B.beam': 'b2', 'C.beam': 'c' }]] as const) {
      await mkdir(path.join(root, 'releases', v, 'consolidated'), { recursive: true });
      for (const [n, t] of Object.entries(files)) await writeFile(path.join(root, 'releases', v, 'consolidated', n), t);
    }
    await mkdir(path.join(root, 'releases', '0.0.1'), { recursive: true });
    const [cmd, ...args] = consolidatedDiffArgv(root, '0.2.0', '0.1.0');
    expect((await run(cmd!, args)).stdout).toBe('B.beam\nC.beam\n');
    const [cmd2, ...args2] = consolidatedDiffArgv(root, '0.2.0', '0.0.1');
    expect((await run(cmd2!, args2)).stdout).toBe('');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('mix refusing a default release for an umbrella is recognised', () => {
  expect(umbrellaWithoutReleases('** (Mix) Umbrella projects require releases to be explicitly defined with a non-empty applications key')).toBe(true);
  expect(umbrellaWithoutReleases('** (Mix) Unknown release :shop. The available releases are: []')).toBe(false);
});
