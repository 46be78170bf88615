/**
 * The appup of every upgraded application, put where the build tool reads it
 * before the relup is made: the project's own (rel/appups/<app>.appup) wins,
 * then one the build already has (the application's ebin/), else one
 * generated from the module diff, unless generation is off or cannot decide.
 * The same for rebar3 and mix.
 */
import path from 'node:path';
import { HotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import type { AppupMode } from '../config/types.js';
import { removeArgv, writeFileArgv } from '../commands/files.js';
import { userAppupPath } from '../commands/release-paths.js';
import type { ReleaseFacts } from '../terms/model.js';
import { diffReleases, type AppChange } from '../validate/diff.js';
import type { AppupLacking } from '../validate/appup.js';
import type { PlannedAppup } from '../plan/types.js';
import { GENERATED_MARK, generateAppup, undecidable, type ModuleCalls } from '../plan/appup-gen.js';
import { moduleCallsArgv } from '../commands/module-calls.js';
import { decodeFramed } from '../terms/etf.js';
import { atom, listItems, tupleItems } from '../terms/shape.js';
import { readRemoteFile } from './remote-file.js';

/** The text is the one placed (null: the build's own, left as it is). */
export type AppupUsed = PlannedAppup;

export interface AppupPlacement {
  used: AppupUsed[];
  lacking: AppupLacking[];
}

/** The first line of a project appup hotup copied into the build. */
const PLACED_MARK = '%% Placed by hotup from';

/** hotup wrote this file in an earlier build: it is not the project's, and may be for another upgrade. */
function placedByHotup(text: string): boolean {
  return text.startsWith(GENERATED_MARK) || text.startsWith(PLACED_MARK);
}

export interface AppupPlaces {
  /** The project directory on the build host (rel/appups/ is under it). */
  projectDir: string;
  /** The new release's root: its lib/<app>-<vsn>/ebin gets the appup. */
  relDir: string;
  mode: AppupMode;
  /**
   * Where else the build tool reads APP's appup from, when it assembles the
   * release again before the relup (rebar3 copies lib/ from its _build).
   */
  toolEbins?: (app: string) => Promise<string[] | null>;
  /** The calls between the modules in these ebin/ directories, to order generated appups by (else by kind alone). */
  calls?: (ebins: string[]) => Promise<ModuleCalls>;
}

/** Which modules each beam in EBINS calls, read on the build host. */
export async function readModuleCalls(exec: Executor, encoder: string, ebins: string[]): Promise<ModuleCalls> {
  const r = await exec.run(moduleCallsArgv(encoder, ebins), { timeoutMs: 5 * 60_000 });
  const t = decodeFramed(r.stdout);
  if (r.code !== 0 || !t) throw failed(exec, 'could not read which modules call which', `${r.stdout}${r.stderr}`.trim().slice(-600));
  const where = 'module calls';
  return new Map(listItems(t, where).map((e) => {
    const [m, called] = tupleItems(e, 2, where);
    return [atom(m!, where), listItems(called!, where).map((c) => atom(c, where))] as const;
  }));
}

function failed(exec: Executor, what: string, detail: string): HotupError {
  return new HotupError('BUILD_FAILED', `${what}: ${detail}`, 'Check that the build directory is writable and Erlang runs there.', { host: exec.target });
}

async function write(exec: Executor, files: string[], text: string): Promise<void> {
  for (const f of files) {
    const w = await exec.run(writeFileArgv(f), { stdin: text, timeoutMs: 30_000 });
    if (w.code !== 0) throw failed(exec, `could not write ${f}`, w.stderr.trim());
  }
}

async function remove(exec: Executor, files: string[]): Promise<void> {
  for (const f of files) {
    const r = await exec.run(removeArgv(f), { timeoutMs: 30_000 });
    if (r.code !== 0) throw failed(exec, `could not remove ${f}`, r.stderr.trim());
  }
}

/** For each application whose version changed: the appup it upgrades with, placed in the build, or why it has none. */
export async function placeAppups(exec: Executor, at: AppupPlaces, oldFacts: ReleaseFacts, newFacts: ReleaseFacts): Promise<AppupPlacement> {
  const out: AppupPlacement = { used: [], lacking: [] };
  const toGenerate: Array<{ c: AppChange; targets: string[]; ebin: string }> = [];
  for (const c of diffReleases(oldFacts, newFacts)) {
    if (!c.app || !c.oldVsn || !c.newVsn || c.oldVsn === c.newVsn) continue;
    const file = `${c.name}.appup`;
    const inRelease = `${at.relDir}/lib/${c.name}-${c.newVsn}/ebin/${file}`;
    const toolEbins = at.toolEbins ? await at.toolEbins(c.name) : [];
    const targets = [inRelease, ...(toolEbins ?? []).map((d) => path.posix.join(d, file))];
    const ownPath = userAppupPath(at.projectDir, c.name);
    const own = await readRemoteFile(exec, ownPath);
    if (own !== null) {
      await write(exec, targets, `${PLACED_MARK} ${path.posix.relative(at.projectDir, ownPath)}\n${own}`);
      out.used.push({ app: c.name, source: 'project', text: own });
      continue;
    }
    const inBuild = c.app.appup.status === 'none' ? null : await readRemoteFile(exec, inRelease);
    if (inBuild !== null && !placedByHotup(inBuild)) {
      out.used.push({ app: c.name, source: 'build', text: null });
      continue;
    }
    const why = at.mode === 'off' ? 'generation is off: build.appups is off'
      : toolEbins === null ? `the build keeps no directory of ${c.name} that the release is assembled from`
        : undecidable(c, oldFacts);
    if (why !== null) {
      // One hotup placed in an earlier build is no appup of the project's: it goes.
      if (inBuild !== null) await remove(exec, targets);
      out.lacking.push({ app: c.name, why, generationOff: at.mode === 'off' });
      continue;
    }
    toGenerate.push({ c, targets, ebin: path.posix.dirname(inRelease) });
  }
  // One read of the calls for every application that gets a generated appup.
  const calls = toGenerate.length && at.calls ? await at.calls(toGenerate.map((g) => g.ebin)) : new Map<string, string[]>();
  for (const { c, targets } of toGenerate) {
    const text = generateAppup(c, calls);
    await write(exec, targets, text);
    out.used.push({ app: c.name, source: 'generated', text });
  }
  return out;
}
