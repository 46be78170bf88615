import type { Command } from 'commander';
import { descriptionOf } from './descriptions.js';
import { HotupError } from '../errors.js';

interface InitFlags {
  app?: string;
  tool?: string;
  env?: string;
  host?: string[];
  deployTo?: string;
  identity?: string;
  knownHosts?: string;
  force?: boolean;
  json?: boolean;
}

const TOOLS = ['rebar3', 'mix', 'distillery'] as const;
type Tool = (typeof TOOLS)[number];

/**
 * A question on the terminal (DEFAULT or SUGGESTED offered in brackets); without a terminal, DEFAULT,
 * else a usage error naming FLAG, the option that answers it, and WHAT it is.
 */
type Ask = (question: string, flag: string, what: string, offer?: { default?: string; suggested?: string }) => Promise<string>;

function missing(flag: string, what: string): HotupError {
  return new HotupError('USAGE', `${flag} is needed: ${what}`, `Run hotup init on a terminal to be asked, or pass ${flag}.`);
}

export function register(program: Command): void {
  program
    .command('init')
    .description(descriptionOf('init'))
    .option('--app <name>', 'the release to deploy (default: the one the project builds)')
    .option('--tool <tool>', 'rebar3, mix or distillery (default: found from rebar.config, mix.exs, rel/config.exs)')
    .option('--env <name>', 'the environment\'s name (default: prod)')
    .option('--host <user@host>', 'a host of the environment, user@host or user@host:port (repeatable)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--deploy-to <path>', 'the release root on the hosts: bin/, lib/, releases/')
    .option('--identity <file>', 'the private key for the hosts (default: the ssh agent)')
    .option('--known-hosts <file>', 'the known_hosts file host keys are checked against (default: ~/.ssh/known_hosts)')
    .option('--force', 'replace an existing hotup.yml')
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: InitFlags) => {
      const [{ humanReporter, jsonReporter }, { exitCodeFor }] = await Promise.all([import('../report/reporter.js'), import('../report/exit-codes.js')]);
      const reporter = flags.json ? jsonReporter() : humanReporter();
      // Questions only on a terminal, and never in CI: there, every answer comes from a flag.
      const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY) && process.env.CI !== 'true';
      const rl = interactive ? (await import('node:readline/promises')).createInterface({ input: process.stdin, output: process.stderr }) : null;
      try {
        const ask: Ask = async (question, flag, what, offer = {}) => {
          if (!rl) {
            if (offer.default !== undefined) return offer.default;
            throw missing(flag, what);
          }
          const offered = offer.default ?? offer.suggested;
          // Bounded: an empty answer to a question with nothing offered is asked again, twice.
          for (let i = 0; i < 3; i++) {
            const typed = await rl.question(`${question}${offered ? ` [${offered}]` : ''}: `).catch((e: unknown) => {
              // Ctrl-D or Ctrl-C at a question.
              throw new HotupError('ABORTED', 'hotup init stopped at a question; nothing was written', `Run hotup init again, or give the answer as ${flag}.`, { cause: e, untouched: true });
            });
            const answer = typed.trim() || offered;
            if (answer) return answer;
          }
          throw missing(flag, what);
        };
        if (program.opts<{ config?: string }>().config !== undefined) {
          throw new HotupError('USAGE', 'init writes hotup.yml in the current directory and takes no --config',
            'Run hotup init in the directory the file belongs in (the project root); other commands find it from below.');
        }
        const result = await init(flags, ask);
        reporter.result(result, `wrote ${result.file}: release ${result.app} (${result.tool}), environment ${result.environment}: ${result.hosts.join(', ')} at ${result.deployTo}\n`
          + `next: hotup status${result.environment === 'prod' ? '' : ` ${result.environment}`} (what the hosts run), then hotup plan`);
      } catch (e) {
        reporter.error(e);
        process.exitCode = exitCodeFor(e);
      } finally {
        rl?.close();
      }
    });
}

async function init(flags: InitFlags, ask: Ask) {
  const [{ initFile, detect, writeInit }, { parseHostSpec }, { describeRelease }] = await Promise.all([
    import('../core/init.js'), import('../config/host-spec.js'), import('../build/project.js'),
  ]);
  const dir = process.cwd();
  initFile(dir, Boolean(flags.force));
  if (flags.tool !== undefined && !(TOOLS as readonly string[]).includes(flags.tool)) {
    throw new HotupError('USAGE', `--tool takes ${TOOLS.join(', ')}, not "${flags.tool}"`, 'A custom build command is set in hotup.yml by hand: docs/config.md, build.command.');
  }
  const project = await detect(dir);
  if (!project && (flags.app === undefined || flags.tool === undefined)) {
    throw new HotupError('USAGE', `no rebar.config or mix.exs in ${dir}`, 'Run hotup init at the root of your rebar3 or mix project, or pass both --app and --tool.');
  }
  const releases = project?.releases ?? [];
  let app = flags.app;
  if (app === undefined) {
    if (releases.length === 1) app = releases[0]!.name;
    else if (releases.length > 1) {
      const names = releases.map(describeRelease).join(', ');
      app = await ask(`Release to deploy (${names})`, '--app', `the project builds several releases: ${names}`, { suggested: releases[0]!.name });
    } else {
      app = await ask(`Release name (${project!.problem})`, '--app', `the release name could not be found: ${project!.problem}`);
    }
  }
  if (releases.length > 0 && !releases.some((r) => r.name === app)) {
    throw new HotupError('USAGE', `${app} is not a release of this project; it builds: ${releases.map(describeRelease).join(', ')}`, 'Pass one of them to --app.');
  }
  const tool = (flags.tool ?? project!.tool) as Tool;
  const env = flags.env ?? (await ask('Environment name', '--env', 'the environment name', { default: 'prod' }));
  let hosts = flags.host ?? [];
  for (let i = 0; hosts.length === 0 && i < 3; i++) {
    const answer = (await ask('Hosts (user@host or user@host:port, separated by spaces)', '--host', 'the hosts of the environment (repeat --host for each)'))
      .split(/[\s,]+/).filter(Boolean);
    // Checked here to ask again at once; the whole file is checked again before it is written.
    const wrong = answer.flatMap((h) => {
      const parsed = parseHostSpec(h, () => 'login');
      return 'error' in parsed ? [`${h} ${parsed.error}`] : [];
    });
    if (wrong.length === 0) hosts = answer;
    else process.stderr.write(`${wrong.join('\n')}\n`);
  }
  if (hosts.length === 0) throw missing('--host', 'the hosts of the environment');
  const deployTo = flags.deployTo
    ?? (await ask('Release root on the hosts (bin/, lib/, releases/)', '--deploy-to', 'the release root on the hosts, an absolute path', { suggested: `/opt/${app}` }));
  const release = releases.find((r) => r.name === app);
  const detected = project ? `${project.kind === 'umbrella' ? 'an' : 'a'} ${project.kind} project${release ? `, release ${describeRelease(release)}` : ''}` : undefined;
  return writeInit(dir, {
    app, tool, env, hosts, deployTo,
    ...(flags.identity ? { identity: flags.identity } : {}),
    ...(flags.knownHosts ? { knownHosts: flags.knownHosts } : {}),
    ...(detected ? { detected } : {}),
  }, Boolean(flags.force));
}
