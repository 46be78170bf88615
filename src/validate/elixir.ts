/**
 * Rules for what a mix release keeps beside its code: consolidated protocols
 * and runtime configuration. Pure.
 */
import type { ProtocolFacts, ReleaseFacts } from '../terms/model.js';
import type { Finding } from './finding.js';

/** `Elixir.String.Chars` → `String.Chars`, as Elixir code names it. */
function elixirName(atom: string): string {
  return atom.startsWith('Elixir.') ? atom.slice('Elixir.'.length) : `:${atom}`;
}

/** What changed in one protocol's dispatch: the types it gained and lost (atoms of the new beam the old lacks, and back). */
function dispatchChange(old: ProtocolFacts | undefined, neu: ProtocolFacts | undefined): string {
  const name = elixirName((neu ?? old)!.protocol);
  if (!old) return `protocol ${name} is new`;
  if (!neu) return `protocol ${name} is gone`;
  const had = new Set(old.atoms);
  const has = new Set(neu.atoms);
  // The dispatch table names each type and its implementation module (Protocol.Type): the types are told by those.
  const type = (a: string) => a.startsWith('Elixir.') && a !== neu.protocol && !a.startsWith(`${neu.protocol}.`);
  const impl = (a: string) => `defimpl ${name}, for: ${elixirName(a)}`;
  const added = neu.atoms.filter((a) => type(a) && !had.has(a)).map(impl);
  const removed = old.atoms.filter((a) => type(a) && !has.has(a)).map(impl);
  const parts = [...(added.length ? [`${added.join(', ')} added`] : []), ...(removed.length ? [`${removed.join(', ')} removed`] : [])];
  return parts.length ? parts.join('; ') : `protocol ${name}: its consolidated dispatch changed`;
}

/**
 * A protocol consolidated anew (an implementation added or removed, or the
 * protocol changed) dispatches only through the new release's consolidated/
 * beams, which release_handler never loads: they are outside every
 * application's ebin, and the running node keeps the old release's
 * consolidated/ on its code path. Hot, the node would keep the old dispatch.
 */
export function protocolRules(oldRel: ReleaseFacts, newRel: ReleaseFacts): Finding[] {
  const before = oldRel.elixir?.protocols;
  const after = newRel.elixir?.protocols;
  if (!before || !after) return [];
  const old = new Map(before.map((p) => [p.protocol, p]));
  const neu = new Map(after.map((p) => [p.protocol, p]));
  const names = [...new Set([...old.keys(), ...neu.keys()])].sort();
  return names.filter((n) => old.get(n)?.md5 !== neu.get(n)?.md5).map((n): Finding => ({
    rule: 'elixir/protocol-changed',
    severity: 'warning',
    effect: 'restart',
    module: n,
    message: `${dispatchChange(old.get(n), neu.get(n))} (releases/${newRel.vsn}/consolidated/${n}.beam): a hot upgrade cannot load consolidated protocols, and the node would keep dispatching as ${oldRel.vsn} did`,
    remedy: 'hotup restarts the node into the new release; to stay hot, ship new protocol implementations in a release of their own and accept its restart.',
  }));
}

/** The release evaluates config/runtime.exs at boot: hotup evaluates it on each host before a hot install. */
export function runtimeConfigNote(newRel: ReleaseFacts): Finding[] {
  if (!newRel.elixir?.runtimeConfig) return [];
  return [{
    rule: 'elixir/runtime-config',
    severity: 'info',
    effect: 'none',
    message: `release ${newRel.vsn} has config providers (config/runtime.exs): before install, each host evaluates them in its environment (the SSH login's and hotup.yml's env:) into releases/${newRel.vsn}/sys.config, so config_change/3 gets what a boot would give; apply (and plan --check-live) list the keys whose value changes`,
    remedy: 'Nothing to do; put in the host\'s env: what the release\'s service has in its environment.',
  }];
}
