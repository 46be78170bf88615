/**
 * Ctrl-C (SIGINT) and SIGTERM while hosts change. Before the first change the
 * command stops at once (the lock is given back). Once hosts are being
 * changed, a signal asks for a stop at the next safe point: before a host is
 * touched, or before a host's install; a host past its install finishes
 * (verify, health, make_permanent, or its rollback), so no host is left
 * installed and unchecked. A second signal stops at once.
 */
import { HotupError } from '../errors.js';

export interface Interrupts {
  /** The signal asking to stop, or null. */
  requested(): NodeJS.Signals | null;
}

/** Throws ABORTED when a stop was asked for: nothing from WHERE on is done. */
export function stopPoint(interrupts: Interrupts | undefined, where: string, host?: string): void {
  const signal = interrupts?.requested();
  if (!signal) return;
  throw new HotupError('ABORTED', `${signal} received: stopped before ${where}`,
    'Run `hotup status` to see what each host runs; `hotup apply` again continues where this one stopped.',
    { untouched: true, ...(host ? { host } : {}) });
}

/** Exit code of a process stopped at once by SIGNAL. */
export function signalExit(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : 143;
}
