/** A relup path grouped by application, each instruction in a short phrase. Pure. */
import type { ReleaseFacts, RelupInstruction } from '../terms/model.js';
import { describeInstruction } from './relup-lines.js';

export interface InstructionGroup {
  /** The application the instructions act on; `(release)` for those that act on the whole node. */
  app: string;
  lines: string[];
}

function modulesOf(i: RelupInstruction): string[] {
  switch (i.op) {
    case 'load_object_code':
    case 'purge':
    case 'resume':
    case 'stop':
    case 'start':
      return i.modules;
    case 'load':
    case 'remove':
      return [i.module];
    case 'suspend':
      return i.modules.map((m) => m.module);
    case 'code_change':
      return i.changes.map((c) => c.module);
    default:
      return [];
  }
}

export function groupByApplication(instructions: RelupInstruction[], facts: ReleaseFacts | null): InstructionGroup[] {
  const owner = new Map<string, string>();
  for (const a of facts?.apps ?? []) for (const m of a.modules) owner.set(m.module, a.name);
  for (const i of instructions) if (i.op === 'load_object_code') for (const m of i.modules) owner.set(m, i.app);
  const groups = new Map<string, string[]>();
  for (const i of instructions) {
    const apps = [...new Set(modulesOf(i).map((m) => owner.get(m) ?? '(unknown application)'))];
    const app = i.op === 'load_object_code' ? i.app : apps.length === 1 ? apps[0]! : '(release)';
    groups.set(app, [...(groups.get(app) ?? []), describeInstruction(i)]);
  }
  return [...groups].map(([app, lines]) => ({ app, lines }));
}
