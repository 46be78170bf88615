/**
 * What a module's behaviours say about its processes during an upgrade, in
 * Erlang's and Elixir's names (`use GenServer` declares 'Elixir.GenServer').
 */
import type { ModuleFacts } from './model.js';

/** Processes that keep state across an upgrade and migrate it in code_change. */
const STATEFUL = new Set([
  'gen_server', 'gen_statem', 'gen_event', 'gen_fsm',
  'Elixir.GenServer', 'Elixir.GenEvent', 'Elixir.GenStateMachine', 'Elixir.GenStage',
]);

/** Supervisors migrate by re-reading their child specs (init/1): they need no code_change of their own. */
const SUPERVISORS = new Set(['supervisor', 'supervisor_bridge', 'Elixir.Supervisor', 'Elixir.DynamicSupervisor']);

export type ProcessKind = 'supervisor' | 'stateful' | 'plain';

export function processKind(m: ModuleFacts): ProcessKind {
  if (m.behaviours.some((b) => SUPERVISORS.has(b))) return 'supervisor';
  if (m.behaviours.some((b) => STATEFUL.has(b))) return 'stateful';
  return 'plain';
}

/** The behaviours of M that run processes, as declared. */
export function processBehaviours(m: ModuleFacts): string[] {
  return m.behaviours.filter((b) => STATEFUL.has(b) || SUPERVISORS.has(b));
}
