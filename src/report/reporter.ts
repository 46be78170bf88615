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

/**
 * The progress of the work as people follow it on STDERR: steps, notes, what builds and hooks print, the
 * upload's progress on a terminal. `line` writes one more line of it.
 */
function progressLines(stderr: NodeJS.WriteStream) {
  const se = makeStyle(stderr);
  // Everything people read passes here: host-supplied text cannot drive their terminal.
  const err = { write: (text: string) => stderr.write(printable(text)), isTTY: stderr.isTTY };
  let progressShown = false;
  const line = (text: string) => {
    if (progressShown) err.write('\n');
    progressShown = false;
    err.write(`${text}\n`);
  };
  /** Shows E if it is progress; false for the events that are results (status, plan, summary). */
  const emit = (e: HotupEvent): boolean => {
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
        return true;
      }
      case 'progress':
        if (err.isTTY) {
          stderr.write(`\r  ${printable(e.host)} ship ${progressBar(e.transferred, e.total)}`);
          progressShown = true;
        }
        return true;
      case 'log':
        line(`${e.level === 'warn' ? se.yellow('!') : se.dim('·')} ${e.host ? `${e.host}: ` : ''}${e.message}`);
        return true;
      case 'output':
        line(`  ${se.dim(`${e.source}${e.host ? ` ${e.host}` : ''} │`)} ${e.line}`);
        return true;
      default:
        return false;
    }
  };
  return { emit, line, style: se };
}

/** `[#####-----]  42%  12.1/28.8 MB` */
export function progressBar(transferred: number, total: number, width = 24): string {
  const part = total > 0 ? Math.min(1, transferred / total) : 1;
  const filled = Math.round(part * width);
  const mb = (n: number) => (n / 1e6).toFixed(1);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(part * 100)).padStart(3)}%  ${mb(transferred)}/${mb(total)} MB`;
}

export function humanReporter(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Reporter {
  const so = makeStyle(stdout);
  const out = { write: (text: string) => stdout.write(printable(text)) };
  const progress = progressLines(stderr);
  const { line, style: se } = progress;
  const emit = (e: HotupEvent): void => {
    if (progress.emit(e)) return;
    switch (e.type) {
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

/** Nothing but one JSON document on stdout, holding the events; people watching see the progress on stderr. */
export function jsonReporter(out: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Reporter {
  const events: HotupEvent[] = [];
  const progress = progressLines(stderr);
  return {
    emit: (e) => {
      progress.emit(e);
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
