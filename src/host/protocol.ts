/**
 * What hotup asks of a live node, as typed requests. The session helper on the
 * host answers them over distribution; a fake host answers them in tests.
 * Versions and names travel as strings; the helper turns them into the
 * charlists release_handler expects.
 */
export type NodeRequest =
  /** Whether epmd on the host still has the node's name (answered without the node). */
  | { op: 'name_registered' }
  /** init:get_status(): a node answers pings before its boot script has started release_handler. */
  | { op: 'boot_status' }
  | { op: 'which_releases' }
  /** release_handler:unpack_release(NAME), NAME = "VSN/APP" for a tarball at releases/VSN/APP.tar.gz. */
  | { op: 'unpack_release'; name: string }
  | { op: 'check_install_release'; vsn: string }
  | { op: 'install_release'; vsn: string }
  | { op: 'make_permanent'; vsn: string }
  | { op: 'remove_release'; vsn: string }
  /** A plain mix release has no RELEASES: create one for the running VSN and restart release_handler so it reads it. */
  | { op: 'create_releases'; vsn: string; app: string }
  /**
   * Whether release VSN's code is what the node runs: every module of the applications VSN has and
   * FROM has not, loaded with the beam's bytes or found on the code path in VSN's directory.
   * Answers {Checked, [{stale | not_loaded | shadowed | old_code, Module, Detail}]} (see hotup_session.escript).
   */
  | { op: 'verify_code'; vsn: string; from: string }
  /**
   * Read-only facts about the modules an upgrade touches (see erlang-helpers/live_facts.expr): the processes
   * running each, those release_handler would suspend, and code_change rehearsed on copies of their states.
   * Each module's new beam comes as base64 (`beams`, from the build) or as paths on the host (`paths`).
   */
  | { op: 'live_facts'; modules: LiveModuleRequest[]; limits: LiveLimits }
  /** An Erlang expression (text) evaluated on the node, for reads the typed requests do not cover. */
  | { op: 'eval'; expr: string };

export type NodeOp = NodeRequest['op'];

export interface LiveModuleRequest {
  module: string;
  suspend: boolean;
  /** The up code_change's Extra as Erlang text; null when no code_change runs for the module. */
  change: string | null;
  beams: string[];
  paths: string[];
}

/** The bounds of a live_facts reading on the node. */
export interface LiveLimits {
  budget_ms: number;
  max_procs: number;
  /** A state is read only from a process whose heap is at most this many words. */
  state_words: number;
  /** The heap cap (words) of the process a rehearsal runs in. */
  heap_words: number;
  change_ms: number;
}
