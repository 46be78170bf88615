/** What an up-path does to each module: loads, removes, suspends, migrates; and what it applies. */
import type { RelupPath } from '../terms/model.js';

export interface PathView {
  loaded: Set<string>;
  removed: Set<string>;
  suspended: Set<string>;
  codeChanged: Set<string>;
  /** The `{M, F, A}` of every apply instruction, printed `m:f(a, b)`. */
  applied: string[];
}

export function view(up: RelupPath): PathView {
  const v: PathView = { loaded: new Set(), removed: new Set(), suspended: new Set(), codeChanged: new Set(), applied: [] };
  for (const i of up.instructions) {
    if (i.op === 'load_object_code') i.modules.forEach((m) => v.loaded.add(m));
    if (i.op === 'remove') v.removed.add(i.module);
    if (i.op === 'purge') i.modules.forEach((m) => v.removed.add(m));
    if (i.op === 'suspend') i.modules.forEach((m) => v.suspended.add(m.module));
    if (i.op === 'code_change') i.changes.forEach((c) => v.codeChanged.add(c.module));
    if (i.op === 'apply') v.applied.push(i.mfa);
  }
  return v;
}
