/** Writes a hotup.yml for a project on this machine and release roots behind a test sshd. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

export interface TestEnvironment {
  name: string;
  /** `user@host:port`, or a map with host, deploy_to and env. */
  hosts: Array<string | Record<string, unknown>>;
  deployTo: string;
  identity: string;
  knownHosts: string;
  /** More keys of the environment (health, restart, node_wait…), as written in YAML. */
  settings?: Record<string, unknown>;
}

export async function writeHotupConfig(projectDir: string, app: string, envs: TestEnvironment[], top: Record<string, unknown> = {}): Promise<string> {
  const config = {
    app,
    build: { host: 'local', tool: 'rebar3', path: '.', profile: 'prod' },
    ...top,
    environments: Object.fromEntries(envs.map((e) => [e.name, {
      hosts: e.hosts,
      deploy_to: e.deployTo,
      ssh: { identity: e.identity, known_hosts: e.knownHosts },
      ...e.settings,
    }])),
  };
  const file = path.join(projectDir, 'hotup.yml');
  await writeFile(file, stringify(config));
  return file;
}

/** A health check that asks the fixture shop itself, over its line protocol, from the host. */
export function shopHealthCommand(port: number): string {
  return `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && echo health >&3 && read -r l <&3 && [ "$l" = ok ]'`;
}
