/** Writes a hotup.yml for a project on this machine and release roots behind a test sshd. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface TestEnvironment {
  name: string;
  hosts: string[];
  deployTo: string;
  identity: string;
  knownHosts: string;
}

export async function writeHotupConfig(projectDir: string, app: string, envs: TestEnvironment[], extra = ''): Promise<string> {
  const lines = [
    `app: ${app}`,
    'build:',
    '  host: local',
    '  tool: rebar3',
    '  path: .',
    '  profile: prod',
    'environments:',
    ...envs.flatMap((e) => [
      `  ${e.name}:`,
      `    hosts: [${e.hosts.map((h) => JSON.stringify(h)).join(', ')}]`,
      `    deploy_to: ${JSON.stringify(e.deployTo)}`,
      '    ssh:',
      `      identity: ${JSON.stringify(e.identity)}`,
      `      known_hosts: ${JSON.stringify(e.knownHosts)}`,
    ]),
  ];
  const file = path.join(projectDir, 'hotup.yml');
  await writeFile(file, `${lines.join('\n')}\n${extra}`);
  return file;
}
