/** What changed between two releases, application by application. Pure. */
import type { AppFacts, ModuleFacts, ReleaseFacts } from '../terms/model.js';

export interface AppChange {
  name: string;
  /** null: the application is new in the target release. */
  oldVsn: string | null;
  /** null: the target release drops the application. */
  newVsn: string | null;
  /** Same name, different code digest. */
  changed: ModuleFacts[];
  added: ModuleFacts[];
  deleted: ModuleFacts[];
  /** The target release's facts of this application, when it has it. */
  app: AppFacts | null;
  /** The running release's facts of this application, when it has it (absent from changes made by hand). */
  oldApp?: AppFacts | null;
}

/** The running release's facts of module M of this application. */
export function previous(c: AppChange, module: string): ModuleFacts | undefined {
  return c.oldApp?.modules.find((m) => m.module === module);
}

/**
 * The application's modules as systools sees them: the beams its .app lists
 * (a stale beam left in ebin is not one), or every beam when the list is empty.
 */
function modulesOf(app: AppFacts | undefined): Map<string, ModuleFacts> {
  const listed = new Set(app?.appModules ?? []);
  const mods = (app?.modules ?? []).filter((m) => listed.size === 0 || listed.has(m.module));
  return new Map(mods.map((m) => [m.module, m]));
}

export function diffReleases(oldRel: ReleaseFacts, newRel: ReleaseFacts): AppChange[] {
  const oldApps = new Map(oldRel.apps.map((a) => [a.name, a]));
  const newApps = new Map(newRel.apps.map((a) => [a.name, a]));
  return [...new Set([...oldApps.keys(), ...newApps.keys()])].map((name) => {
    const o = oldApps.get(name);
    const n = newApps.get(name);
    const om = modulesOf(o);
    const nm = modulesOf(n);
    return {
      name,
      oldVsn: o?.vsn ?? null,
      newVsn: n?.vsn ?? null,
      changed: [...nm.values()].filter((m) => om.has(m.module) && om.get(m.module)!.md5 !== m.md5),
      added: [...nm.values()].filter((m) => !om.has(m.module)),
      deleted: [...om.values()].filter((m) => !nm.has(m.module)),
      app: n ?? null,
      oldApp: o ?? null,
    };
  });
}

export function hasCodeChanges(c: AppChange): boolean {
  return c.changed.length + c.added.length + c.deleted.length > 0;
}
