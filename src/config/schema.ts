/**
 * The shape of hotup.yml as written (snake_case, strings for hosts); unknown
 * keys are refused everywhere. load.ts turns it into the typed Config.
 */
import { z } from 'zod';

/** A missing key says so; a present but wrong one says what it should be. */
const expected = (what: string) => (issue: { input?: unknown }) => (issue.input === undefined ? `is required (${what})` : `should be ${what}`);

const nonEmpty = (what: string) => z.string({ error: expected(what) }).min(1, { error: `should be ${what}` });

export const sshSchema = z.strictObject({
  identity: nonEmpty('a path to a private key file').optional(),
  known_hosts: nonEmpty('a path to a known_hosts file').optional(),
  connect_timeout: z.number({ error: 'should be a number of seconds' }).positive({ error: 'should be more than 0 seconds' }).optional(),
  command_timeout: z.number({ error: 'should be a number of seconds' }).positive({ error: 'should be more than 0 seconds' }).optional(),
});

export const buildSchema = z.strictObject({
  host: nonEmpty('"local" or a host like user@buildhost').optional(),
  tool: z.enum(['rebar3', 'mix', 'distillery', 'custom'], { error: 'should be one of rebar3, mix, distillery, custom' }).optional(),
  path: nonEmpty('a directory').optional(),
  profile: nonEmpty('a build profile name, like prod').optional(),
  ssh: sshSchema.optional(),
});

export const environmentSchema = z.strictObject({
  hosts: z.array(nonEmpty('a host like user@host or user@host:port'), { error: expected('a list of hosts') })
    .min(1, { error: 'should list at least one host' }),
  deploy_to: nonEmpty('an absolute path').refine((p) => p.startsWith('/'), { error: 'should be an absolute path (starting with /)' }),
  ssh: sshSchema.optional(),
});

export const configSchema = z.strictObject({
  app: z.string({ error: expected('the release name') }).regex(/^[a-z][a-z0-9_]*$/, {
    error: 'should be a release name: lowercase letters, digits and _ , starting with a letter',
  }),
  build: buildSchema.optional(),
  ssh: sshSchema.optional(),
  environments: z.record(
    z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'environment names use letters, digits, _ and -' }),
    environmentSchema,
    { error: expected('a map of environment names to their settings') },
  ).refine((envs) => Object.keys(envs).length > 0, { error: 'should define at least one environment' }),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawSsh = z.infer<typeof sshSchema>;
