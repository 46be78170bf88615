/**
 * Rules on the live node's facts: which processes the upgrade would kill,
 * which it would stop with a soft_purge, how long it would hold the suspended
 * ones, whether the new code_change works on the states they hold now, and
 * code loaded from outside the release. Pure: the facts are read elsewhere.
 */
import type { LiveFacts, LiveModule, LiveProcess, SuspendedProcess } from '../terms/live-facts.js';
import type { Finding } from './finding.js';
import type { LiveTarget } from './live-targets.js';

/** Above this expected pause of the suspended processes, a warning: their callers wait that long. */
export const LONG_PAUSE_MS = 1000;

/** A process as a person finds it: its registered name or pid, and what it was started as. */
export function describeProcess(p: LiveProcess): string {
  return `${p.name ?? p.pid} (${p.initialCall})`;
}

function processes(ps: LiveProcess[], max = 3): string {
  const shown = ps.slice(0, max).map(describeProcess).join(', ');
  return ps.length > max ? `${shown} and ${ps.length - max} more` : shown;
}

function purgeRules(t: LiveTarget, live: LiveModule, root: string): Finding[] {
  const out: Finding[] = [];
  const base = { module: t.module };
  // The stack shows the module's frames, old or current alike: those in old code are the pre-purge's.
  const m = { ...live, runners: live.runners.filter((p) => !live.oldRunners.some((o) => o.pid === p.pid)) };
  if (t.prePurge === 'soft_purge' && m.oldRunners.length > 0) {
    out.push({
      ...base,
      rule: 'live/soft-purge-fails',
      severity: 'error',
      effect: 'restart',
      message: `${t.module} still has old code from an earlier load, run by ${processes(m.oldRunners)}: its soft_purge fails and release_handler refuses the install (old_processes)`,
      remedy: `Restart those processes (or the node) so they leave the old code of ${t.module}, or make the purge brutal_purge in the appup if killing them is acceptable; else apply --restart.`,
    });
  }
  const killedOld = t.prePurge === 'brutal_purge' || t.purged ? m.oldRunners : [];
  // The code the load (or the delete) makes old is what the processes on its stack keep running.
  const killedNow = t.postPurge === 'brutal_purge' || t.purged ? m.runners : [];
  if (t.action === 'remove' && m.runners.length > 0) {
    out.push({
      ...base,
      rule: 'live/removed-module-running',
      severity: 'error',
      effect: 'restart',
      message: `${t.module} is deleted by the upgrade while ${processes(m.runners)} run${m.runners.length === 1 ? 's' : ''} its code: ${t.postPurge === 'brutal_purge' ? 'the purge kills them' : 'they go on in deleted code, and their next call into the module fails (undef)'}`,
      remedy: `Stop those processes before the upgrade (a stop instruction, or an application that no longer starts them), or apply --restart.`,
    });
  } else if (killedOld.length + killedNow.length > 0) {
    const killed = [...killedNow, ...killedOld];
    out.push({
      ...base,
      rule: 'live/brutal-purge-kills',
      severity: 'error',
      effect: 'restart',
      message: `${t.module} is ${t.action === 'load' ? 'loaded' : 'purged'} with brutal_purge while ${processes(killed)} run${killed.length === 1 ? 's' : ''} its code (on the stack, e.g. a loop blocked in gen_tcp:accept): the purge kills ${killed.length === 1 ? 'it' : 'them'}`,
      remedy: `Load ${t.module} with soft_purge ({load_module, ${t.module}, soft_purge, soft_purge, []}) so those processes finish in the old code and move on at their next ?MODULE: call, {update, ${t.module}, ...} them so release_handler suspends them, or apply --restart.`,
    });
  } else if (t.action === 'load' && t.postPurge === 'soft_purge' && m.runners.length > 0) {
    out.push({
      ...base,
      rule: 'live/soft-purge-fails',
      severity: 'warning',
      effect: 'none',
      message: `${t.module} is loaded with soft_purge while ${processes(m.runners)} run${m.runners.length === 1 ? 's' : ''} its code: its old code stays until they leave it, and the next upgrade that loads ${t.module} with soft_purge is refused until then`,
      remedy: `Make those processes call into the module fully qualified (?MODULE:loop(...)) so they move to the new code.`,
    });
  }
  const libDir = `${root.replace(/\/+$/, '')}/lib/`;
  if (t.action === 'load' && m.loadedFrom.startsWith('/') && !m.loadedFrom.startsWith(libDir)) {
    out.push({
      ...base,
      rule: 'live/shadowed-module',
      severity: 'warning',
      effect: 'none',
      message: `${t.module} runs from ${m.loadedFrom}, outside the release's ${libDir}: a directory on the code path shadows the release, so after the next restart (or code:load_file) that copy runs instead of the new code`,
      remedy: `Take the patch out of the code path (and the directory off the host) once the new release has it, or put its fix into the release.`,
    });
  }
  return t.stoppedFirst.length === 0 ? out : out.map((f) => (STOPPABLE.has(f.rule) ? stoppedFirst(f, t.stoppedFirst) : f));
}

/** The findings about processes in a module's code, which a stop made earlier in the up-path may have ended. */
const STOPPABLE = new Set(['live/removed-module-running', 'live/brutal-purge-kills']);

/**
 * The up-path stops supervisor children (STOPS) before it gets to the module: the processes named may be
 * those, gone before the purge. Read before the install, the facts cannot tell, so a warning that says so.
 */
function stoppedFirst(f: Finding, stops: string[]): Finding {
  return {
    ...f,
    severity: 'warning',
    effect: 'none',
    message: `${f.message}, unless ${stops.join(' and ')}, which the upgrade runs before it, stops them first`,
    remedy: `Check that the processes named are the children those calls stop; if not, ${f.remedy.charAt(0).toLowerCase()}${f.remedy.slice(1)}`,
  };
}

function rehearsalRule(module: string, s: SuspendedProcess): Finding | null {
  const who = describeProcess(s.process);
  const r = s.rehearsal;
  const remedy = `Make ${module}:code_change/3 handle the state ${who} holds now (hotup ran it on a copy), then build again; or apply --restart, which starts it from init/1.`;
  switch (r.kind) {
    case 'no_clause':
      return {
        rule: 'live/code-change-no-clause', severity: 'error', effect: 'restart', module,
        message: `no clause of the new ${module}:code_change matches the state ${who} holds now: the install would crash it (function_clause) after the point of no return`,
        remedy,
      };
    case 'crash':
    case 'bad_return':
    case 'timeout':
    case 'heap_limit': {
      const what = r.kind === 'crash' ? `crashes: ${r.detail}`
        : r.kind === 'bad_return' ? `returns ${r.detail}, not {ok, NewState}`
          : r.kind === 'timeout' ? 'did not finish in time' : 'grew past the heap limit';
      return {
        rule: 'live/code-change-crashes', severity: 'error', effect: 'restart', module,
        message: `the new ${module}:code_change, run on a copy of the state ${who} holds now, ${what}: the install would fail after the point of no return`,
        remedy,
      };
    }
    default:
      return null;
  }
}

/** How long release_handler holds the suspended processes: each is suspended and resumed one at a time. */
export function expectedPauseMs(facts: LiveFacts): { processes: number; ms: number } {
  const seen = new Map<string, number>();
  for (const s of facts.suspended) for (const p of s.processes) seen.set(p.process.pid, p.rttUs);
  const us = [...seen.values()].reduce((a, b) => a + 2 * b, 0);
  return { processes: seen.size, ms: Math.round(us / 10) / 100 };
}

function pauseRule(facts: LiveFacts): Finding[] {
  const { processes: n, ms } = expectedPauseMs(facts);
  // Below the threshold the pause is only reported (the live_facts step's detail), not a finding.
  if (ms <= LONG_PAUSE_MS) return [];
  const modules = facts.suspended.filter((s) => s.processes.length > 0).map((s) => `${s.module} (${s.processes.length})`).join(', ');
  return [{
    rule: 'live/long-pause',
    severity: 'warning',
    effect: 'none',
    message: `release_handler suspends ${n} processes one at a time (${modules}): an expected pause of ${ms} ms from their system-message round trips alone, plus the code load and code_change`,
    remedy: 'Upgrade in a quiet hour, split the change so fewer processes are suspended at once, or raise the callers\' timeouts above the pause.',
  }];
}

/** What could not be checked: hot would still be tried, but less is known. */
function gaps(facts: LiveFacts): Finding[] {
  const notes: string[] = [];
  if (facts.truncated) notes.push(`the stacks of ${facts.scanned} of ${facts.total} processes were read before the time budget or the process cap ran out`);
  const skipped = new Map<string, string>();
  for (const s of facts.suspended) {
    for (const p of s.processes) if (p.rehearsal.kind === 'skip') skipped.set(`${s.module}: ${p.rehearsal.why}`, describeProcess(p.process));
  }
  for (const [why, who] of skipped) notes.push(`code_change was not rehearsed for ${who} and maybe others, ${why}`);
  return notes.map((n) => ({
    rule: 'live/not-checked', severity: 'info', effect: 'none',
    message: `live facts incomplete: ${n}`,
    remedy: 'Nothing is wrong as far as hotup can tell; see docs/live-checks.md for the limits.',
  }));
}

/** Every live finding for an upgrade doing TARGETS on a node with FACTS. */
export function liveRules(targets: LiveTarget[], facts: LiveFacts): Finding[] {
  const mods = new Map(facts.modules.map((m) => [m.module, m]));
  const out: Finding[] = [];
  for (const t of targets) {
    const m = mods.get(t.module);
    if (m) out.push(...purgeRules(t, m, facts.root));
  }
  for (const s of facts.suspended) {
    // One finding per module and kind: a thousand processes with one state shape fail alike.
    const seen = new Set<string>();
    for (const p of s.processes) {
      const f = rehearsalRule(s.module, p);
      if (f && !seen.has(f.rule)) {
        seen.add(f.rule);
        out.push(f);
      }
    }
  }
  return [...out, ...pauseRule(facts), ...gaps(facts)];
}

/** Plan without a live node to ask (offline, or the node is down): say that nothing live was checked. */
export function liveNotChecked(why: string): Finding {
  return {
    rule: 'live/not-checked', severity: 'info', effect: 'none',
    message: `live facts not checked: ${why}`,
    remedy: 'Run `hotup plan` against the running node to check which processes the upgrade would kill, suspend or fail to convert.',
  };
}
