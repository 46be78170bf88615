/** One short readable line per relup instruction. */
import type { RelupInstruction } from '../terms/model.js';

export function describeInstruction(i: RelupInstruction): string {
  switch (i.op) {
    case 'load_object_code':
      return `load code of ${i.app} ${i.vsn}: ${i.modules.join(', ')}`;
    case 'point_of_no_return':
      return 'point of no return (a failure after this restarts the node into the old release)';
    case 'load':
      return `switch ${i.module} to the code loaded above`;
    case 'remove':
      return `remove ${i.module}`;
    case 'purge':
      return `purge old code of ${i.modules.join(', ')}`;
    case 'suspend':
      return `suspend processes running ${i.modules.map((m) => m.module).join(', ')}`;
    case 'resume':
      return `resume processes running ${i.modules.join(', ')}`;
    case 'code_change':
      return `migrate state (${i.mode ?? 'system'} code_change) of ${i.changes.map((c) => c.module).join(', ')}`;
    case 'stop':
      return `stop processes running ${i.modules.join(', ')}`;
    case 'start':
      return `start processes running ${i.modules.join(', ')}`;
    case 'sync_nodes':
      return `wait for nodes ${Array.isArray(i.nodes) ? i.nodes.join(', ') : i.nodes.mfa} (${i.id})`;
    case 'apply':
      return `call ${i.mfa}`;
    case 'restart_new_emulator':
      return 'restart the emulator (new ERTS or core application)';
    case 'restart_emulator':
      return 'restart the emulator at the end of the upgrade';
    case 'unknown':
      return `UNKNOWN instruction ${i.printed}`;
  }
}
