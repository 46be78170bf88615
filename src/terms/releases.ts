/** RELEASES (on disk) and release_handler:which_releases/0 (live), as typed rows. */
import type { Term } from './etf.js';
import type { ReleaseStatus, ReleasesEntry } from './model.js';
import { at, atom, listItems, malformed, text, tupleItems } from './shape.js';

const STATUSES: readonly string[] = ['permanent', 'current', 'old', 'unpacked'];

function status(t: Term, where: string): ReleaseStatus {
  const s = atom(t, where);
  if (!STATUSES.includes(s)) throw malformed('permanent, current, old or unpacked', where, t);
  return s as ReleaseStatus;
}

/** RELEASES holds one term: a list of `{release, Name, Vsn, ErtsVsn, Libs, Status}`. */
export function parseReleasesFile(consulted: Term): ReleasesEntry[] {
  const terms = listItems(consulted, 'RELEASES');
  if (terms.length !== 1) throw malformed('exactly one term', 'RELEASES', consulted);
  return listItems(at(terms, 0), 'RELEASES').map((r, i) => {
    const where = `RELEASES entry ${i + 1}`;
    const [tag, name, vsn, erts, libs, st] = tupleItems(r, 6, where);
    if (atom(tag!, where) !== 'release') throw malformed('a release record', where, r);
    return {
      name: text(name!, `${where} name`),
      vsn: text(vsn!, `${where} vsn`),
      erts: text(erts!, `${where} erts`),
      apps: listItems(libs!, `${where} libs`).map((l, j) => {
        const [app, appVsn] = tupleItems(l, 3, `${where} lib ${j + 1}`);
        return `${atom(app!, `${where} lib ${j + 1}`)}-${text(appVsn!, `${where} lib ${j + 1}`)}`;
      }),
      status: status(st!, `${where} status`),
    };
  });
}

/** which_releases/0: a list of `{Name, Vsn, Libs, Status}` with Libs as "app-vsn" strings. */
export function parseWhichReleases(t: Term): ReleasesEntry[] {
  return listItems(t, 'which_releases').map((r, i) => {
    const where = `which_releases entry ${i + 1}`;
    const [name, vsn, libs, st] = tupleItems(r, 4, where);
    return {
      name: text(name!, `${where} name`),
      vsn: text(vsn!, `${where} vsn`),
      erts: null,
      apps: listItems(libs!, `${where} libs`).map((l) => text(l, `${where} libs`)),
      status: status(st!, `${where} status`),
    };
  });
}
