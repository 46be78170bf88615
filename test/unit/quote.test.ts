import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { shellQuote } from '../../src/remote/quote.js';
import { remoteCommandLine } from '../../src/remote/ssh.js';

/** What /bin/sh makes of a quoted command line: the argv printf receives, NUL-separated. */
function roundTrip(argv: string[]): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${shellQuote(argv)}`]);
  return out.toString().split('\0').slice(0, -1);
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
  'tab\there',
  '*',
  '?',
  '~',
  '~root',
  '-rf',
  '--',
  ';',
  '&& echo pwned',
  '| cat',
  '> /etc/passwd',
  '\\',
  '\\\'',
  'ünïcødé ✓',
  '#not a comment',
  '!history',
  'a=b',
];

describe('shellQuote', () => {
  test('plain words stay readable', () => {
    expect(shellQuote(['rebar3', 'as', 'prod', 'release', '--relname', 'shop'])).toBe('rebar3 as prod release --relname shop');
    expect(shellQuote(['/opt/shop/bin/shop', 'eval'])).toBe('/opt/shop/bin/shop eval');
  });

  test('the empty string survives as an argument', () => {
    expect(shellQuote(['a', '', 'b'])).toBe("a '' b");
  });

  test.each(HOSTILE)('%j reaches the program unchanged', (s) => {
    expect(roundTrip(['x', s, 'y']).slice(1)).toEqual([s, 'y']);
  });

  test('all hostile strings at once', () => {
    expect(roundTrip(HOSTILE)).toEqual(HOSTILE);
  });

  test('any argv round-trips through a real shell (property)', () => {
    const arg = fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 6 }), (argv) => {
        expect(roundTrip(argv)).toEqual(argv);
      }),
      { numRuns: 150 },
    );
  });
});

describe('the remote command line', () => {
  test('cwd and env are quoted by the same function', () => {
    expect(remoteCommandLine(['ls', 'a b'], { cwd: "/srv/it's", env: { K: 'v w' } })).toBe(
      `cd '/srv/it'\\''s' && env 'K=v w' ls 'a b'`,
    );
  });
  test('without cwd or env it is just the quoted argv', () => {
    expect(remoteCommandLine(['echo', '$x'])).toBe(`echo '$x'`);
  });
});
