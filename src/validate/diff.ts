/** What changed between two releases, application by application. Pure. */
import type { AppFacts, ModuleFacts, ReleaseFacts } from '../terms/model.js';

export interface AppChange {
  name: string;
  oldVsn: string | null;
  newVsn: string | null;
  changed: ModuleFacts[];
  added: ModuleFacts[];
  deleted: ModuleFacts[];
  /** The new release's facts of this application, when it has it. */
  app: AppFacts | null;
}

function byName(mods: ModuleFacts[]): Map<string, ModuleFacts> {
  return new Map(mods.map((m) => [m.module, m]));
}

export function diffReleases(oldRel: ReleaseFacts, newRel: ReleaseFacts): AppChange[] {
  const oldApps = new Map(oldRel.apps.map((a) => [a.name, a]));
  const newApps = new Map(newRel.apps.map((a) => [a.name, a]));
  const names = [...new Set([...oldApps.keys(), ...newApps.keys()])];
  return names.map((name) => {
    const o = oldApps.get(name);
    const n = newApps.get(name);
    const om = byName(o?.modules ?? []);
    const nm = byName(n?.modules ?? []);
    return {
      name,
      oldVsn: o?.vsn ?? null,
      newVsn: n?.vsn ?? null,
      changed: [...nm.values()].filter((m) => om.has(m.module) && om.get(m.module)!.md5 !== m.md5),
      added: [...nm.values()].filter((m) => !om.has(m.module)),
      deleted: [...om.values()].filter((m) => !nm.has(m.module)),
      app: n ?? null,
    };
  });
}

export function hasCodeChanges(c: AppChange): boolean {
  return c.changed.length + c.added.length + c.deleted.length > 0;
}
