/** Runs one step of the work and tells the reporter when it starts, ends, or fails. */
import { isHotupError } from '../errors.js';
import type { Emit, StepName } from './events.js';

export interface StepOutcome<T> {
  value: T;
  /** Shown after the step's name; `skipped` marks a step found already done. */
  detail?: string;
  skipped?: boolean;
}

export async function runStep<T>(
  emit: Emit,
  step: StepName,
  host: string | undefined,
  work: () => Promise<StepOutcome<T>>,
): Promise<T> {
  const started = Date.now();
  emit({ type: 'step', phase: 'start', step, ...(host ? { host } : {}) });
  try {
    const out = await work();
    emit({
      type: 'step',
      phase: out.skipped ? 'skip' : 'done',
      step,
      ms: Date.now() - started,
      ...(host ? { host } : {}),
      ...(out.detail ? { detail: out.detail } : {}),
    });
    return out.value;
  } catch (e) {
    const error = isHotupError(e)
      ? { code: e.code, message: e.message, remedy: e.remedy, ...(e.host ?? host ? { host: e.host ?? host } : {}) }
      : { code: 'INTERNAL', message: String((e as Error)?.message ?? e), remedy: 'This is a bug in hotup; please report it with the output above.' };
    emit({ type: 'step', phase: 'fail', step, ms: Date.now() - started, error, ...(host ? { host } : {}) });
    throw e;
  }
}
