/**
 * The GitHub Actions workflow of docs/ci.md, run as written: its `run:` steps,
 * in order, with bash as GitHub runs them, against a real sshd and a real
 * node. What GitHub provides is simulated here, and checked where it can be:
 * checkout copies the repository (no _build, as on a fresh runner),
 * setup-beam checks that this machine's OTP and rebar3 are the pinned ones
 * (a job without it gets no Erlang at all), setup-node checks the Node major,
 * the artifact actions copy a directory, `secrets.*`/`vars.*`/`github.*`
 * are filled in, `npm install -g` links the hotup under test after checking
 * the pinned version, and `gh pr comment` keeps the comment to look at.
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { deployTarball, newInstance, request, shopEnv, startNode, stopNode, type ShopInstance } from '../support/shop-node.js';
import { checkout, tempDir } from '../support/shop-project.js';
import { buildRebar3Shop } from '../support/fixture-build.js';
import { writeHotupConfig } from '../support/hotup-config.js';
import { hotup, jsonOf } from '../support/cli.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STEP_TIMEOUT_MS = 120_000;

interface Step { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, string>; env?: Record<string, string> }
interface Job { needs?: string; if?: string; environment?: string; permissions?: Record<string, string>; steps: Step[] }
interface Workflow { on: Record<string, unknown>; concurrency?: { group: string }; permissions: Record<string, string>; env?: Record<string, string>; jobs: Record<string, Job> }

/** The workflow in docs/ci.md: the YAML block with a plan and an apply job. */
async function workflowOfDoc(): Promise<Workflow> {
  const text = await readFile(path.join(ROOT, 'docs/ci.md'), 'utf8');
  const blocks = [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const found = blocks.map((b) => parseAllDocuments(b)[0]?.toJS() as Workflow | undefined).filter((w) => w?.jobs?.plan && w.jobs.apply);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** One run of the workflow: the event that started it and what GitHub gives it. */
interface WorkflowRun {
  event: 'pull_request' | 'push';
  repo: string;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  /** Where this run's artifacts are kept, by name. */
  artifacts: string;
  /** Where `gh pr comment` leaves comments, as <number>.md. */
  comments: string;
  dir: string;
}

interface StepResult { step: string; code: number; output: string }
interface JobRun { ran: boolean; ok: boolean; steps: StepResult[]; workspace: string; home: string; summary: string }

/** `${{ … }}`, for the expressions the workflow uses; anything else fails the test rather than pass unseen. */
function expand(text: string, r: WorkflowRun): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, e: string) => {
    const m = /^(secrets|vars)\.(\w+)$/.exec(e);
    if (m) return (m[1] === 'secrets' ? r.secrets : r.vars)[m[2]!] ?? '';
    if (e === 'github.token') return 'ghs_simulated';
    if (e === 'github.event.pull_request.number') return '42';
    throw new Error(`the test does not know the expression ${e}`);
  });
}

/** A step's or job's `if:`: always() and event tests, joined by &&. */
function condition(expr: string | undefined, r: WorkflowRun, failed: boolean): boolean {
  if (expr === undefined) return !failed;
  const terms = expr.split('&&').map((t) => t.trim());
  let always = false;
  for (const t of terms) {
    if (t === 'always()') { always = true; continue; }
    const m = /^github\.event_name == '(\w+)'$/.exec(t);
    if (!m) throw new Error(`the test does not know the condition ${t}`);
    if (m[1] !== r.event) return false;
  }
  return always || !failed;
}

async function sh(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  const file = path.join(env.RUNNER_TEMP!, `step-${Date.now()}-${Math.random().toString(36).slice(2)}.sh`);
  await writeFile(file, script);
  return new Promise((resolve, reject) => {
    // How GitHub runs a `run:` step on Linux.
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), STEP_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

/** Executables that say they are not installed: a runner without setup-beam has no Erlang. */
async function withoutErlang(bin: string): Promise<void> {
  for (const tool of ['erl', 'erlc', 'escript', 'rebar3', 'mix', 'elixir']) {
    await writeFile(path.join(bin, tool), `#!/bin/sh\necho "${tool}: command not found (no setup-beam in this job)" >&2\nexit 127\n`);
    await chmod(path.join(bin, tool), 0o755);
  }
}

let tools: { otp: string; rebar3: string; erts: string };

/** What a `uses:` step does, simulated. */
async function uses(step: Step, r: WorkflowRun, job: { workspace: string; bin: string }): Promise<StepResult> {
  const action = step.uses!.replace(/@.*/, '');
  const w = step.with ?? {};
  const ok = (output: string) => ({ step: step.uses!, code: 0, output });
  switch (action) {
    case 'actions/checkout':
      await cp(r.repo, job.workspace, { recursive: true });
      return ok('checked out');
    case 'erlef/setup-beam':
      // Not installed here: this machine must already be the pinned toolchain, exactly.
      expect(w['version-type']).toBe('strict');
      expect(w['otp-version'], 'docs/ci.md pins another OTP than this machine runs: the workflow is tested on its pinned toolchain').toBe(tools.otp);
      expect(w['rebar3-version'], 'docs/ci.md pins another rebar3 than this machine has').toBe(tools.rebar3);
      for (const t of ['erl', 'erlc', 'escript', 'rebar3', 'mix', 'elixir']) await rm(path.join(job.bin, t), { force: true });
      return ok(`OTP ${tools.otp}, rebar3 ${tools.rebar3}`);
    case 'actions/setup-node':
      expect(process.versions.node.split('.')[0]).toBe(String(w['node-version']));
      return ok(`node ${process.versions.node}`);
    case 'actions/upload-artifact': {
      const from = path.join(job.workspace, w.path!);
      const files = existsSync(from) ? await readdir(from) : [];
      if (files.length === 0 && w['if-no-files-found'] === 'error') return { step: step.uses!, code: 1, output: `no files in ${w.path}` };
      await cp(from, path.join(r.artifacts, w.name!), { recursive: true });
      return ok(`uploaded ${files.join(', ')}`);
    }
    case 'actions/download-artifact':
      await cp(path.join(r.artifacts, w.name!), path.join(job.workspace, w.path!), { recursive: true });
      return ok('downloaded');
    default:
      throw new Error(`the test does not simulate ${step.uses}`);
  }
}

/** Runs job NAME of WF for run R as a fresh runner would: its own workspace and home. */
async function runJob(wf: Workflow, name: string, r: WorkflowRun): Promise<JobRun> {
  const job = wf.jobs[name]!;
  const base = path.join(r.dir, `${name}-${Date.now()}`);
  const [workspace, home, bin, temp] = ['work', 'home', 'bin', 'tmp'].map((d) => path.join(base, d)) as [string, string, string, string];
  for (const d of [workspace, home, bin, temp]) await mkdir(d, { recursive: true });
  const summary = path.join(temp, 'summary.md');
  await writeFile(summary, '');
  const result: JobRun = { ran: condition(job.if, r, false), ok: true, steps: [], workspace, home, summary: '' };
  if (!result.ran) return result;
  await withoutErlang(bin);
  const npmPrefix = path.join(home, '.npm-global');
  // npm: installs the hotup under test, and only the pinned version.
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  await writeFile(path.join(bin, 'npm'), `#!/bin/sh
[ "$1 $2 $3" = "install -g hotup@${pkg.version}" ] || { echo "npm (simulated): not the pinned hotup: $*" >&2; exit 1; }
mkdir -p "${npmPrefix}/bin"
printf '#!/bin/sh\\nexec "%s" "%s" "$@"\\n' "${process.execPath}" "${path.join(ROOT, 'dist/cli/main.js')}" > "${npmPrefix}/bin/hotup"
chmod +x "${npmPrefix}/bin/hotup"
`);
  await writeFile(path.join(bin, 'gh'), `#!/bin/sh
[ -n "$GH_TOKEN" ] || { echo "gh: no GH_TOKEN" >&2; exit 4; }
[ "$1 $2 $4" = "pr comment --body-file" ] || { echo "gh (simulated): $*" >&2; exit 1; }
cp "$5" "${r.comments}/$3.md"
`);
  await chmod(path.join(bin, 'npm'), 0o755);
  await chmod(path.join(bin, 'gh'), 0o755);
  const env: Record<string, string> = {
    PATH: [path.join(npmPrefix, 'bin'), bin, path.dirname(process.execPath), process.env.PATH!].join(':'),
    HOME: home, LANG: 'C.UTF-8', CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: r.event,
    GITHUB_WORKSPACE: workspace, GITHUB_STEP_SUMMARY: summary, RUNNER_TEMP: temp,
  };
  for (const [k, v] of Object.entries({ ...wf.env, ...(job as { env?: Record<string, string> }).env })) env[k] = expand(String(v), r);
  for (const step of job.steps) {
    if (!condition(step.if, r, !result.ok)) continue;
    let done: StepResult;
    if (step.uses) done = await uses(step, r, { workspace, bin });
    else {
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), r)]));
      const out = await sh(step.run!, workspace, { ...env, ...stepEnv });
      done = { step: step.name ?? step.run!.split('\n')[0]!, ...out };
    }
    result.steps.push(done);
    if (done.code !== 0) result.ok = false;
  }
  result.summary = await readFile(summary, 'utf8');
  return result;
}

const stepNamed = (j: JobRun, name: string) => j.steps.find((s) => s.step === name)!;
const failure = (j: JobRun) => j.steps.filter((s) => s.code !== 0).map((s) => `${s.step} (exit ${s.code}):\n${s.output}`).join('\n');

let wf: Workflow;
let sshd: SshdHandle;
let inst: ShopInstance;
let work: string;
let root: string;
let repo: string;

function workflowRun(event: WorkflowRun['event'], dir: string): WorkflowRun {
  return {
    event, repo, dir: path.join(work, dir), artifacts: path.join(work, dir, 'artifacts'), comments: path.join(work, dir, 'comments'),
    secrets: { DEPLOY_SSH_KEY: keyText },
    vars: { DEPLOY_KNOWN_HOSTS: knownHostsText },
  };
}

let keyText: string;
let knownHostsText: string;

beforeAll(async () => {
  const [w, v1] = await Promise.all([workflowOfDoc(), buildRebar3Shop(['v1'], { tarball: true })]);
  wf = w;
  const [otp, rebar3, erts] = await Promise.all([
    run('erl', ['-noshell', '-eval', 'io:format("~s", [string:trim(element(2, file:read_file(filename:join([code:root_dir(), "releases", erlang:system_info(otp_release), "OTP_VERSION"]))))]), halt().']),
    run('rebar3', ['version']),
    run('erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(version)]), halt().']),
  ]);
  tools = { otp: otp.stdout, rebar3: /rebar (\S+)/.exec(rebar3.stdout)![1]!, erts: erts.stdout };
  sshd = await startSshd();
  inst = await newInstance();
  work = await tempDir('ci-workflow');
  root = path.join(work, 'opt/shop');
  await deployTarball(v1.tarball!, root);
  await startNode(root, 'shop', shopEnv(inst));
  await request(inst.port, 'add 5');
  // The repository after the change to 0.2.0: the code and appup of v2, VERSION bumped; the .app.src
  // and rebar.config still say 0.1.0, so only the workflow's stamp makes the build 0.2.0.
  repo = path.join(work, 'repo');
  await checkout(repo, 'v2');
  for (const f of ['apps/shop/src/shop.app.src', 'rebar.config']) {
    const file = path.join(repo, f);
    await writeFile(file, (await readFile(file, 'utf8')).replaceAll('"0.2.0"', '"0.1.0"'));
  }
  await writeFile(path.join(repo, 'VERSION'), '0.2.0\n');
  await writeHotupConfig(repo, 'shop', [
    { name: 'prod', hosts: [`${sshd.user}@127.0.0.1:${sshd.port}`], deployTo: root, identity: '~/.ssh/deploy_key', knownHosts: '~/.ssh/known_hosts', settings: { env: shopEnv(inst) } },
  ]);
  keyText = (await readFile(sshd.identity, 'utf8')).trim();
  knownHostsText = (await readFile(sshd.knownHosts, 'utf8')).trim();
});

afterAll(async () => {
  if (root) await stopNode(root, 'shop', shopEnv(inst));
  await sshd?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the GitHub Actions workflow of docs/ci.md', () => {
  test('its shape: least permissions, secrets only through env, the apply job protected and never overlapping', () => {
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(wf.jobs.plan!.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(wf.jobs.apply!.permissions).toEqual({ contents: 'read' });
    expect(wf.jobs.apply).toMatchObject({ needs: 'plan', environment: 'production' });
    expect(wf.concurrency?.group).toMatch(/hotup-prod/);
    for (const job of Object.values(wf.jobs)) {
      for (const s of job.steps) {
        // No expression is pasted into a script (injection), and host keys are never waved through.
        expect(s.run ?? '').not.toMatch(/\$\{\{/);
        expect(s.run ?? '').not.toMatch(/StrictHostKeyChecking/);
      }
    }
    expect(wf.jobs.apply!.steps.some((s) => s.uses?.startsWith('erlef/setup-beam'))).toBe(false);
  });

  test('a pull request: the plan in the job summary and as a comment; no apply', async () => {
    const r = workflowRun('pull_request', 'pr');
    await mkdir(r.comments, { recursive: true });
    const plan = await runJob(wf, 'plan', r);
    expect(plan.ok, failure(plan)).toBe(true);
    // The stamp bumped both the application and the release.
    expect(await readFile(path.join(plan.workspace, 'apps/shop/src/shop.app.src'), 'utf8')).toContain('{vsn, "0.2.0"}');
    expect(await readFile(path.join(plan.workspace, 'rebar.config'), 'utf8')).toContain('{release, {shop, "0.2.0"}');
    expect((await stat(path.join(plan.home, '.ssh/deploy_key'))).mode & 0o777).toBe(0o600);
    const comment = await readFile(path.join(r.comments, '42.md'), 'utf8');
    expect(comment).toMatch(/0\.1\.0 → 0\.2\.0\s+HOT/);
    expect(plan.summary).toMatch(/0\.1\.0 → 0\.2\.0\s+HOT/);
    expect((await runJob(wf, 'apply', r)).ran).toBe(false);
    expect(await request(inst.port, 'vsn')).toBe('v1');
  });

  test('apply --plan with a file that is no plan, or with --vsn: usage errors (exit 2), the node untouched', async () => {
    const bad = path.join(work, 'not-a-plan.json');
    await writeFile(bad, '{"schema": "hotup.planfile/1", "plan": ');
    const corrupt = await hotup(['apply', 'prod', '--plan', bad, '--yes', '--json'], { cwd: repo });
    expect(corrupt.code, corrupt.stderr).toBe(2);
    expect(jsonOf(corrupt).error).toMatchObject({ code: 'USAGE', message: expect.stringMatching(/is not a plan file: not JSON/) });
    const both = await hotup(['apply', 'prod', '--plan', bad, '--vsn', '0.2.0', '--yes'], { cwd: repo });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--vsn and --plan do not go together/);
    expect(await request(inst.port, 'vsn')).toBe('v1');
  });

  test('a push to main: one build, and the apply job upgrades the node hot with exactly that plan; a re-run of it is refused', async () => {
    const r = workflowRun('push', 'push');
    const plan = await runJob(wf, 'plan', r);
    expect(plan.ok, failure(plan)).toBe(true);
    const artifact = path.join(r.artifacts, 'hotup-plan');
    expect((await readdir(artifact)).sort()).toEqual(['plan.json', 'shop-0.2.0.tar.gz']);
    const saved = JSON.parse(await readFile(path.join(artifact, 'plan.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true });
    for (const f of ['events', 'plan', 'planfile']) ajv.addSchema(JSON.parse(await readFile(path.join(ROOT, 'docs/schemas', `${f}.schema.json`), 'utf8')));
    expect(ajv.validate('planfile.schema.json', saved), ajv.errorsText()).toBe(true);
    expect(saved.relup.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(saved.plan.hosts[0]).toMatchObject({ from: '0.1.0', to: '0.2.0', action: 'hot' });
    // The pinned OTP is production's: the host's ERTS is the build's, so no release/erts-changed.
    expect(saved.readings[0]).toMatchObject({ running: '0.1.0', permanent: '0.1.0', erts: tools.erts, nodeUp: true });
    expect(saved.plan.hosts[0].reasons.map((x: { rule: string }) => x.rule)).not.toContain('release/erts-changed');

    const apply = await runJob(wf, 'apply', r);
    expect(apply.ok, failure(apply)).toBe(true);
    const log = stepNamed(apply, 'Apply the reviewed plan').output;
    // No build on the apply runner (it has no Erlang): the tarball shipped is the plan's.
    expect(log).not.toMatch(/✓ (build|relup)/);
    expect(log).toMatch(/every host reads as when the plan in deploy\/plan.json was made/);
    expect(log).toMatch(/✓ ship .*sha256 verified/);
    expect(log).toMatch(/✓ make_permanent/);
    expect(await request(inst.port, 'vsn')).toBe('v2');
    expect(await request(inst.port, 'get')).toBe('5');
    expect(await readFile(path.join(root, 'releases/start_erl.data'), 'utf8')).toMatch(/ 0\.2\.0\s*$/);

    // The same apply job run again, with its old plan: the host moved on since, so nothing is done.
    const again = await runJob(wf, 'apply', r);
    const step = stepNamed(again, 'Apply the reviewed plan');
    expect(step.code, step.output).toBe(6);
    expect(step.output).toMatch(/PLAN_STALE/);
    expect(step.output).toContain(`${sshd.user}@127.0.0.1:${sshd.port}: runs 0.2.0, planned from 0.1.0`);
    expect(step.output).toMatch(/::error::stopped before any change \(exit 6\)/);
    expect(await request(inst.port, 'vsn')).toBe('v2');
    expect(existsSync(path.join(root, 'releases/.hotup-lock'))).toBe(false);
  });
});
