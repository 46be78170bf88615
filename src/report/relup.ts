/** A relup path for people: grouped by application, each instruction in a short phrase. Pure. */
import type { ReleaseFacts, RelupInstruction } from '../terms/model.js';
import { modulesOf } from '../terms/relup.js';
import type { Style } from './style.js';

/** Where instructions that act on the node, or on several applications, are listed. */
const RELEASE_GROUP = '(release)';

export interface InstructionGroup {
  app: string;
  lines: string[];
}

function list(mods: string[]): string {
  return mods.join(', ');
}

export function describeInstruction(i: RelupInstruction): string {
  switch (i.op) {
    case 'load_object_code':
      return `load the code of ${i.app} ${i.vsn}: ${list(i.modules)}`;
    case 'point_of_no_return':
      return 'point of no return: a failure after this restarts the node on the old release';
    case 'load':
      return `switch ${i.module} to the code loaded above`;
    case 'remove':
      return `remove ${i.module}`;
    case 'purge':
      return `purge the old code of ${list(i.modules)}`;
    case 'suspend': {
      const waits = i.modules.filter((m) => m.timeout !== 'default').map((m) => `${m.module} ${m.timeout === 'infinity' ? 'without limit' : `${m.timeout} ms`}`);
      return `suspend the processes of ${list(i.modules.map((m) => m.module))}${waits.length ? ` (waiting ${waits.join(', ')})` : ''}`;
    }
    case 'resume':
      return `resume the processes of ${list(i.modules)}`;
    case 'code_change':
      return i.mode === null
        ? `system code_change of the special processes of ${list(i.changes.map((c) => c.module))}`
        : `migrate the state of ${list(i.changes.map((c) => c.module))} (code_change ${i.mode === 'up' ? 'up' : 'down'})`;
    case 'stop':
      return `stop the processes of ${list(i.modules)}`;
    case 'start':
      return `start the processes of ${list(i.modules)}`;
    case 'sync_nodes':
      return `wait for nodes ${Array.isArray(i.nodes) ? list(i.nodes) : `from ${i.nodes.mfa}`} (${i.id})`;
    case 'apply':
      return `call ${i.mfa}`;
    case 'restart_new_emulator':
      return 'restart the emulator first (new ERTS or core application), then go on';
    case 'restart_emulator':
      return 'restart the emulator at the end of the upgrade';
    case 'unknown':
      return `UNKNOWN instruction ${i.printed}`;
  }
}

/**
 * Consecutive instructions on the same application's modules, in relup
 * order (the order is the upgrade: load, point of no return, suspend, …).
 */
export function groupByApplication(instructions: RelupInstruction[], facts: ReleaseFacts | null): InstructionGroup[] {
  const owner = new Map<string, string>();
  for (const a of facts?.apps ?? []) for (const m of a.modules) owner.set(m.module, a.name);
  for (const i of instructions) if (i.op === 'load_object_code') for (const m of i.modules) owner.set(m, i.app);
  const groups: InstructionGroup[] = [];
  for (const i of instructions) {
    const apps = [...new Set(modulesOf(i).map((m) => owner.get(m) ?? RELEASE_GROUP))];
    const app = i.op === 'load_object_code' ? i.app : apps.length === 1 ? apps[0]! : RELEASE_GROUP;
    const last = groups.at(-1);
    if (last?.app === app) last.lines.push(describeInstruction(i));
    else groups.push({ app, lines: [describeInstruction(i)] });
  }
  return groups;
}

export function renderGroups(groups: InstructionGroup[], s: Style, indent: string): string[] {
  if (groups.length === 0) return [`${indent}${s.dim('(no instructions)')}`];
  return groups.flatMap((g) => [`${indent}${s.bold(g.app)}:`, ...g.lines.map((l) => `${indent}  ${l}`)]);
}
