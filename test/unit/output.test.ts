import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { watching, type Executor, type RunOptions } from '../../src/remote/executor.js';
import { LocalExecutor } from '../../src/remote/local.js';
import { stripAnsi } from '../../src/remote/lines.js';
import { Output, outputTail } from '../../src/remote/outcome.js';
import { humanReporter, jsonReporter, progressBar } from '../../src/report/reporter.js';
import { runHook } from '../../src/core/hooks.js';
import { journaling } from '../../src/host/journal.js';
import type { HotupEvent } from '../../src/core/events.js';
import type { Host } from '../../src/host/host.js';

function capture(isTTY = false): NodeJS.WriteStream & { text(): string } {
  let text = '';
  return { write: (s: string) => ((text += s), true), isTTY, text: () => text } as unknown as NodeJS.WriteStream & { text(): string };
}

// What rebar3 prints on a terminal.
const REBAR3 = '\u001b[0;32m===> Verifying dependencies...\u001b[0m\r\n\u001b[0;32m===> Compiling shop\u001b[0m\n';

describe('command output as it arrives', () => {
  test('terminal escapes are removed: colours, cursor moves, titles', () => {
    expect(stripAnsi('\u001b[0;32m===> Compiling\u001b[0m')).toBe('===> Compiling');
    expect(stripAnsi('a\u001b[2K\u001b[1Gb\u001b]0;title\u0007c\u001b]8;;http://x\u001b\\d')).toBe('abcd');
    expect(stripAnsi('plain é 日本')).toBe('plain é 日本');
  });

  test('lines of both streams are passed on, a last line without a newline too', () => {
    const lines: string[] = [];
    const o = new Output((l) => lines.push(l));
    o.stdout(Buffer.from(REBAR3.slice(0, 20)));
    o.stdout(Buffer.from(REBAR3.slice(20)));
    o.stderr(Buffer.from('warning: x\npartial'));
    const r = o.result(0, null);
    expect(lines).toEqual(['===> Verifying dependencies...', '===> Compiling shop', 'warning: x', 'partial']);
    // The collected output is as the command wrote it.
    expect(r.stdout).toBe(REBAR3);
  });

  test('an error quotes the end of the output without escapes', () => {
    expect(outputTail({ code: 1, stdout: REBAR3, stderr: '\u001b[0;31m===> Failed\u001b[0m' }, 2)).toBe('===> Compiling shop\n===> Failed');
  });

  test('a local command streams its lines in order while it runs', async () => {
    const lines: string[] = [];
    const r = await new LocalExecutor().run(['sh', '-c', 'for i in 1 2 3; do echo "line $i"; done; echo oops >&2; printf end'], { onLine: (l) => lines.push(l) });
    expect(r.code).toBe(0);
    expect(lines.filter((l) => l.startsWith('line'))).toEqual(['line 1', 'line 2', 'line 3']);
    expect(lines).toContain('oops');
    expect(lines).toContain('end');
  });

  test('a watched Executor streams only the runs marked watch (builds, not file reads)', async () => {
    const seen: Array<RunOptions | undefined> = [];
    const inner = { target: 'b', run: async (_a: readonly string[], o?: RunOptions) => (seen.push(o), { code: 0, stdout: '', stderr: '' }) } as unknown as Executor;
    const lines: string[] = [];
    const w = watching(inner, (l) => lines.push(l));
    await w.run(['rebar3', 'release'], { watch: true });
    await w.run(['cat', 'start_erl.data']);
    expect(typeof seen[0]?.onLine).toBe('function');
    expect(seen[1]?.onLine).toBeUndefined();
    expect(w.target).toBe('b');
  });
});

describe('reporters', () => {
  const events: HotupEvent[] = [
    { type: 'step', phase: 'start', step: 'build' },
    { type: 'output', source: 'build', line: '===> Compiling shop' },
    { type: 'progress', step: 'ship', host: 'h1', transferred: 5e6, total: 10e6 },
    { type: 'step', phase: 'done', step: 'build', ms: 1200 },
  ];

  test('people see build lines as they come, prefixed; the bar only on a terminal', () => {
    const err = capture();
    const r = humanReporter(capture(), err);
    for (const e of events) r.emit(e);
    expect(err.text()).toContain('build │ ===> Compiling shop');
    expect(err.text()).not.toContain('ship [');
    const tty = capture(true);
    const t = humanReporter(capture(), tty);
    for (const e of events) t.emit(e);
    expect(tty.text()).toContain(`h1 ship ${progressBar(5e6, 10e6)}`);
  });

  test('--json: one document on stdout with the output lines; the progress goes to stderr', () => {
    const out = capture();
    const err = capture();
    const r = jsonReporter(out, err);
    for (const e of events) r.emit(e);
    r.result({ schema: 'x', ok: true }, null);
    const doc = JSON.parse(out.text()) as { events: HotupEvent[] };
    expect(doc.events).toContainEqual({ type: 'output', source: 'build', line: '===> Compiling shop' });
    expect(doc.events.some((e) => e.type === 'progress')).toBe(false);
    expect(err.text()).toContain('build │ ===> Compiling shop');
    expect(err.text()).toMatch(/✓ build/);
  });

  test('the progress bar', () => {
    expect(progressBar(0, 0)).toContain('100%');
    expect(progressBar(12.1e6, 28.8e6, 10)).toBe('[####------]  42%  12.1/28.8 MB');
  });
});

describe('hooks', () => {
  test('a hook\'s output is shown as it runs and journaled with its step', async () => {
    const seen: HotupEvent[] = [];
    const written: string[] = [];
    const host = { root: '/srv/shop', append: async (_p: string, t: string) => void written.push(t) } as unknown as Host;
    const j = journaling((e) => seen.push(e), 'prod', () => ({ host, from: '0.1.0', to: '0.2.0' }));
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'hotup-hook-'));
    await runHook(j.emit, 'before_upgrade', 'echo "draining $HOTUP_HOST"; printf "\\033[32mdone\\033[0m\\n"', { env: 'prod', app: 'shop', host: 'h1' }, cwd);
    await j.flush();
    expect(seen.filter((e) => e.type === 'output')).toEqual([
      { type: 'output', source: 'hook', host: 'h1', line: 'draining h1' },
      { type: 'output', source: 'hook', host: 'h1', line: 'done' },
    ]);
    const entry = JSON.parse(written[0]!) as { step: string; detail: string; output: string };
    expect(entry).toMatchObject({ step: 'hook', result: 'done', detail: 'before_upgrade', output: 'draining h1\ndone' });
  });

  test('a failing hook stops with its output\'s end, without escapes', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'hotup-hook-'));
    const seen: HotupEvent[] = [];
    const e = await runHook((x) => seen.push(x), 'before_build', 'printf "\\033[31mno db\\033[0m\\n"; exit 3', { env: 'prod', app: 'shop' }, cwd).catch((x: Error) => x);
    expect((e as Error).message).toContain('failed with exit 3: no db');
    expect(seen.some((x) => x.type === 'step' && x.phase === 'fail' && x.step === 'hook')).toBe(true);
  });
});
