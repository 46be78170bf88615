/**
 * Typed release artifacts. The relup grammar is OTP's low-level instruction
 * set (see appup(4)); anything else is kept as `unknown` with its printed
 * term, so a rule can flag it instead of hotup misreading it.
 */

export type PurgeMode = 'soft_purge' | 'brutal_purge';

export type RelupInstruction =
  | { op: 'load_object_code'; app: string; vsn: string; modules: string[] }
  | { op: 'point_of_no_return' }
  | { op: 'load'; module: string; prePurge: PurgeMode; postPurge: PurgeMode }
  | { op: 'remove'; module: string; prePurge: PurgeMode; postPurge: PurgeMode }
  | { op: 'purge'; modules: string[] }
  | { op: 'suspend'; modules: Array<{ module: string; timeout: number | 'default' | 'infinity' }> }
  | { op: 'resume'; modules: string[] }
  | { op: 'code_change'; mode: 'up' | 'down' | null; changes: Array<{ module: string; extra: string }> }
  | { op: 'stop'; modules: string[] }
  | { op: 'start'; modules: string[] }
  | { op: 'sync_nodes'; id: string; nodes: string[] | { mfa: string } }
  | { op: 'apply'; mfa: string }
  | { op: 'restart_new_emulator' }
  | { op: 'restart_emulator' }
  | { op: 'unknown'; printed: string };

export type RelupOp = RelupInstruction['op'];

export interface RelupPath {
  /** The version this path upgrades from (up) or downgrades to (down). */
  vsn: string;
  descr: string;
  instructions: RelupInstruction[];
}

export interface Relup {
  vsn: string;
  up: RelupPath[];
  down: RelupPath[];
}

export type ReleaseStatus = 'permanent' | 'current' | 'old' | 'unpacked';

/** A row of release_handler's table: from RELEASES on disk or which_releases/0 live. */
export interface ReleasesEntry {
  name: string;
  vsn: string;
  /** Known from RELEASES; which_releases/0 does not say. */
  erts: string | null;
  /** `app-vsn` strings. */
  apps: string[];
  status: ReleaseStatus;
}

/** An appup entry's version: a literal, or a regex binary matched against the whole version. */
export type AppupVersion = { kind: 'exact'; vsn: string } | { kind: 'regex'; pattern: string };

export interface AppupEntry {
  from: AppupVersion;
  /** The high-level instructions, printed; systools turns them into the relup. */
  instructions: string[];
}

export interface Appup {
  vsn: string;
  up: AppupEntry[];
  down: AppupEntry[];
}

export interface ModuleFacts {
  module: string;
  /** beam_lib:md5/1, hex. */
  md5: string;
  behaviours: string[];
  /** Exports code_change/3 (or /4, gen_statem). */
  codeChange: boolean;
  /** Imports erlang:load_nif/2. */
  loadsNif: boolean;
}

export interface AppFacts {
  name: string;
  vsn: string;
  /** lib/<app>-<vsn>/ebin exists in the release root. */
  present: boolean;
  /** The `modules` list of the .app file. */
  appModules: string[];
  appup: Appup | 'none' | 'malformed';
  modules: ModuleFacts[];
}

export interface ReleaseFacts {
  name: string;
  vsn: string;
  erts: string;
  apps: AppFacts[];
}
