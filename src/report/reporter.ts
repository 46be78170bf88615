/** Reporters turn core events into output: text for people on stderr/stdout, or one JSON document on stdout. */
import { exitCodeFor } from './exit-codes.js';
import { isHotupError } from '../errors.js';
import type { Emit, HotupEvent } from '../core/events.js';
import { renderPlan } from './render-plan.js';
import { renderStatus } from './render-status.js';
import { renderSummary } from './render-summary.js';
import { makeStyle, seconds } from './style.js';
import { printable } from './printable.js';

export interface Reporter {
  emit: Emit;
  /** The command's result: `doc` for --json, `text` for people. */
  result(doc: object, text: string | null): void;
  error(e: unknown): void;
}

export function errorDocument(e: unknown): object {
  const exit = exitCodeFor(e);
  if (isHotupError(e)) return { code: e.code, message: e.message, remedy: e.remedy, exit, ...(e.host ? { host: e.host } : {}) };
  return { code: 'INTERNAL', message: String((e as Error)?.stack ?? e), remedy: 'This is a bug in hotup; please report it.', exit };
}

export function humanReporter(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Reporter {
  const so = makeStyle(stdout);
  const se = makeStyle(stderr);
  // Everything people read passes here: host-supplied text cannot drive their terminal.
  const out = { write: (text: string) => stdout.write(printable(text)) };
  const err = { write: (text: string) => stderr.write(printable(text)), isTTY: stderr.isTTY };
  let progressShown = false;
  const line = (text: string) => {
    if (progressShown) err.write('\n');
    progressShown = false;
    err.write(`${text}\n`);
  };
  const emit = (e: HotupEvent): void => {
    switch (e.type) {
      case 'step': {
        const where = e.host ? ` ${se.dim(e.host)}` : '';
        if (e.phase === 'start') {
          if (!e.host) line(`${se.cyan('▸')} ${e.step}…`);
        } else if (e.phase === 'fail') {
          line(`${se.red('✗')} ${e.step}${where} ${se.dim(seconds(e.ms))}`);
        } else {
          const mark = e.phase === 'skip' ? se.dim('–') : se.green('✓');
          line(`${mark} ${e.step}${where}${e.detail ? `  ${e.detail}` : ''} ${se.dim(seconds(e.ms))}`);
        }
        return;
      }
      case 'progress':
        if (err.isTTY) {
          stderr.write(`\r  ${printable(e.host)} ship ${Math.floor((100 * e.transferred) / Math.max(1, e.total))}%`);
          progressShown = true;
        }
        return;
      case 'log':
        line(`${e.level === 'warn' ? se.yellow('!') : se.dim('·')} ${e.host ? `${e.host}: ` : ''}${e.message}`);
        return;
      case 'status':
        out.write(`${renderStatus(e.hosts, so)}\n`);
        return;
      case 'plan':
        out.write(`${renderPlan(e.plan, so)}\n`);
        return;
      case 'summary':
        out.write(`${renderSummary(e.hosts, so)}\n`);
        return;
    }
  };
  return {
    emit,
    result: (_doc, text) => {
      if (text) out.write(`${text}\n`);
    },
    error: (e) => {
      if (isHotupError(e)) {
        line(`${se.red(`error ${e.code}`)}${e.host ? ` on ${e.host}` : ''}: ${e.message}`);
        line(`${se.bold('what to do:')} ${e.remedy}`);
      } else {
        line(`${se.red('internal error')} (this is a bug in hotup; please report it):`);
        line(String((e as Error)?.stack ?? e));
      }
    },
  };
}

/** Nothing but one JSON document on stdout; events are kept and included in it. */
export function jsonReporter(out: NodeJS.WriteStream = process.stdout): Reporter {
  const events: HotupEvent[] = [];
  return {
    emit: (e) => {
      if (e.type !== 'progress') events.push(e);
    },
    result: (doc) => out.write(`${JSON.stringify({ ...doc, events }, null, 2)}\n`),
    error: (e) => {
      // apply attaches the per-host results it had when it stopped.
      const hosts = (e as { results?: unknown }).results;
      out.write(`${JSON.stringify({ schema: 'hotup.error/1', ok: false, error: errorDocument(e), ...(hosts ? { hosts } : {}), events }, null, 2)}\n`);
    },
  };
}

/** Every event as a JSON line as it happens, then the result (or the error) as the last line. */
export function jsonLinesReporter(out: NodeJS.WriteStream = process.stdout): Reporter {
  const line = (o: object) => out.write(`${JSON.stringify(o)}\n`);
  return {
    emit: (e) => {
      if (e.type !== 'progress') line(e);
    },
    result: (doc) => line({ type: 'result', ...doc }),
    error: (e) => {
      const hosts = (e as { results?: unknown }).results;
      line({ type: 'result', schema: 'hotup.error/1', ok: false, error: errorDocument(e), ...(hosts ? { hosts } : {}) });
    },
  };
}
