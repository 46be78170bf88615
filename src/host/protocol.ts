/**
 * What hotup asks of a live node, as typed requests. The session helper on the
 * host answers them over distribution; a fake host answers them in tests.
 * Versions and names travel as strings; the helper turns them into the
 * charlists release_handler expects.
 */
export type NodeRequest =
  /** init:get_status(): a node answers pings before its boot script has started release_handler. */
  | { op: 'boot_status' }
  | { op: 'which_releases' }
  /** release_handler:unpack_release(NAME), NAME = "VSN/APP" for a tarball at releases/VSN/APP.tar.gz. */
  | { op: 'unpack_release'; name: string }
  | { op: 'check_install_release'; vsn: string }
  | { op: 'install_release'; vsn: string }
  | { op: 'make_permanent'; vsn: string }
  /** A plain mix release has no RELEASES: create one for the running VSN and restart release_handler so it reads it. */
  | { op: 'create_releases'; vsn: string; app: string }
  /** An Erlang expression (text) evaluated on the node, for reads the typed requests do not cover. */
  | { op: 'eval'; expr: string };

export type NodeOp = NodeRequest['op'];
