/**
 * Typed release artifacts. The relup grammar is OTP's low-level instruction
 * set and the appup grammar its high-level one (see appup(4)); anything else
 * is kept as `unknown` with its printed term, so a rule can flag it instead
 * of hotup misreading it.
 */

export type PurgeMode = 'soft_purge' | 'brutal_purge';

/** How long release_handler waits for a process to suspend. */
export type SuspendTimeout = number | 'default' | 'infinity';

interface UnknownInstruction {
  op: 'unknown';
  printed: string;
}

export type RelupInstruction =
  | { op: 'load_object_code'; app: string; vsn: string; modules: string[] }
  | { op: 'point_of_no_return' }
  | { op: 'load'; module: string; prePurge: PurgeMode; postPurge: PurgeMode }
  | { op: 'remove'; module: string; prePurge: PurgeMode; postPurge: PurgeMode }
  | { op: 'purge'; modules: string[] }
  | { op: 'suspend'; modules: Array<{ module: string; timeout: SuspendTimeout }> }
  | { op: 'resume'; modules: string[] }
  /** `mode` is null for the 2-tuple form, which calls the system code_change of special processes. */
  | { op: 'code_change'; mode: 'up' | 'down' | null; changes: Array<{ module: string; extra: string }> }
  | { op: 'stop'; modules: string[] }
  | { op: 'start'; modules: string[] }
  /** `nodes`: the node list, or the `{M, F, A}` that returns it, printed. */
  | { op: 'sync_nodes'; id: string; nodes: string[] | { mfa: string } }
  | { op: 'apply'; mfa: string }
  | { op: 'restart_new_emulator' }
  | { op: 'restart_emulator' }
  | UnknownInstruction;

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

/** `soft` swaps code only; `advanced` also suspends the processes and calls code_change with `extra`. */
export type ModuleChange = { kind: 'soft' } | { kind: 'advanced'; extra: string };

export type ApplicationStartType = 'permanent' | 'transient' | 'temporary' | 'load' | 'none';

/**
 * High-level appup instructions, each normalised to its longest form with
 * appup(4)'s defaults (`{update, M, supervisor}` is static, {advanced, []}).
 */
export type HighLevelInstruction =
  | {
      op: 'update';
      module: string;
      modType: 'static' | 'dynamic';
      timeout: SuspendTimeout;
      change: ModuleChange;
      prePurge: PurgeMode;
      postPurge: PurgeMode;
      depMods: string[];
    }
  | { op: 'load_module'; module: string; prePurge: PurgeMode; postPurge: PurgeMode; depMods: string[] }
  | { op: 'add_module'; module: string; depMods: string[] }
  | { op: 'delete_module'; module: string; depMods: string[] }
  | { op: 'add_application'; app: string; type: ApplicationStartType }
  | { op: 'remove_application'; app: string }
  | { op: 'restart_application'; app: string };

/** An appup may mix high-level and low-level instructions. */
export type AppupInstruction = HighLevelInstruction | RelupInstruction;

/** An appup entry's version: a literal string, or a binary that is a regex matched against the whole version. */
export type AppupVersion = { kind: 'exact'; vsn: string } | { kind: 'regex'; pattern: string };

export interface AppupEntry {
  from: AppupVersion;
  instructions: AppupInstruction[];
}

export interface Appup {
  vsn: string;
  up: AppupEntry[];
  /** Entries here name the version a downgrade goes to. */
  down: AppupEntry[];
}

/** A `.rel` file: `{release, {Name, Vsn}, {erts, Vsn}, Apps}`. */
export interface RelFile {
  name: string;
  vsn: string;
  erts: string;
  apps: Array<{ name: string; vsn: string; type?: ApplicationStartType; included?: string[] }>;
}

/** Statuses release_handler gives a release (in RELEASES and from which_releases/0). */
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

export interface ModuleFacts {
  module: string;
  /** Digest of the module's code, hex: beam_lib:md5's chunks with the build directory taken out of the literals (hotup_helper.escript digest/1). */
  md5: string;
  /** As the beam declares them (an Elixir `use GenServer` is 'Elixir.GenServer'). */
  behaviours: string[];
  /** Exports code_change/3 (or /4, gen_statem). */
  codeChange: boolean;
  /** Imports erlang:load_nif/2. */
  loadsNif: boolean;
  /** Has an -on_load function; null when the host that read it could not tell (no compiler application). */
  onLoad: boolean | null;
  /** The modules it calls (its imports), erlang and itself left out. Absent from facts made by hand. */
  calls?: string[];
  /** Exports config_change/3 (an application callback module told of env changes). */
  configChange?: boolean;
  /** What its abstract code says; absent from facts made by hand. */
  code?: CodeFacts;
}

/**
 * A process or NIF module's abstract code, read from its debug_info
 * (hotup_helper.escript code_facts/4): `none` for other modules,
 * `no-debug-info` when the beam carries none (stripped), `no-backend` when
 * the module that reads it (Elixir's elixir_erl) was not where it was read.
 */
export type CodeChangeKind = 'none' | 'identity' | 'injected' | 'custom';

export type CodeFacts =
  | { status: 'none' }
  | { status: 'no-debug-info' }
  | { status: 'no-backend'; backend: string }
  | {
      status: 'ok';
      /**
       * The shapes of the state its callbacks return and match: `#name{}/Arity`,
       * `#{k1,k2}` (a map built with these keys), `map`, `tuple/N`, `number`,
       * `atom`, `list`, `binary`. Empty: not known.
       */
      state: string[];
      /** A supervisor's child specs from init/1 (id and start, printed); null when not all are literal. */
      children: Array<{ id: string; start: string }> | null;
      /** `identity` returns the state it is given; `injected` is Elixir's default from `use GenServer`. */
      codeChange: CodeChangeKind;
      /** The arguments of its erlang:load_nif/2 calls, printed. */
      loadNif: string[];
    };

/** An application's appup as found in its ebin: absent, unreadable (with why), or typed. */
export type AppupFile = { status: 'ok'; appup: Appup } | { status: 'none' } | { status: 'malformed'; detail: string };

export interface AppFacts {
  name: string;
  vsn: string;
  /** lib/<app>-<vsn>/ebin exists in the release root. */
  present: boolean;
  /** The `modules` list of the .app file. */
  appModules: string[];
  appup: AppupFile;
  modules: ModuleFacts[];
  /** The env the application gets (.app defaults under sys.config): key and a digest of its value. Absent from facts made by hand. */
  env?: Array<{ key: string; digest: string }>;
  /** The `mod` callback module of its .app; null for a library application. */
  mod?: string | null;
  /** The shared objects (NIF libraries) under priv/, path in the application and digest. */
  nifs?: Array<{ path: string; digest: string }>;
}

/** One release as it is on disk: its .rel, its applications' code and appups, its relup. */
export interface ReleaseFacts {
  name: string;
  vsn: string;
  erts: string;
  apps: AppFacts[];
  /** releases/<vsn>/relup, when the release has one. */
  relup: Relup | null;
  /** What a mix release keeps in releases/<vsn>/ (absent in facts that do not say). */
  elixir?: ElixirFacts;
}

/** A consolidated protocol of a mix release (releases/<vsn>/consolidated/<Protocol>.beam). */
export interface ProtocolFacts {
  protocol: string;
  md5: string;
  /** The atoms of its beam: the implementations it dispatches to are among them. */
  atoms: string[];
}

export interface ElixirFacts {
  /** null: the release has no consolidated/ directory. */
  protocols: ProtocolFacts[] | null;
  /** sys.config names config providers (config/runtime.exs), which a boot evaluates. */
  runtimeConfig: boolean;
}
