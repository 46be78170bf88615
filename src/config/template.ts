/** The hotup.yml that `hotup init` writes, with a comment on each key. Pure. */
import { stringify } from 'yaml';
import type { BuildTool } from './types.js';

export interface InitAnswers {
  /** The release name. */
  app: string;
  tool: Extract<BuildTool, 'rebar3' | 'mix' | 'distillery'>;
  env: string;
  /** As the user wrote them: user@host or user@host:port. */
  hosts: string[];
  deployTo: string;
  identity?: string;
  knownHosts?: string;
  /** What init found, for the file's first comment. */
  detected?: string;
}

/** VALUE as one YAML scalar: quoted only when YAML needs it (a `[::1]:22` host would be a list). */
function scalar(value: string): string {
  return stringify(value).trimEnd();
}

const BUILD_COMMENT: Record<InitAnswers['tool'], string> = {
  rebar3: 'rebar3 as <profile> release, relup and tar',
  mix: 'MIX_ENV=<profile> mix release; hotup makes the appups, the relup and the tarball',
  distillery: 'mix distillery.release --upgrade; Distillery makes the relup',
};

export function hotupYml(a: InitAnswers): string {
  // At least one blank before `#`: without it YAML reads the comment as part of the value.
  const pad = (line: string, comment: string) => `${line}${' '.repeat(Math.max(1, 31 - line.length))}# ${comment}`;
  return [
    `# hotup.yml: what hotup builds and where it runs. Every key: docs/config.md.${a.detected ? `\n# Made by hotup init for ${a.detected}.` : ''}`,
    pad(`app: ${scalar(a.app)}`, `the release name: bin/${a.app} on the hosts`),
    'build:',
    pad(`  tool: ${a.tool}`, BUILD_COMMENT[a.tool]),
    pad('  host: local', 'or user@buildhost, to build on a machine like the hosts'),
    pad('  path: .', 'the project on the build host'),
    pad('  profile: prod', a.tool === 'rebar3' ? 'rebar3 as prod' : 'MIX_ENV=prod'),
    'environments:',
    `  ${a.env}:`,
    pad('    hosts:', 'user@host or user@host:port; or, instead of hosts,'),
    ...a.hosts.map((h, i) => (i === 0 ? pad(`      - ${scalar(h)}`, 'inventory: {file: hosts.ini, group: web}') : `      - ${scalar(h)}`)),
    pad(`    deploy_to: ${scalar(a.deployTo)}`, 'the release root on each host: bin/, lib/, releases/'),
    '    ssh:',
    a.identity === undefined
      ? pad('      # identity: ~/.ssh/id_ed25519', 'without it: the ssh agent')
      : pad(`      identity: ${scalar(a.identity)}`, 'without it: the ssh agent'),
    pad(`      known_hosts: ${scalar(a.knownHosts ?? '~/.ssh/known_hosts')}`, 'every host key is checked against it'),
    '    # health:                    # checked after every upgrade, restart and rollback',
    '    #   tcp: 4000                # or command: "…" (run on the host), or http: "http://{host}:4000/health"',
    '',
  ].join('\n');
}
