/**
 * The shape of hotup.yml as written (snake_case keys, host strings). Every value that can be wrong
 * is checked here, in one pass, so that all problems are reported together; resolve.ts then fills
 * in defaults and makes paths absolute. Unknown keys are refused at every level.
 */
import { z } from 'zod';
import { HOST_SHAPE, parseHostSpec, type DefaultUser } from './host-spec.js';
import { InventoryError, inventoryHosts } from './inventory.js';
import { closestKey } from './suggest.js';
import type { HostSpec } from './types.js';

/** Erlang release names are atoms; hotup uses them unquoted in paths and in `bin/<app>`. */
const RELEASE_NAME = /^[a-z][a-z0-9_]*$/;
const ENV_NAME = /^[A-Za-z0-9_-]+$/;

/** A missing key says so; a present but wrong one says what it should be. */
const expected = (what: string) => (issue: { input?: unknown }) => (issue.input === undefined ? `is required (${what})` : `should be ${what}`);

const text = (what: string) => z.string({ error: expected(what) }).min(1, { error: `should be ${what}` });

const seconds = z.number({ error: 'should be a number of seconds' }).positive({ error: 'should be more than 0 seconds' });

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A mapping that refuses keys it does not know. Unlike zod's strict objects, each stray key is
 * its own issue at its own path, with the closest known key as a hint, and it is reported even
 * when other keys of the same mapping are also wrong.
 */
function section<S extends z.ZodRawShape>(what: string, shape: S) {
  const known = Object.keys(shape);
  return z.looseObject(shape, { error: expected(what) }).superRefine(
    (value, ctx) => {
      for (const key of Object.keys(value)) {
        if (known.includes(key)) continue;
        const hint = closestKey(key, known);
        ctx.addIssue({ code: 'custom', path: [key], message: `unknown key "${key}"${hint ? ` (did you mean ${hint}?)` : ''}` });
      }
    },
    { when: (payload) => isMap(payload.value) },
  );
}

const sshSchema = section('a map of ssh settings', {
  identity: text('a path to a private key file').optional(),
  known_hosts: text('a path to a known_hosts file').optional(),
  config: z.union([text('a path to an OpenSSH client config file, or false'), z.literal(false)], { error: 'should be a path to an OpenSSH client config file, or false' }).optional(),
  connect_timeout: seconds.optional(),
  command_timeout: seconds.optional(),
});

const port = z.number({ error: 'should be a port number' }).int({ error: 'should be a port number' })
  .min(1, { error: 'should be a port from 1 to 65535' }).max(65535, { error: 'should be a port from 1 to 65535' });

/** Exactly one probe: a command on the host, a TCP port, or an HTTP URL. */
const healthSchema = section('a map with command, tcp or http', {
  command: text('a shell command run on the host').optional(),
  tcp: port.optional(),
  http: text('an http:// or https:// URL').refine((u) => /^https?:\/\//.test(u), { error: 'should be an http:// or https:// URL' }).optional(),
  timeout: seconds.optional(),
  retries: z.number({ error: 'should be a whole number' }).int({ error: 'should be a whole number' }).min(0, { error: 'should be 0 or more' }).optional(),
  interval: seconds.optional(),
}).superRefine((h, ctx) => {
  const probes = [h.command, h.tcp, h.http].filter((x) => x !== undefined).length;
  if (probes !== 1) ctx.addIssue({ code: 'custom', message: 'should have exactly one of command, tcp or http' });
});

/** How the restart path restarts the node: a systemd unit, or a shell command; absent, bin/<app> stop and daemon. */
const restartSchema = section('a map with systemd (and sudo) or command', {
  systemd: text('a systemd unit name, like shop or shop.service')
    .regex(/^[A-Za-z0-9:_.@-]+$/, { error: 'should be a systemd unit name, like shop or shop.service' }).optional(),
  sudo: z.boolean({ error: 'should be true or false' }).optional(),
  command: text('a shell command that restarts the node').optional(),
}).superRefine((r, ctx) => {
  if ((r.systemd === undefined) === (r.command === undefined)) ctx.addIssue({ code: 'custom', message: 'should have exactly one of systemd or command' });
  if (r.sudo !== undefined && r.systemd === undefined) ctx.addIssue({ code: 'custom', path: ['sudo'], message: 'is only for systemd (a command says sudo itself)' });
});

/** Automatic prune after a successful apply. */
const pruneSchema = section('a map with keep', {
  keep: z.number({ error: 'should be a whole number' }).int({ error: 'should be a whole number' }).min(0, { error: 'should be 0 or more' }),
});

const absolutePath = text('an absolute path').refine((p) => p.startsWith('/'), { error: 'should be an absolute path (starting with /)' });

/** Environment variables for every command on a host (e.g. what vm.args.src or RELEASE_NODE read). */
const envVars = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'should be an environment variable name' }),
  z.string({ error: 'should be a string (quote numbers)' }), { error: expected('a map of variable names to strings') });

/** A host written as a map, for a host whose release root or environment differs from the rest. */
const hostEntry = section('a host string, or a map with host, deploy_to and env', {
  host: text('a host like user@host or user@host:port'),
  deploy_to: absolutePath.optional(),
  env: envVars.optional(),
});

/** Where an environment takes its hosts from instead of `hosts`: a group of an Ansible inventory. */
const inventorySchema = section('a map with file and group', {
  file: text('the path of an Ansible inventory (INI or YAML), relative to hotup.yml'),
  group: text('a group of the inventory, like web or all'),
});

/** Host names are case-insensitive; the same login and release root twice would upgrade one node twice. */
function sameHostKey(h: HostSpec): string {
  return `${h.user}@${h.host.toLowerCase()}:${h.port}${h.deployTo ? ` ${h.deployTo}` : ''}`;
}

/** The text of an inventory file named in hotup.yml (relative to it); throws when it cannot be read. */
export type ReadInventory = (file: string) => string;

/**
 * The whole file; hosts are parsed here (so duplicates are caught), with DEFAULT_USER for a missing
 * user@; inventories named by environments are read with READ_INVENTORY.
 */
export function configSchema(defaultUser: DefaultUser, readInventory: ReadInventory) {
  const hostList = z
    .array(z.unknown(), { error: expected('a list of hosts') })
    .min(1, { error: 'should list at least one host' })
    .transform((items, ctx) => {
      const hosts: HostSpec[] = [];
      const seen = new Map<string, number>();
      items.forEach((item, i) => {
        let extra: Pick<HostSpec, 'deployTo' | 'env'> = {};
        let written = item;
        if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
          const entry = hostEntry.safeParse(item);
          if (!entry.success) {
            for (const issue of entry.error.issues) ctx.addIssue({ code: 'custom', path: [i, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: issue.message });
            return;
          }
          written = entry.data.host;
          extra = { ...(entry.data.deploy_to ? { deployTo: entry.data.deploy_to } : {}), ...(entry.data.env ? { env: entry.data.env } : {}) };
        }
        const parsed = typeof written === 'string' ? parseHostSpec(written, defaultUser) : { error: HOST_SHAPE };
        if ('error' in parsed) return ctx.addIssue({ code: 'custom', path: written === item ? [i] : [i, 'host'], message: parsed.error });
        const h: HostSpec = { ...parsed, ...extra };
        const key = sameHostKey(h);
        const first = seen.get(key);
        if (first !== undefined) return ctx.addIssue({ code: 'custom', path: [i], message: `${h.raw} is the same host as hosts/${first}` });
        seen.set(key, i);
        hosts.push(h);
      });
      return hosts;
    });

  const buildHost = text('"local" or a host like user@host').transform((s, ctx): 'local' | HostSpec => {
    if (s === 'local') return 'local';
    const h = parseHostSpec(s, defaultUser);
    if ('error' in h) {
      ctx.addIssue({ code: 'custom', message: h.error === HOST_SHAPE ? 'should be "local" or a host like user@host or user@host:port' : h.error });
      return z.NEVER;
    }
    return h;
  });

  /** An inventory's group, read and parsed now, so its problems are reported with the rest of the file's. */
  const inventory = inventorySchema.transform((inv, ctx) => {
    let hosts: HostSpec[];
    try {
      hosts = inventoryHosts(readInventory(inv.file), inv.file, inv.group, defaultUser);
    } catch (e) {
      if (!(e instanceof InventoryError)) {
        ctx.addIssue({ code: 'custom', path: ['file'], message: `cannot be read: ${(e as Error).message}` });
      } else {
        ctx.addIssue({ code: 'custom', path: [e.key], message: `${inv.file} ${e.message}` });
      }
      return z.NEVER;
    }
    if (hosts.length === 0) ctx.addIssue({ code: 'custom', path: ['group'], message: `${inv.file} lists no host in group ${inv.group}` });
    const seen = new Map<string, string>();
    for (const h of hosts) {
      const first = seen.get(sameHostKey(h));
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['group'], message: `${inv.file}: hosts ${first} and ${h.raw} are the same host` });
      seen.set(sameHostKey(h), h.raw);
    }
    return hosts;
  });

  const environment = section('a map with hosts (or inventory) and deploy_to', {
    hosts: hostList.optional(),
    inventory: inventory.optional(),
    deploy_to: absolutePath,
    env: envVars.optional(),
    ssh: sshSchema.optional(),
    health: healthSchema.optional(),
    restart: restartSchema.optional(),
    // Replaced by restart: { command }; kept as a key only to say so.
    restart_command: z.never({ error: 'was replaced: write restart: { command: "…" }, or restart: { systemd: <unit> } (see docs/config.md)' }).optional(),
    prune: pruneSchema.optional(),
    node_wait: seconds.optional(),
  }).superRefine((e, ctx) => {
    if ((e.hosts === undefined) === (e.inventory === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['hosts'], message: e.hosts ? 'and inventory cannot both be set: keep one' : 'is required (a list of hosts, or inventory: {file, group} instead)' });
    }
  }).transform(({ inventory: fromInventory, hosts, ...rest }) => ({ ...rest, hosts: hosts ?? fromInventory ?? [] }));

  return section('a map with app, build, ssh and environments', {
    app: z.string({ error: expected('the release name') }).regex(RELEASE_NAME, {
      error: 'should be a release name: lowercase letters, digits and _, starting with a letter',
    }),
    build: section('a map of build settings', {
      host: buildHost.optional(),
      tool: z.enum(['rebar3', 'mix', 'distillery', 'custom'], { error: 'should be rebar3, mix, distillery or custom' }).optional(),
      path: text('a directory').optional(),
      profile: text('a build profile name, like prod').optional(),
      ssh: sshSchema.optional(),
      appups: z.enum(['generate', 'off'], { error: 'should be generate or off' }).optional(),
      task: text('the mix task Distillery runs: distillery.release, or release for Distillery 1.x').optional(),
      command: text('a shell command that builds the release, its relup from {upfrom}, and its tarball').optional(),
      release_dir: text('the release directory the command builds, relative to build.path').optional(),
      tarball: text('the tarball the command makes, relative to build.path; {version} and {release_dir} are filled in').optional(),
    }).superRefine((b, ctx) => {
      if (b.tool === 'custom' && !b.command) ctx.addIssue({ code: 'custom', path: ['command'], message: 'is required (a shell command) when tool is custom' });
      if (b.tool !== 'custom') {
        for (const k of ['command', 'release_dir', 'tarball'] as const) {
          if (b[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'is only for tool: custom' });
        }
      }
      if (b.appups !== undefined && (b.tool === 'distillery' || b.tool === 'custom')) {
        ctx.addIssue({ code: 'custom', path: ['appups'], message: 'is only for tool: rebar3 or mix (other builds make their own relup)' });
      }
      if (b.task !== undefined && b.tool !== 'distillery') ctx.addIssue({ code: 'custom', path: ['task'], message: 'is only for tool: distillery' });
    }).optional(),
    ssh: sshSchema.optional(),
    hooks: section('a map of hook names to commands', {
      before_build: text('a shell command').optional(),
      after_build: text('a shell command').optional(),
      before_upgrade: text('a shell command').optional(),
      after_upgrade: text('a shell command').optional(),
      on_rollback: text('a shell command').optional(),
    }).optional(),
    environments: z
      .record(z.string().regex(ENV_NAME), environment, {
        error: (issue) => (issue.code === 'invalid_key' ? 'should be an environment name: letters, digits, _ and -' : expected('a map of environments')(issue)),
      })
      .refine((envs) => Object.keys(envs).length > 0, { error: 'should define at least one environment' }),
  });
}

export type RawConfig = z.output<ReturnType<typeof configSchema>>;
export type RawSsh = z.output<typeof sshSchema>;
export type RawHealth = z.output<typeof healthSchema>;
export type RawRestart = z.output<typeof restartSchema>;
