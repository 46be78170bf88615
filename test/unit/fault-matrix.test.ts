/**
 * The fault matrix: one fault at each step of apply (hot, restart, fleet),
 * each row asserting what a user relies on afterwards, read from the host:
 * what each node runs, what it boots next, the lock, no temp file left, the
 * exit code and the message. docs/troubleshooting.md lists every row (checked
 * below). The decisive rows also run against a real sshd and node: see
 * test/integration/link-faults.test.ts (link cut mid-upload, a hanging link),
 * fallback.test.ts (node killed mid-install, failed health check, crash at
 * boot, a relup that leaves a module out, fix-and-apply-again) and
 * commands.test.ts (a lock that cannot be written).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { HotupError } from '../../src/errors.js';
import { runApply } from '../../src/core/deploy.js';
import { EXIT, exitCodeFor } from '../../src/report/exit-codes.js';
import { FakeHost, fakeContext, fakePlan, rhError, type Fault, type ReleaseStatus } from '../support/fake-host.js';

const OLD = '0.1.0';
const NEW = '0.2.0';
const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/troubleshooting.md');

interface Row {
  /** Unique; docs/troubleshooting.md has a row that starts with it. */
  name: string;
  hosts?: number;
  releases?: Array<{ vsn: string; status: ReleaseStatus }>;
  /** Faults per host index (host 0 when a plain list). */
  faults?: Fault[] | Record<number, Fault[]>;
  setup?: (fakes: FakeHost[]) => void;
  restart?: boolean;
  health?: boolean;
  plan?: 'build-fails' | 'unreachable';
  confirm?: 'declined';
  /** Expected: exit code, error code (null: success), per host running and boots-next, lock held (default free everywhere). */
  exit: number;
  code: string | null;
  running: Array<string | null>;
  boots: string[];
  locked?: boolean[];
  message?: RegExp;
}

const gone = (on: 'old' | 'new' | null, polls = 1) => FakeHost.nodeDies(on, { old: OLD, new: NEW }, polls);
const ctrlC = () => { process.emit('SIGINT', 'SIGINT'); };
const upOld = [OLD];
const bootsOld = [OLD];

const ROWS: Row[] = [
  { name: 'lock held by another run', setup: ([f]) => f!.files.set('/srv/shop/releases/.hotup-lock/holder.json', '{"who":"ci"}'),
    exit: EXIT.locked, code: 'LOCK_HELD', running: upOld, boots: bootsOld, locked: [true], message: /held by ci/ },
  { name: 'lock cannot be written', faults: [{ op: 'run:lock', exit: { code: 4, stderr: 'No space left on device' } }],
    exit: EXIT.aborted, code: 'COMMAND_FAILED', running: upOld, boots: bootsOld, message: /could not take the deploy lock.*No space left/ },
  { name: 'build fails', plan: 'build-fails', exit: EXIT.build, code: 'BUILD_FAILED', running: upOld, boots: bootsOld },
  { name: 'host unreachable while planning', plan: 'unreachable', exit: EXIT.aborted, code: 'SSH_CONNECT', running: upOld, boots: bootsOld },
  { name: 'not confirmed', confirm: 'declined', exit: EXIT.aborted, code: 'ABORTED', running: upOld, boots: bootsOld },
  { name: 'node stopped on purpose', setup: ([f]) => { f!.up = false; },
    exit: EXIT.aborted, code: 'NODE_DOWN', running: [null], boots: bootsOld, message: /a hot upgrade needs the running node.*Nothing was changed/ },
  { name: 'earlier build cannot be removed', releases: [{ vsn: OLD, status: 'permanent' }, { vsn: NEW, status: 'unpacked' }],
    faults: [{ op: 'call:remove_release', reply: rhError('eacces') }], exit: EXIT.aborted, code: 'UPGRADE_FAILED', running: upOld, boots: bootsOld, message: /remove_release/ },
  { name: 'upload: directory not writable', faults: [{ op: 'run:ship-prepare', exit: { code: 4, stderr: 'Permission denied' } }],
    exit: EXIT.aborted, code: 'UPLOAD_FAILED', running: upOld, boots: bootsOld },
  { name: 'upload: disk full', faults: [{ op: 'put', error: new HotupError('UPLOAD_FAILED', 'write failed: No space left on device', 'Free disk space.') }],
    exit: EXIT.aborted, code: 'UPLOAD_FAILED', running: upOld, boots: bootsOld },
  { name: 'upload: link cut', faults: [{ op: 'put', error: 'LINK_LOST' }], exit: EXIT.aborted, code: 'LINK_LOST', running: upOld, boots: bootsOld },
  { name: 'upload: corrupted in transit', faults: [{ op: 'run:ship-commit', exit: { code: 5, stderr: 'ffff' } }],
    exit: EXIT.aborted, code: 'UPLOAD_FAILED', running: upOld, boots: bootsOld },
  { name: 'unpack refused', faults: [{ op: 'call:unpack_release', reply: rhError('enospc') }], exit: EXIT.aborted, code: 'UPGRADE_FAILED', running: upOld, boots: bootsOld },
  { name: 'check_install refused', faults: [{ op: 'call:check_install_release', reply: rhError('old_processes') }],
    exit: EXIT.aborted, code: 'UPGRADE_FAILED', running: upOld, boots: bootsOld },
  { name: 'code_change fails after the point of no return', faults: [
    { op: 'call:install_release', reply: rhError('code_change_failed') },
    // release_handler restarts the node right after that reply: the next question finds it restarting.
    { op: 'call:boot_status', reply: { kind: 'tuple', items: [{ kind: 'atom', name: 'stopping' }, { kind: 'atom', name: 'restarting' }] } }],
  exit: EXIT.rolledBack, code: 'ROLLED_BACK', running: upOld, boots: bootsOld, message: /failed after the point of no return.*restarted the node.*memory is lost.*code_change\/3 crashed/ },
  { name: 'install refused, the node not restarted', faults: [{ op: 'call:install_release', reply: rhError('bad_relup_file') }],
    exit: EXIT.aborted, code: 'UPGRADE_FAILED', running: upOld, boots: bootsOld, message: /refused before the point of no return/ },
  { name: 'node dies in install, back on the old release', faults: [{ op: 'call:install_release', error: 'CALL_FAILED', effect: gone('old') }],
    exit: EXIT.rolledBack, code: 'ROLLED_BACK', running: upOld, boots: bootsOld, message: /came back and runs 0\.1\.0/ },
  { name: 'node dies in install, back on the new release', faults: [{ op: 'call:install_release', error: 'NODE_DOWN', effect: gone('new') }],
    exit: EXIT.rolledBack, code: 'ROLLED_BACK', running: upOld, boots: bootsOld },
  { name: 'node dies in install and stays down', faults: [{ op: 'call:install_release', error: 'NODE_DOWN', effect: gone(null) }],
    exit: EXIT.rolledBack, code: 'ROLLED_BACK', running: upOld, boots: bootsOld, message: /did not come back.*boots 0\.1\.0 next/ },
  { name: 'link lost during install', faults: [{ op: 'call:install_release', gone: true }],
    exit: EXIT.failed, code: 'LINK_LOST', running: upOld, boots: bootsOld, locked: [true], message: /hotup lock release prod/ },
  { name: 'new code not live after install', setup: ([f]) => f!.staleCode.set(NEW, ['shop_counter']),
    exit: EXIT.rolledBack, code: 'ROLLED_BACK', running: upOld, boots: bootsOld, message: /shop_counter runs other bytes/ },
  { name: 'health check fails', health: true, setup: ([f]) => f!.unhealthy.add(NEW), exit: EXIT.rolledBack, code: 'ROLLED_BACK', running: upOld, boots: bootsOld,
    message: /rolled back hot, through the down-path and serves 0\.1\.0/ },
  { name: 'node gone after install, no health check', faults: [{ op: 'nodeUp', effect: (s) => { s.up = false; } }],
    exit: EXIT.rolledBack, code: 'ROLLED_BACK', running: upOld, boots: bootsOld },
  { name: 'make_permanent refused', faults: [{ op: 'call:make_permanent', reply: rhError('eacces') }],
    exit: EXIT.rolledBack, code: 'ROLLED_BACK', running: upOld, boots: bootsOld },
  { name: 'make_permanent answers ok but changes nothing', faults: [{ op: 'call:make_permanent', reply: { kind: 'atom', name: 'ok' } }],
    exit: EXIT.rolledBack, code: 'ROLLED_BACK', running: upOld, boots: bootsOld, message: /reports 0\.2\.0 as current, not permanent/ },
  { name: 'RELEASES not rewritten by make_permanent', faults: [{ op: 'terms', nth: 2, reply: { kind: 'list', items: [] } }],
    exit: EXIT.rolledBack, code: 'ROLLED_BACK', running: upOld, boots: bootsOld, message: /RELEASES marks 0\.2\.0 absent, not permanent/ },
  { name: 'rollback fails too', health: true, setup: ([f]) => f!.unhealthy.add(NEW), faults: [{ op: 'call:install_release', nth: 2, reply: rhError('no_down_path') }],
    exit: EXIT.failed, code: 'UPGRADE_FAILED', running: [NEW], boots: bootsOld, message: /now runs 0\.2\.0, installed but not permanent: a restart boots 0\.1\.0/ },
  { name: 'Ctrl-C during the upload', faults: [{ op: 'put', effect: ctrlC }], exit: EXIT.aborted, code: 'ABORTED', running: upOld, boots: bootsOld },
  { name: 'Ctrl-C during the install', faults: [{ op: 'call:install_release', effect: ctrlC }], exit: EXIT.ok, code: null, running: [NEW], boots: [NEW] },
  { name: 'apply interrupted after install, applied again', releases: [{ vsn: OLD, status: 'permanent' }, { vsn: NEW, status: 'current' }],
    exit: EXIT.ok, code: null, running: [NEW], boots: [NEW] },
  { name: 'restart: set_boot fails', restart: true, faults: [{ op: 'helper:set-boot', error: 'HELPER_FAILED' }],
    exit: EXIT.rolledBack, code: 'ROLLED_BACK', running: upOld, boots: bootsOld },
  { name: 'restart: new release crashes at boot', restart: true, setup: ([f]) => f!.crashesAtBoot.add(NEW),
    exit: EXIT.rolledBack, code: 'ROLLED_BACK', running: upOld, boots: bootsOld, message: /rolled back by a restart \(the state its processes held in memory was lost\) and serves 0\.1\.0/ },
  { name: 'restart: old release crashes at boot too', restart: true, setup: ([f]) => { f!.crashesAtBoot.add(NEW); f!.crashesAtBoot.add(OLD); },
    exit: EXIT.failed, code: 'UPGRADE_FAILED', running: [null], boots: bootsOld },
  { name: 'fleet: second host fails after the first upgraded', hosts: 2, faults: { 1: [{ op: 'call:unpack_release', reply: rhError('enospc') }] },
    exit: EXIT.failed, code: 'UPGRADE_FAILED', running: [NEW, OLD], boots: [NEW, OLD] },
  { name: 'fleet: canary fails its health check', hosts: 3, health: true, setup: ([f]) => f!.unhealthy.add(NEW),
    exit: EXIT.rolledBack, code: 'ROLLED_BACK', running: [OLD, OLD, OLD], boots: [OLD, OLD, OLD] },
];

async function play(row: Row) {
  const fakes = Array.from({ length: row.hosts ?? 1 }, (_, i) =>
    new FakeHost({ name: `deploy@h${i}:22`, releases: row.releases ?? [{ vsn: OLD, status: 'permanent' }] }));
  row.setup?.(fakes);
  const faults = Array.isArray(row.faults) ? { 0: row.faults } : row.faults ?? {};
  for (const [i, fs] of Object.entries(faults)) for (const f of fs) fakes[Number(i)]!.fail(f);
  const health = row.health ? { health: { probe: { kind: 'command' as const, command: 'check' }, timeoutMs: 100, retries: 0, intervalMs: 1 } } : {};
  const { ctx } = fakeContext(fakes, health);
  const planner = async () => {
    if (row.plan === 'build-fails') throw new HotupError('BUILD_FAILED', 'rebar3 release failed', 'Fix the build.');
    if (row.plan === 'unreachable') throw new HotupError('SSH_CONNECT', 'connection refused', 'Check the host.', { host: fakes[0]!.name });
    const p = fakePlan(fakes, OLD, NEW, { hotRollback: !row.restart });
    // What plan makes of an interrupted apply: resume from the permanent release (see planHosts).
    p.hosts = p.hosts.map((h) => (h.from === NEW ? { ...h, from: OLD, action: 'hot', hotRollback: false } : h));
    return p;
  };
  const confirm = async () => {
    if (row.confirm === 'declined') throw new HotupError('ABORTED', 'not confirmed; nothing was changed', 'Run apply again and answer "y" to proceed.');
  };
  const opts = { ...(row.restart ? { restart: true } : {}), ...(row.name.startsWith('fleet: canary') ? { canary: 1, parallel: 2 } : {}) };
  try {
    await runApply(ctx, 'prod', opts, confirm, planner);
    return { fakes, exit: EXIT.ok as number, error: null };
  } catch (e) {
    return { fakes, exit: exitCodeFor(e), error: e as HotupError };
  }
}

describe('fault matrix', () => {
  test.each(ROWS.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const { fakes, exit, error } = await play(row);
    expect(error?.code ?? null, error?.message).toBe(row.code);
    expect(exit).toBe(row.exit);
    if (row.message) expect(`${error?.message} ${error?.remedy}`).toMatch(row.message);
    if (error) expect(error.remedy.length).toBeGreaterThan(10);
    expect(fakes.map((f) => f.running)).toEqual(row.running);
    expect(fakes.map((f) => f.bootsNext)).toEqual(row.boots);
    expect(fakes.map((f) => f.locked)).toEqual(row.locked ?? fakes.map(() => false));
    // No upload temp file is left on any host.
    for (const f of fakes) expect([...f.files.keys()].filter((k) => /\.hotup-[0-9a-f]+$/.test(k))).toEqual([]);
  });

  test('has at least 25 rows, and docs/troubleshooting.md lists every one', async () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(25);
    const doc = await readFile(DOC, 'utf8');
    const listed = [...doc.matchAll(/^\| ([^|]+?) \|/gm)].map((m) => m[1]!.trim());
    expect(ROWS.map((r) => r.name).filter((n) => !listed.includes(n))).toEqual([]);
  });
});
