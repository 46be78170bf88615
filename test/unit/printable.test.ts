import { describe, expect, test } from 'vitest';
import { printable } from '../../src/report/printable.js';
import { humanReporter } from '../../src/report/reporter.js';
import { HotupError } from '../../src/errors.js';

function capture(): NodeJS.WriteStream & { text(): string } {
  let text = '';
  return { write: (s: string) => ((text += s), true), isTTY: false, text: () => text } as unknown as NodeJS.WriteStream & { text(): string };
}

describe('host-supplied text on a terminal', () => {
  test('escape sequences and other control characters become visible', () => {
    expect(printable('0.2.0\u001b]0;pwned\u0007\u001b[2J\r')).toBe('0.2.0\\x1b]0;pwned\\x07\\x1b[2J\\x0d');
    expect(printable('a\u009bb')).toBe('a\\x9bb');
  });

  test('newlines, tabs, text in any script and hotup\'s own colours pass unchanged', () => {
    const s = 'line 1\n\tline 2 é 日本 \u001b[31mred\u001b[0m';
    expect(printable(s)).toBe(s);
  });

  test('an error and a step detail from a host reach the terminal defused', () => {
    const out = capture();
    const err = capture();
    const r = humanReporter(out, err);
    r.emit({ type: 'step', phase: 'done', step: 'discover', host: 'h', detail: 'runs 0.1.0\u001b[1A\u001b[2K', ms: 1 });
    r.error(new HotupError('UPGRADE_FAILED', 'install_release returned {error,"\u001b]52;c;aGk=\u0007"}', 'Look.'));
    expect(err.text()).not.toMatch(/\u001b\[1A|\u001b\]52|\u0007/);
    expect(err.text()).toContain('runs 0.1.0\\x1b[1A\\x1b[2K');
  });
});
