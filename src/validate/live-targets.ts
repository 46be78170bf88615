/**
 * What an up-path does to each module, as the live facts need it: which
 * processes it would kill, suspend or convert. Pure: from the relup alone.
 */
import type { PurgeMode, RelupPath } from '../terms/model.js';

export interface LiveTarget {
  module: string;
  /** The application (and its new version) whose lib directory the relup loads the module from. */
  app: string | null;
  vsn: string | null;
  /** `load` makes the running code old; `remove` deletes it. */
  action: 'load' | 'remove' | null;
  /** Applied to code already old before the load: soft fails while processes run it, brutal kills them. */
  prePurge: PurgeMode | null;
  /** Applied to the code the load makes old: brutal kills the processes still in it (at make_permanent). */
  postPurge: PurgeMode | null;
  /** Named in a `{purge, [M]}` instruction: processes in its old code are killed during the install. */
  purged: boolean;
  /** release_handler suspends the processes whose child spec names the module. */
  suspend: boolean;
  /** The Extra of an up `code_change` of the module (printed term), null when none runs. */
  change: string | null;
  /**
   * `supervisor:terminate_child` calls the up-path makes before it loads or removes the module: processes
   * they stop are gone before the purge, and the live facts, read before the install, cannot tell which.
   */
  stoppedFirst: string[];
}

function blank(module: string): LiveTarget {
  return { module, app: null, vsn: null, action: null, prePurge: null, postPurge: null, purged: false, suspend: false, change: null, stoppedFirst: [] };
}

/** The modules the up-path loads, removes, purges, suspends or converts; in the order it first names them. */
export function liveTargets(up: RelupPath): LiveTarget[] {
  const byModule = new Map<string, LiveTarget>();
  const of = (m: string) => {
    let t = byModule.get(m);
    if (!t) byModule.set(m, (t = blank(m)));
    return t;
  };
  const from = new Map<string, { app: string; vsn: string }>();
  const stops: string[] = [];
  for (const i of up.instructions) {
    switch (i.op) {
      case 'apply':
        if (i.mfa.startsWith('supervisor:terminate_child(')) stops.push(i.mfa);
        break;
      case 'load_object_code':
        i.modules.forEach((m) => from.set(m, { app: i.app, vsn: i.vsn }));
        break;
      case 'load':
      case 'remove':
        Object.assign(of(i.module), { action: i.op, prePurge: i.prePurge, postPurge: i.postPurge, stoppedFirst: [...stops] });
        break;
      case 'purge':
        i.modules.forEach((m) => (of(m).purged = true));
        break;
      case 'suspend':
        i.modules.forEach((m) => (of(m.module).suspend = true));
        break;
      case 'code_change':
        if (i.mode !== 'down') i.changes.forEach((c) => (of(c.module).change = c.extra));
        break;
      default:
        break;
    }
  }
  return [...byModule.values()].map((t) => ({ ...t, ...(from.get(t.module) ?? {}) }));
}
