import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { commandLine, shellQuote } from '../../src/remote/quote.js';

/** Runs a command line with the real /bin/sh and splits what it prints on NUL. */
function sh(line: string, cwd?: string): string[] {
  return execFileSync('/bin/sh', ['-c', line], { cwd }).toString().split('\0').slice(0, -1);
}

/** The argv printf receives once /bin/sh has parsed the quoted words. */
function roundTrip(argv: string[]): string[] {
  return sh(`printf '%s\\0' ${shellQuote(argv)}`);
}

const HOSTILE = [
  '',
  ' ',
  "it's",
  "'",
  "''",
  '"double"',
  '$(rm -rf /)',
  '`reboot`',
  '$HOME',
  '${PATH}',
  'a\nb',
  '\n',
  'tab\there',
  '*',
  '?',
  '[a]',
  '~',
  '~root',
  '-',
  '-rf',
  '--',
  '-n',
  ';',
  '&& echo pwned',
  '| cat',
  '> /etc/passwd',
  '\\',
  "\\'",
  'ünïcødé ✓',
  '😀 emoji',
  '#not a comment',
  '!history',
  'a=b',
  '%s%n',
  '\x01\x7f',
];

/** Arguments built mostly from the characters a shell treats specially, plus any code point at all. */
const SPECIAL = [...`'"\`$\\ \t\n;&|<>(){}[]*?~#!=%-`, 'a', 'é', '😀'];
const arg = fc.oneof(
  fc.string({ unit: fc.constantFrom(...SPECIAL), maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
).filter((s) => !s.includes('\0'));

describe('shellQuote', () => {
  test('plain words stay readable', () => {
    expect(shellQuote(['rebar3', 'as', 'prod', 'release', '--relname', 'shop'])).toBe('rebar3 as prod release --relname shop');
    expect(shellQuote(['/opt/shop/bin/shop', 'eval'])).toBe('/opt/shop/bin/shop eval');
  });

  test('the empty string survives as an argument', () => {
    expect(shellQuote(['a', '', 'b'])).toBe("a '' b");
    expect(roundTrip(['', ''])).toEqual(['', '']);
  });

  test('a single quote is closed, escaped and reopened', () => {
    expect(shellQuote(["it's"])).toBe(`'it'\\''s'`);
  });

  test.each(HOSTILE)('%j reaches the program unchanged', (s) => {
    expect(roundTrip(['x', s, 'y'])).toEqual(['x', s, 'y']);
  });

  test('all hostile strings at once', () => {
    expect(roundTrip(HOSTILE)).toEqual(HOSTILE);
  });

  test('any argv round-trips through a real shell (property)', () => {
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 6 }), (argv) => {
        expect(roundTrip(argv)).toEqual(argv);
      }),
      { numRuns: 200 },
    );
  });
});

describe('commandLine', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hotup-quote-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('cwd and env are quoted by the same function', () => {
    expect(commandLine(['ls', 'a b'], { cwd: "/srv/it's", env: { K: 'v w' } })).toBe(`cd -- '/srv/it'\\''s' && env 'K=v w' ls 'a b'`);
  });

  test('without cwd or env it is just the quoted argv', () => {
    expect(commandLine(['echo', '$x'])).toBe(`echo '$x'`);
  });

  test('a hostile directory name, even one starting with -, is where the command runs', () => {
    const name = "-it's $(x) `y`\nz";
    mkdirSync(path.join(dir, name));
    expect(sh(commandLine(['sh', '-c', 'printf "%s\\0" "$PWD"'], { cwd: name }), dir)).toEqual([path.join(dir, name)]);
  });

  test('any env value reaches the command unchanged (property)', () => {
    fc.assert(
      fc.property(arg, arg, (value, word) => {
        const line = commandLine(['sh', '-c', 'printf "%s\\0" "$HOTUP_V" "$1"', 'sh', word], { env: { HOTUP_V: value } });
        expect(sh(line)).toEqual([value, word]);
      }),
      { numRuns: 100 },
    );
  });

  test('a malformed variable name is refused rather than run as a command', () => {
    expect(() => commandLine(['true'], { env: { 'rm -rf /;X': '1' } })).toThrow(/not an environment variable name/);
  });
});
