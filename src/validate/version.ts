/**
 * Ordering release versions: semver, and the date-based YYYY.M.DDHHMM that CI
 * pipelines stamp (its day-hour-minute part may have a leading zero, which
 * semver forbids, so it is compared as numbers). Two versions of different
 * schemes are not ordered: hotup says so rather than guess.
 */
import semver from 'semver';
import type { Finding } from './finding.js';

const DATE_VSN = /^(\d{4})\.(\d{1,2})\.(\d{5,6})$/;

function dateParts(v: string): number[] | null {
  const m = DATE_VSN.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** -1, 0 or 1; null when the two are not of one orderable scheme. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 | null {
  const da = dateParts(a);
  const db = dateParts(b);
  if (da && db) {
    for (let i = 0; i < 3; i++) if (da[i] !== db[i]) return da[i]! < db[i]! ? -1 : 1;
    return 0;
  }
  if (semver.valid(a) && semver.valid(b)) return semver.compare(a, b);
  return null;
}

export function versionRules(running: string, target: string): Finding[] {
  const order = compareVersions(target, running);
  if (order === null) {
    return [{
      rule: 'version/unordered',
      severity: 'info',
      effect: 'none',
      message: `cannot tell whether ${target} is newer than ${running}: they are not both semver or both YYYY.M.DDHHMM`,
      remedy: 'Use one version scheme for every release so hotup can check the direction of an upgrade.',
    }];
  }
  if (order <= 0) {
    return [{
      rule: 'version/not-newer',
      severity: 'error',
      effect: 'block',
      message: order === 0
        ? `the target ${target} is the version already running`
        : `the target ${target} is older than the running ${running}`,
      remedy: order === 0 ? 'Bump the release version for the new build.' : `To go back to ${target}, use \`hotup downgrade\`; to go forward, bump the release version above ${running}.`,
    }];
  }
  return [];
}
