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
  /** An Erlang expression (text) evaluated on the node, for reads the typed requests do not cover. */
  | { op: 'eval'; expr: string };

export type NodeOp = NodeRequest['op'];
