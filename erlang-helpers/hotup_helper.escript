#!/usr/bin/env escript
%% -*- erlang -*-
%% hotup's helper on the build host (and, run with a release's own ERTS, on
%% production hosts). One dispatcher, one result on stdout:
%%   HOTUP1:<base64 of term_to_binary(Encoded, [{minor_version, 1}])>
%% where Encoded keeps every type distinction erlpack would lose (encode.fun);
%% minor_version 1 because erlpack cannot read the UTF-8 atoms of OTP 26+.
%%
%% Exit codes (mirrored by HELPER_EXIT in src/helper/run.ts):
%%   0 ok
%%   1 unexpected (a bug: the detail carries the stack)
%%   2 usage
%%   3 a file is missing or unreadable
%%   4 not a valid Erlang term file (parse error, truncated, not text)
%%   5 not a release (no releases/VSN, no usable .rel, unreadable beam)
%% On failure the framed result is {error, Class, Detail}, Detail a binary.
%%
%% Commands:
%%   consult FILE|-     the list of terms in an Erlang term file (relup, .appup,
%%                      .rel, RELEASES, sys.config), as file:consult/1 reads
%%                      them; `-` reads the text from stdin
%%   facts ROOT VSN     release VSN under release root ROOT, as a map:
%%                        rel   => the terms of its .rel (made from its
%%                                 releases/RELEASES row when it has no .rel)
%%                        relup => the terms of releases/VSN/relup
%%                        apps  => per application: vsn, whether lib/APP-VSN/ebin
%%                                 is there, the .app `modules`, the .appup terms,
%%                                 the effective env (.app defaults under
%%                                 sys.config) as {Key, digest of the value},
%%                                 the .app mod, the digests of priv/**/*.so,
%%                                 and per module a tuple (not a map: there
%%                                 can be thousands) {Module, digest in hex
%%                                 (beam_lib:md5's chunks, the build directory
%%                                 taken out of the literals: see digest/1),
%%                                 behaviours, exports code_change/3 (or
%%                                 /4), imports erlang:load_nif/2, has an
%%                                 on_load function (true | false | unknown:
%%                                 see hotup_beam.erl), the modules it calls
%%                                 (imports), exports config_change/3, code
%%                                 facts (see code_facts/4)}
%%                        elixir => what a mix release keeps in releases/VSN/:
%%                                 #{protocols => [{Protocol, digest, [atoms of its
%%                                 beam]}] of consolidated/ (none without one),
%%                                 runtime_config => whether sys.config names
%%                                 config providers (config/runtime.exs)}
%%                      each file as {ok, Terms} | none | {error, Detail}.
%%                      Beams are read as chunks, never loaded.
%%   upgrade-facts ROOT VSN [FROM]
%%                      facts of release VSN and of the releases under ROOT
%%                      it upgrades from (FROM, else every version its relup
%%                      has an up-path from), read in this one run:
%%                        new => the facts of VSN (its failure fails the run)
%%                        old => [{FromVsn, {ok, Facts} | {error, Class, Detail}}]
%%   set-boot ROOT VSN  make release VSN under ROOT the one the node boots: its
%%                      RELEASES row permanent (the previous permanent one old,
%%                      a row made from releases/VSN/*.rel when it has none)
%%                      and start_erl.data naming it; for restarts, when
%%                      release_handler cannot do it on a live node
%%   runtime-config ROOT VSN
%%                      a mix release's config providers (config/runtime.exs),
%%                      run as its boot runs them, in this VM with release VSN's
%%                      lib/ and consolidated/ first on the code path and this
%%                      process's environment; the result written into
%%                      releases/VSN/sys.config for release_handler, the
%%                      build-time file kept as sys.config.build (and read from
%%                      there when it already exists). Answers none (no
%%                      providers), #{keys => [{App, Key, md5 of the value}]},
%%                      {failed, Detail} (a provider raised) or {unwritable,
%%                      App, Key, Kind} (a value holds a fun, pid, port or
%%                      reference); on those two it writes nothing

%% Interpreted, as escripts were by default before OTP 27: compiling needs the
%% compiler application, which a release's own ERTS usually lacks. Where the
%% compiler is (a build host with a full OTP), main/1 runs a compiled twin of
%% this script instead, many times faster on releases of thousands of modules.
-mode(interpret).

main(Args) ->
    case compiled() of
        {ok, Mod} -> Mod:run(Args);
        none -> run(Args)
    end.

run(Args) ->
    Enc = encoder(),
    try dispatch(Args) of
        Result -> emit(Enc, Result), halt(0)
    catch
        throw:{hotup, Code, Class, Detail} ->
            emit(Enc, {error, Class, Detail}), halt(Code);
        Kind:Reason:Stack ->
            emit(Enc, {error, unexpected, iolist_to_binary(io_lib:format("~p:~p ~p", [Kind, Reason, Stack]))}),
            halt(1)
    end.

dispatch(["consult", "-"]) -> consult_text(read_stdin(), <<"stdin">>);
dispatch(["consult", File]) -> consult_text(read_file(File), File);
dispatch(["facts", Root, Vsn]) -> release_facts(Root, Vsn, #{});
dispatch(["upgrade-facts", Root, Vsn]) -> upgrade_facts(Root, Vsn, none);
dispatch(["upgrade-facts", Root, Vsn, From]) -> upgrade_facts(Root, Vsn, From);
dispatch(["set-boot", Root, Vsn]) -> set_boot(Root, Vsn);
dispatch(["runtime-config", Root, Vsn]) -> runtime_config(Root, Vsn);
dispatch(Args) ->
    fail(2, usage, io_lib:format("unknown command or arguments ~p; commands: consult FILE|-, facts ROOT VSN, upgrade-facts ROOT VSN [FROM], set-boot ROOT VSN, runtime-config ROOT VSN", [Args])).

%% ---- consult ----------------------------------------------------------------

read_file(File) ->
    case raw_read(File) of
        {ok, Bin} -> Bin;
        {error, Reason} -> fail(3, file_missing, io_lib:format("~ts: ~ts", [File, file:format_error(Reason)]))
    end.

%% file:read_file/1 without the file server, which does the same call but one
%% at a time: a release's thousands of beams are read several at once.
%% (prim_file is preloaded in every ERTS, so a release's own has it too.)
raw_read(File) -> prim_file:read_file(File).

%% Raw bytes: standard_io would otherwise hand UTF-8 over as latin-1 characters.
read_stdin() ->
    ok = io:setopts(standard_io, [binary]),
    read_stdin([]).

read_stdin(Acc) ->
    case file:read(standard_io, 65536) of
        {ok, Data} -> read_stdin([Data | Acc]);
        eof -> iolist_to_binary(lists:reverse(Acc))
    end.

%% file:consult/1 semantics on text, so stdin and files parse alike: UTF-8
%% unless a `%% coding: latin-1` comment says otherwise.
consult_text(Bin, Name) ->
    Encoding = case epp:read_encoding_from_binary(Bin) of
                   none -> utf8;
                   E -> E
               end,
    case unicode:characters_to_list(Bin, Encoding) of
        Text when is_list(Text) -> scan_text(Text, Name);
        _ -> fail(4, bad_term, io_lib:format("~ts: not text (binary or invalid UTF-8 data)", [Name]))
    end.

scan_text(Text, Name) ->
    case erl_scan:string(Text, 1) of
        {ok, Tokens, _} -> parse_forms(Tokens, Name, []);
        {error, {Line, Mod, Desc}, _} -> fail(4, bad_term, io_lib:format("~ts:~p: ~ts", [Name, Line, Mod:format_error(Desc)]))
    end.

parse_forms([], _Name, Acc) -> lists:reverse(Acc);
parse_forms(Tokens, Name, Acc) ->
    case lists:splitwith(fun(T) -> element(1, T) =/= dot end, Tokens) of
        {Form, [Dot | Rest]} ->
            case erl_parse:parse_term(Form ++ [Dot]) of
                {ok, Term} -> parse_forms(Rest, Name, [Term | Acc]);
                {error, {Line, Mod, Desc}} -> fail(4, bad_term, io_lib:format("~ts:~p: ~ts", [Name, Line, Mod:format_error(Desc)]))
            end;
        {_, []} -> fail(4, bad_term, io_lib:format("~ts: the last term has no terminating dot (truncated file?)", [Name]))
    end.

%% A file of a release, for `facts`: a missing one is `none`, a broken one an
%% error the TypeScript side reports against the file it belongs to.
terms_of(File) ->
    case raw_read(File) of
        {ok, Bin} ->
            try {ok, consult_text(Bin, File)}
            catch throw:{hotup, _, _, Detail} -> {error, Detail}
            end;
        {error, enoent} -> none;
        {error, Reason} -> {error, unicode:characters_to_binary(io_lib:format("~ts: ~ts", [File, file:format_error(Reason)]))}
    end.

%% ---- facts ------------------------------------------------------------------

%% Known: facts of applications already read, by {App, Vsn}; they are the
%% same in every release under Root, which share lib/APP-VSN.
release_facts(Root, Vsn, Known) ->
    RelDir = filename:join([Root, "releases", Vsn]),
    filelib:is_dir(RelDir) orelse fail(5, not_a_release, io_lib:format("~ts has no releases/~ts/", [Root, Vsn])),
    Rel = release_spec(Root, Vsn),
    [{release, _, _, Apps}] = Rel,
    OnLoad = on_load_finder(),
    %% An Elixir beam's debug_info is read by the elixir_erl backend: the release's own elixir.
    [code:add_pathz(P) || P <- filelib:wildcard(filename:join([Root, "lib", "elixir-*", "ebin"]))],
    SysConfig = case terms_of(filename:join(RelDir, "sys.config")) of
                    {ok, [Cfg]} when is_list(Cfg) -> Cfg;
                    _ -> []
                end,
    Read = fun(A) ->
                   case maps:find({element(1, A), element(2, A), SysConfig}, Known) of
                       {ok, Facts} -> Facts;
                       error -> app_facts(Root, element(1, A), element(2, A), OnLoad, SysConfig)
                   end
           end,
    #{rel => Rel,
      relup => terms_of(filename:join(RelDir, "relup")),
      apps => pmap(Read, Apps),
      elixir => #{protocols => protocols(filename:join(RelDir, "consolidated")),
                  runtime_config => build_config_providers(RelDir) =/= none}}.

%% The consolidated protocols of a mix release: each beam's digest and atoms
%% (the implementations it dispatches to are among them), read, never loaded.
protocols(Dir) ->
    case filelib:is_dir(Dir) of
        false -> none;
        true ->
            [begin
                 %% Only the name and digest: the rest of a module's facts may grow.
                 Facts = module_facts(B, fun(_) -> unknown end),
                 {Mod, Digest} = {element(1, Facts), element(2, Facts)},
                 {ok, {Mod, [{atoms, Atoms}]}} = beam_lib:chunks(read_file(B), [atoms]),
                 {Mod, Digest, lists:usort([A || {_, A} <- Atoms])}
             end || B <- filelib:wildcard(filename:join(Dir, "*.beam"))]
    end.

%% The terms of release VSN's .rel (made from its RELEASES row when it has none).
release_spec(Root, Vsn) ->
    RelDir = filename:join([Root, "releases", Vsn]),
    case filelib:wildcard(filename:join(RelDir, "*.rel")) of
        [RelFile] -> rel_terms(RelFile);
        [] -> rel_from_releases_file(Root, Vsn);
        Many -> fail(5, not_a_release, io_lib:format("several .rel files in ~ts: ~ts", [RelDir, lists:join(", ", Many)]))
    end.

%% The old releases read after the new one, each application once; each old
%% release's failure is its own.
upgrade_facts(Root, Vsn, From) ->
    New = #{rel := [{release, _, _, Apps}], relup := Relup} = release_facts(Root, Vsn, #{}),
    NewCfg = case terms_of(filename:join([Root, "releases", Vsn, "sys.config"])) of
                 {ok, [Cfg]} when is_list(Cfg) -> Cfg;
                 _ -> []
             end,
    %% An application's facts include its env under sys.config: shared only under the same sys.config.
    Known = maps:from_list(lists:zip([{element(1, A), element(2, A), NewCfg} || A <- Apps], maps:get(apps, New))),
    Froms = case From of
                none -> up_from(Relup);
                _ -> [From]
            end,
    Old = [{V, try {ok, release_facts(Root, V, Known)} catch throw:{hotup, _, Class, Detail} -> {error, Class, Detail} end} || V <- Froms],
    #{new => New, old => Old}.

%% The versions a relup has up-paths from; none when it is missing or malformed
%% (the new release's facts then say what is wrong with it).
up_from({ok, [{_, Ups, _}]}) when is_list(Ups) -> [V || {V, _, _} <- Ups, is_list(V)];
up_from(_) -> [].

rel_terms(RelFile) ->
    case terms_of(RelFile) of
        {ok, [{release, {_, _}, {erts, _}, Apps}] = Rel} when is_list(Apps) ->
            [is_atom(element(1, A)) andalso is_list(element(2, A)) orelse not_a_rel(RelFile) || A <- Apps],
            Rel;
        _ -> not_a_rel(RelFile)
    end.

not_a_rel(RelFile) ->
    fail(5, not_a_release, io_lib:format("~ts is not a release specification ({release, {Name, Vsn}, {erts, Vsn}, Apps})", [RelFile])).

%% A release unpacked by release_handler may lack its .rel; its RELEASES row says the same.
rel_from_releases_file(Root, Vsn) ->
    File = filename:join([Root, "releases", "RELEASES"]),
    case terms_of(File) of
        {ok, [Rows]} when is_list(Rows) ->
            case [R || R <- Rows, element(3, R) =:= Vsn] of
                [{release, Name, Vsn, Erts, Libs, _}] -> [{release, {Name, Vsn}, {erts, Erts}, [{A, V} || {A, V, _Dir} <- Libs]}];
                _ -> fail(5, not_a_release, io_lib:format("release ~ts has no .rel file and no row in ~ts", [Vsn, File]))
            end;
        _ -> fail(5, not_a_release, io_lib:format("release ~ts has no .rel file under ~ts/releases/~ts", [Vsn, Root, Vsn]))
    end.

app_facts(Root, App, AVsn, OnLoad, SysConfig) ->
    Dir = filename:join([Root, "lib", atom_to_list(App) ++ "-" ++ AVsn]),
    Ebin = filename:join(Dir, "ebin"),
    Name = atom_to_list(App),
    Props = app_props(filename:join(Ebin, Name ++ ".app")),
    Pairs = fun(L) when is_list(L) -> [KV || {_, _} = KV <- L]; (_) -> [] end,
    Env = lists:ukeysort(1, Pairs(proplists:get_value(App, SysConfig, [])) ++ Pairs(proplists:get_value(env, Props, []))),
    #{name => App, vsn => list_to_binary(AVsn),
      present => filelib:is_dir(Ebin),
      app_modules => proplists:get_value(modules, Props, []),
      appup => terms_of(filename:join(Ebin, Name ++ ".appup")),
      %% Digests, not values: env holds secrets, and the rules only compare. The
      %% encoding is pinned: a host's ERTS and the build host's OTP may differ.
      env => [{K, binary:encode_hex(erlang:md5(term_to_binary(V, [{minor_version, 1}, deterministic])))} || {K, V} <- Env],
      mod => case proplists:get_value(mod, Props) of {M, _} when is_atom(M) -> M; _ -> none end,
      nifs => [{list_to_binary(F), binary:encode_hex(erlang:md5(read_file(filename:join(Dir, F))))}
               || F <- filelib:wildcard("priv/**/*.so", Dir)],
      modules => pmap(fun(B) -> module_facts(B, OnLoad) end, filelib:wildcard(filename:join(Ebin, "*.beam")))}.

app_props(AppFile) ->
    case file:consult(AppFile) of
        {ok, [{application, _, Props}]} when is_list(Props) -> Props;
        _ -> []
    end.

%% One read and one pass over the chunks per beam; facts and digest come from the same bytes.
module_facts(Beam, OnLoad) ->
    Bin = read_file(Beam),
    %% The chunks beam_lib:md5 digests, after the ones the facts need.
    CodeChunks = ["Atom", "AtU8", "Code", "StrT", "ImpT", "ExpT", "FunT", "LitT"],
    case beam_lib:chunks(Bin, [attributes, exports, imports, compile_info | CodeChunks], [allow_missing_chunks]) of
        {ok, {Mod, [{attributes, Attrs}, {exports, Exports}, {imports, Imports}, {compile_info, Info} | Chunks]}}
          when is_list(Attrs), is_list(Exports), is_list(Imports) ->
            {"Code", Code} = lists:keyfind("Code", 1, Chunks),
            Behaviours = lists:usort(lists:append(proplists:get_all_values(behaviour, Attrs) ++ proplists:get_all_values(behavior, Attrs))),
            LoadsNif = lists:member({erlang, load_nif, 2}, Imports),
            {Mod, binary:encode_hex(digest(Chunks, build_root(Info))),
             Behaviours,
             lists:member({code_change, 3}, Exports) orelse lists:member({code_change, 4}, Exports),
             LoadsNif,
             OnLoad(Code),
             lists:usort([M || {M, _, _} <- Imports, M =/= erlang, M =/= Mod]),
             lists:member({config_change, 3}, Exports),
             code_facts(Mod, Bin, process_kind(Behaviours, LoadsNif), LoadsNif)};
        {ok, _} ->
            fail(5, not_a_release, io_lib:format("~ts is not a readable beam file: chunks missing", [Beam]));
        {error, beam_lib, Reason} ->
            fail(5, not_a_release, io_lib:format("~ts is not a readable beam file: ~p", [Beam, Reason]))
    end.

%% What a module's code is, wherever it was built: beam_lib:md5's chunks, with
%% the build directory taken out of the literals. Elixir (Logger metadata,
%% __ENV__.file) and some Erlang macros keep the absolute source path in a
%% literal, so the same source built in two checkouts has two md5s; compared
%% as such, every module would look changed.
digest(Chunks, Root) ->
    erlang:md5([[Id, without_root(Id, Data, Root)] || {Id, Data} <- Chunks, is_binary(Data)]).

%% The source path up to its lib/ or src/ directory (a project or a dependency's root).
build_root(Info) when is_list(Info) ->
    case proplists:get_value(source, Info) of
        Source when is_list(Source) ->
            case [R || Sep <- ["/lib/", "/src/"], [R, _] <- [string:split(Source, Sep, trailing)], R =/= ""] of
                [Root | _] -> unicode:characters_to_binary(Root);
                [] -> none
            end;
        _ -> none
    end;
build_root(_) -> none.

%% Only a literal table that holds the root is decoded: most hold no path.
without_root("LitT", <<_:32, Compressed/binary>> = Data, Root) when is_binary(Root) ->
    try zlib:uncompress(Compressed) of
        <<_:32, Lits/binary>> = All ->
            case binary:match(Lits, Root) of
                nomatch -> All;
                _ ->
                    Strip = strip_root(Root, unicode:characters_to_list(Root)),
                    term_to_binary([Strip(binary_to_term(L)) || <<Len:32, L:Len/binary>> <= Lits])
            end
    catch error:_ -> Data
    end;
without_root(_, Data, _) -> Data.

%% A literal with every string (binary or charlist) that starts with the root cut short.
strip_root(Root, RootList) ->
    fun Strip(B) when is_binary(B) ->
            case string:prefix(B, Root) of nomatch -> B; Rest -> Rest end;
        Strip([]) -> [];
        Strip([C | _] = L) when is_integer(C) ->
            case io_lib:printable_unicode_list(L) andalso string:prefix(L, RootList) of
                false -> cons_map(Strip, L);
                nomatch -> L;
                Rest -> Rest
            end;
        Strip(L) when is_list(L) -> cons_map(Strip, L);
        Strip(T) when is_tuple(T) -> list_to_tuple([Strip(E) || E <- tuple_to_list(T)]);
        Strip(M) when is_map(M) -> maps:from_list([{Strip(K), Strip(V)} || {K, V} <- maps:to_list(M)]);
        Strip(X) -> X
    end.

%% lists:map for proper and improper lists alike.
cons_map(F, [H | T]) -> [F(H) | cons_map(F, T)];
cons_map(_, []) -> [];
cons_map(F, Tail) -> F(Tail).

%% How on_load is found: by hotup_beam.erl (next to this script), compiled
%% with the twin where the compiler is; else it is `unknown`.
on_load_finder() ->
    case erlang:module_loaded(hotup_beam) of
        true -> hotup_beam:finder();
        false -> fun(_Code) -> unknown end
    end.

%% F over Items, in order, in up to 16 processes: reading thousands of small
%% files waits on the file system more than on the CPU. What a worker throws
%% or raises is raised here, the first in Items' order.
pmap(F, Items) ->
    Size = max(1, (length(Items) + 15) div 16),
    Workers = [spawn_monitor(fun() -> exit(try {ok, [F(I) || I <- Chunk]} catch K:R:S -> {raised, K, R, S} end) end)
               || Chunk <- chunks(Items, Size)],
    lists:append([receive
                      {'DOWN', Ref, process, _, {ok, Values}} -> Values;
                      {'DOWN', Ref, process, _, {raised, K, R, S}} -> erlang:raise(K, R, S);
                      {'DOWN', Ref, process, _, Other} -> error({worker_died, Other})
                  end || {_, Ref} <- Workers]).

chunks([], _) -> [];
chunks(Items, Size) when length(Items) =< Size -> [Items];
chunks(Items, Size) ->
    {Chunk, Rest} = lists:split(Size, Items),
    [Chunk | chunks(Rest, Size)].

%% ---- code facts -------------------------------------------------------------

%% What the rules need from a process or NIF module's abstract code, read from
%% its debug_info (Elixir's through its elixir_erl backend): none for other
%% modules, no_debug_info when the beam has none (stripped), {no_backend,
%% Backend} when the module that reads it is not here (elixir_erl without the
%% release's elixir), else
%%   #{state      => the shapes of the state its callbacks return and match
%%                   (see shape/3), a conservative abstraction: [] is unknown,
%%     children   => [{Id, Start}] its init/1 gives a supervisor, printed, or unknown,
%%     code_change => none | identity (returns the state it is given) |
%%                   injected (Elixir's `use` put it there) | custom,
%%     load_nif   => the arguments of its erlang:load_nif calls, printed (of a
%%                   module that imports erlang:load_nif/2; else [])}.
process_kind(Behaviours, LoadsNif) ->
    Is = fun(Bs) -> lists:any(fun(B) -> lists:member(B, Behaviours) end, Bs) end,
    case {Is(['gen_server', 'Elixir.GenServer']), Is([gen_statem]), Is([gen_event]),
          Is([supervisor, 'Elixir.Supervisor'])} of
        {true, _, _, _} -> server;
        {_, true, _, _} -> statem;
        {_, _, true, _} -> event;
        {_, _, _, true} -> supervisor;
        _ when LoadsNif -> nif;
        _ -> none
    end.

code_facts(_Mod, _Bin, none, _LoadsNif) -> none;
code_facts(Mod, Bin, Kind, LoadsNif) ->
    case abstract_code(Mod, Bin) of
        {ok, Forms, Data} ->
            Funs = maps:from_list([{{N, A}, Cs} || {function, _, N, A, Cs} <- Forms]),
            Ctx = {Funs, maps:from_list([{N, length(Fs) + 1} || {attribute, _, record, {N, Fs}} <- Forms])},
            Exports = lists:append([Es || {attribute, _, export, Es} <- Forms]),
            %% Only what the kind needs: on a host this runs interpreted.
            #{state => lists:usort(state_shapes(Kind, Ctx, Exports)),
              children => children(Kind, Ctx),
              code_change => code_change_kind(Funs, Data),
              load_nif => case LoadsNif of
                              true -> lists:usort([unicode:characters_to_binary(erl_pp:exprs(Args)) || Args <- nif_calls(Forms)]);
                              false -> []
                          end};
        Other -> Other
    end.

abstract_code(Mod, Bin) ->
    case beam_lib:chunks(Bin, [debug_info], [allow_missing_chunks]) of
        {ok, {Mod, [{debug_info, {debug_info_v1, Backend, Data}}]}} ->
            case code:ensure_loaded(Backend) of
                {module, Backend} ->
                    try Backend:debug_info(erlang_v1, Mod, Data, []) of
                        {ok, Forms} -> {ok, Forms, Data};
                        _ -> no_debug_info
                    catch error:_ -> no_debug_info
                    end;
                _ -> {no_backend, Backend}
            end;
        _ -> no_debug_info
    end.

%% Per kind: the callbacks {Name, Arity, position of the state argument (0: none)},
%% and the tuples they return {Tag, Size, position of the state}.
callbacks(server) -> [{init, 1, 0}, {handle_call, 3, 3}, {handle_cast, 2, 2}, {handle_info, 2, 2},
                      {handle_continue, 2, 2}, {terminate, 2, 2}];
callbacks(event) -> [{init, 1, 0}, {handle_event, 2, 2}, {handle_call, 2, 2}, {handle_info, 2, 2}, {terminate, 2, 2}];
callbacks(_) -> [].

returns(server) -> [{ok, 2, 2}, {ok, 3, 2}, {reply, 3, 3}, {reply, 4, 3}, {noreply, 2, 2}, {noreply, 3, 2},
                    {stop, 3, 3}, {stop, 4, 4}];
returns(event) -> [{ok, 2, 2}, {ok, 3, 3}, {swap_handler, 5, 3}];
returns(statem) -> [{ok, 3, 3}, {ok, 4, 3}, {next_state, 3, 3}, {next_state, 4, 3}, {keep_state, 2, 2},
                    {keep_state, 3, 2}, {repeat_state, 2, 2}, {repeat_state, 3, 2}, {stop, 3, 3},
                    {stop_and_reply, 4, 4}].

state_shapes(Kind, {Funs, _} = Ctx, Exports) when Kind =:= server; Kind =:= event; Kind =:= statem ->
    %% gen_statem: init/1, and the state callbacks (any exported Name/3, handle_event/4) with the data last.
    Cbs = case Kind of
              statem -> [{init, 1, 0} | [{N, A, A} || {N, A} <- Exports, A =:= 3 orelse {N, A} =:= {handle_event, 4},
                                                      not lists:member(N, [code_change, format_status, terminate])]];
              _ -> callbacks(Kind)
          end,
    Tags = returns(Kind),
    lists:append(
      [lists:append([[S || {{tuple, _, [{atom, _, Tag} | _] = Es}, Env} <- body(Body, head_env(Ps), Ctx, 3),
                           {T, Size, At} <- Tags, T =:= Tag, Size =:= length(Es),
                           S <- shape(lists:nth(At, Es), Env, Ctx)]
                     ++ [S || Pos > 0, S <- shape(lists:nth(Pos, Ps), #{}, Ctx)]
                     || {clause, _, Ps, _, Body} <- maps:get({N, A}, Funs, [])])
       || {N, A, Pos} <- Cbs]);
state_shapes(_, _, _) -> [].

%% A clause head's variables bound to the patterns they are matched with (`#state{} = S`).
head_env(Ps) ->
    maps:from_list([B || {match, _, L, R} <- Ps, B <- [{V, R} || {var, _, V} <- [L]] ++ [{V, L} || {var, _, V} <- [R]]]).

%% The expressions a body can return, each with the bindings it saw, following
%% variables, branches and local calls (Depth of them).
body(Es, Env0, Ctx, Depth) ->
    Env = lists:foldl(fun({match, _, {var, _, V}, E}, Acc) -> Acc#{V => E}; (_, Acc) -> Acc end, Env0, lists:droplast(Es)),
    leaves(lists:last(Es), Env, Ctx, Depth).

leaves({var, _, V} = E, Env, Ctx, Depth) ->
    case maps:take(V, Env) of
        {Bound, Rest} -> leaves(Bound, Rest, Ctx, Depth);
        error -> [{E, Env}]
    end;
leaves({match, _, _, E}, Env, Ctx, Depth) -> leaves(E, Env, Ctx, Depth);
leaves({block, _, Es}, Env, Ctx, Depth) -> body(Es, Env, Ctx, Depth);
leaves({'case', _, _, Cs}, Env, Ctx, Depth) -> clauses(Cs, Env, Ctx, Depth);
leaves({'if', _, Cs}, Env, Ctx, Depth) -> clauses(Cs, Env, Ctx, Depth);
leaves({'receive', _, Cs}, Env, Ctx, Depth) -> clauses(Cs, Env, Ctx, Depth);
leaves({'receive', _, Cs, _, After}, Env, Ctx, Depth) -> clauses(Cs, Env, Ctx, Depth) ++ body(After, Env, Ctx, Depth);
leaves({'try', _, _, Cs, _, _}, Env, Ctx, Depth) when Cs =/= [] -> clauses(Cs, Env, Ctx, Depth);
leaves({'try', _, Es, [], _, _}, Env, Ctx, Depth) -> body(Es, Env, Ctx, Depth);
leaves({call, _, {atom, _, F}, Args} = E, Env, {Funs, _} = Ctx, Depth) when Depth > 0 ->
    case maps:find({F, length(Args)}, Funs) of
        {ok, Cs} -> clauses(Cs, #{}, Ctx, Depth - 1);
        error -> [{E, Env}]
    end;
leaves(E, Env, _Ctx, _Depth) -> [{E, Env}].

clauses(Cs, Env, Ctx, Depth) ->
    lists:append([body(B, maps:merge(Env, head_env(Ps)), Ctx, Depth) || {clause, _, Ps, _, B} <- Cs]).

%% A value's shapes, as text: "#name{}/Arity" (a record), "#{k1,k2}" (a map
%% built with these atom keys), "map" (any other map), "tuple/N", "number",
%% "atom", "list", "binary". Nothing when it cannot be told.
shape(E, Env, Ctx) ->
    lists:usort(lists:append([leaf_shape(L, Ctx) || {L, _} <- leaves(E, Env, Ctx, 3)])).

leaf_shape({record, _, Name, _}, Ctx) -> [record_shape(Name, Ctx)];
leaf_shape({record, _, _, Name, _}, Ctx) -> [record_shape(Name, Ctx)];
leaf_shape({map, _, Fs}, _) ->
    case [K || {map_field_assoc, _, {atom, _, K}, _} <- Fs] of
        Ks when length(Ks) =:= length(Fs), Fs =/= [] ->
            [iolist_to_binary(["#{", lists:join(",", [atom_to_binary(K, utf8) || K <- lists:sort(Ks)]), "}"])];
        _ -> [<<"map">>]
    end;
leaf_shape({map, _, _, _}, _) -> [<<"map">>];
leaf_shape({tuple, _, Es}, _) -> [iolist_to_binary(["tuple/", integer_to_list(length(Es))])];
leaf_shape({T, _, _}, _) when T =:= integer; T =:= float; T =:= char -> [<<"number">>];
leaf_shape({op, _, Op, _, _}, _) ->
    case lists:member(Op, ['+', '-', '*', '/', 'div', 'rem', 'band', 'bor', 'bxor', 'bsl', 'bsr']) of
        true -> [<<"number">>];
        false -> [<<"atom">>]
    end;
leaf_shape({op, _, '-', _}, _) -> [<<"number">>];
leaf_shape({op, _, 'not', _}, _) -> [<<"atom">>];
leaf_shape({atom, _, _}, _) -> [<<"atom">>];
leaf_shape({T, _}, _) when T =:= nil -> [<<"list">>];
leaf_shape({T, _, _}, _) when T =:= string -> [<<"list">>];
leaf_shape({T, _, _, _}, _) when T =:= cons; T =:= lc -> [<<"list">>];
leaf_shape({T, _, _}, _) when T =:= bin -> [<<"binary">>];
leaf_shape({T, _, _, _}, _) when T =:= bc -> [<<"binary">>];
leaf_shape(_, _) -> [].

record_shape(Name, {_, Recs}) ->
    iolist_to_binary(["#", atom_to_binary(Name, utf8), "{}/", integer_to_list(maps:get(Name, Recs, 0))]).

%% A supervisor's children as init/1 gives them: {ok, {Flags, Specs}}, or
%% Elixir's Supervisor.init(Specs, Opts); unknown unless every spec is read.
children(supervisor, {Funs, _} = Ctx) ->
    Lists = [L || {clause, _, Ps, _, B} <- maps:get({init, 1}, Funs, []),
                  {R, Env} <- body(B, head_env(Ps), Ctx, 3),
                  L <- case R of
                           {tuple, _, [{atom, _, ok}, {tuple, _, [_, Specs]}]} -> [{Specs, Env}];
                           {call, _, {remote, _, {atom, _, 'Elixir.Supervisor'}, {atom, _, init}}, [Specs, _]} -> [{Specs, Env}];
                           {atom, _, ignore} -> [];
                           _ -> [unknown]
                       end],
    try lists:usort(lists:append([specs(S, Env, Ctx) || {S, Env} <- Lists]))
    catch throw:unknown -> unknown
    end;
children(_, _) -> unknown.

specs(Specs, Env, Ctx) ->
    lists:append([list_items(L, LEnv, Ctx) || {L, LEnv} <- leaves(Specs, Env, Ctx, 3)]).

list_items({nil, _}, _, _) -> [];
list_items({cons, _, H, T}, Env, Ctx) ->
    [child(S, SEnv) || {S, SEnv} <- leaves(H, Env, Ctx, 3)] ++ list_items(T, Env, Ctx);
list_items({var, _, V}, Env, Ctx) when is_map_key(V, Env) -> specs({var, 0, V}, Env, Ctx);
list_items(_, _, _) -> throw(unknown).

%% One child spec: a map, a 6-tuple, or Elixir's Module / {Module, Arg}.
child({map, _, Fs}, Env) ->
    Get = fun(K) -> hd([V || {map_field_assoc, _, {atom, _, K1}, V} <- Fs, K1 =:= K] ++ [none]) end,
    {literal(Get(id), Env), start(Get(start), Env)};
child({tuple, _, [Id, Start, _, _, _, _]}, Env) -> {literal(Id, Env), start(Start, Env)};
child({atom, _, M} = Id, Env) -> {literal(Id, Env), iolist_to_binary([atom_to_binary(M, utf8), ":start_link/1"])};
child({tuple, _, [{atom, _, M} = Id, _]}, Env) -> {literal(Id, Env), iolist_to_binary([atom_to_binary(M, utf8), ":start_link/1"])};
child(_, _) -> throw(unknown).

literal({var, _, V}, Env) when is_map_key(V, Env) -> literal(maps:get(V, Env), maps:remove(V, Env));
literal(E, _) ->
    try unicode:characters_to_binary(io_lib:format("~0tp", [erl_parse:normalise(E)]))
    catch _:_ -> throw(unknown)
    end.

start({tuple, _, [{atom, _, M}, {atom, _, F}, Args]}, Env) ->
    Arity = case leaves(Args, Env, {#{}, #{}}, 0) of
                [{A, _}] -> arity(A);
                _ -> throw(unknown)
            end,
    iolist_to_binary([atom_to_binary(M, utf8), ":", atom_to_binary(F, utf8), "/", integer_to_list(Arity)]);
start(_, _) -> throw(unknown).

arity({nil, _}) -> 0;
arity({cons, _, _, T}) -> 1 + arity(T);
arity(_) -> throw(unknown).

%% Whether code_change/3 (or gen_statem's /4) does anything with the state.
code_change_kind(Funs, Data) ->
    case [{A, Cs} || {{code_change, A}, Cs} <- maps:to_list(Funs), A =:= 3 orelse A =:= 4] of
        [] -> none;
        [{A, Cs} | _] ->
            case injected(Data, A) of
                true -> injected;
                false ->
                    Identity = lists:all(fun({clause, _, Ps, _, B}) -> identity(Ps, lists:last(B), A) end, Cs),
                    case Identity of true -> identity; false -> custom end
            end
    end.

%% Elixir keeps where a definition came from: `use GenServer` gives its code_change the context 'Elixir.GenServer'.
injected({elixir_v1, #{definitions := Defs}, _}, A) ->
    lists:any(fun({{code_change, A1}, _, Meta, _}) when A1 =:= A -> proplists:get_value(context, Meta) =/= undefined;
                 (_) -> false
              end, Defs);
injected(_, _) -> false.

identity([_, {var, _, S}, _], {tuple, _, [{atom, _, ok}, {var, _, S}]}, 3) -> S =/= '_';
identity([_, {var, _, S}, {var, _, D}, _], {tuple, _, [{atom, _, ok}, {var, _, S}, {var, _, D}]}, 4) -> S =/= '_' andalso D =/= '_';
identity(_, _, _) -> false.

%% The argument lists of every erlang:load_nif/2 call, anywhere in the forms.
nif_calls({call, _, {remote, _, {atom, _, erlang}, {atom, _, load_nif}}, Args}) -> [Args];
nif_calls(T) when is_tuple(T) -> nif_calls(tuple_to_list(T));
nif_calls([H | T]) -> nif_calls(H) ++ nif_calls(T);
nif_calls(_) -> [].

%% ---- set-boot ---------------------------------------------------------------

set_boot(Root, Vsn) ->
    RelDir = filename:join(Root, "releases"),
    File = filename:join(RelDir, "RELEASES"),
    Rows = case file:consult(File) of
               {ok, [Rs]} when is_list(Rs) -> Rs;
               {error, enoent} -> [];
               _ -> fail(4, bad_term, io_lib:format("~ts is not a RELEASES file", [File]))
           end,
    Row = case lists:keyfind(Vsn, 3, Rows) of
              false -> new_row(Root, Vsn);
              R -> R
          end,
    Erts = element(4, Row),
    Demoted = [case R of
                   {release, N, V, E, L, permanent} when V =/= Vsn -> {release, N, V, E, L, old};
                   _ -> R
               end || R <- Rows, element(3, R) =/= Vsn],
    NewRows = [setelement(6, Row, permanent) | Demoted],
    write_atomically(File, io_lib:format("%% coding: utf-8~n~tp.~n", [NewRows])),
    write_atomically(filename:join(RelDir, "start_erl.data"), [Erts, " ", Vsn]),
    #{vsn => list_to_binary(Vsn), erts => list_to_binary(Erts)}.

new_row(Root, Vsn) ->
    [{release, {Name, Vsn}, {erts, Erts}, Apps}] =
        case filelib:wildcard(filename:join([Root, "releases", Vsn, "*.rel"])) of
            [RelFile] -> rel_terms(RelFile);
            _ -> fail(5, not_a_release, io_lib:format("release ~ts has no .rel file under ~ts/releases/~ts", [Vsn, Root, Vsn]))
        end,
    Libs = [{A, V, filename:join([Root, "lib", atom_to_list(A) ++ "-" ++ V])} || {A, V} <- [{element(1, X), element(2, X)} || X <- Apps]],
    [fail(5, not_a_release, io_lib:format("~ts is missing", [D])) || {_, _, D} <- Libs, not filelib:is_dir(D)],
    {release, Name, Vsn, Erts, Libs, unpacked}.

%% Readers never see half a file: write beside it, then rename over it.
write_atomically(File, Data) ->
    Tmp = File ++ ".hotup-tmp-" ++ os:getpid(),
    ok = file:write_file(Tmp, Data),
    ok = file:rename(Tmp, File).

%% ---- runtime-config ---------------------------------------------------------

%% The sys.config mix wrote (kept aside once hotup has written the evaluated one).
build_sys_config(RelDir) ->
    Kept = filename:join(RelDir, "sys.config.build"),
    case filelib:is_regular(Kept) of
        true -> Kept;
        false -> filename:join(RelDir, "sys.config")
    end.

%% {File, Text, Config, Provider} of a release whose sys.config names config providers, else none.
build_config_providers(RelDir) ->
    File = build_sys_config(RelDir),
    case raw_read(File) of
        {ok, Text} ->
            %% A sys.config that does not parse is the release's to report at boot, not a fact's failure.
            case catch consult_text(Text, File) of
                [Config] when is_list(Config) ->
                    Elixir = proplists:get_value(elixir, Config, []),
                    case is_list(Elixir) andalso proplists:get_value(config_provider_init, Elixir) of
                        #{'__struct__' := 'Elixir.Config.Provider', providers := [_ | _]} = P -> {File, Text, Config, P};
                        _ -> none
                    end;
                _ -> none
            end;
        {error, _} -> none
    end.

runtime_config(Root, Vsn) ->
    RelDir = filename:join([Root, "releases", Vsn]),
    case build_config_providers(RelDir) of
        none -> none;
        {File, Text, Config, Provider} ->
            use_release_code(Root, Vsn),
            os:getenv("RELEASE_ROOT") =:= false andalso os:putenv("RELEASE_ROOT", Root),
            try
                Evaluated = run_providers(Config, Provider),
                [unwritable(App, Key, V) || {App, Env} <- Evaluated, is_list(Env), {Key, V} <- Env],
                write_evaluated(RelDir, File, Text, Evaluated),
                #{keys => [{App, Key, binary:encode_hex(erlang:md5(term_to_binary(V, [deterministic])))}
                           || {App, Env} <- Evaluated, is_list(Env), {Key, V} <- Env]}
            catch throw:{runtime_config, Failure} -> Failure
            end
    end.

%% The comment lines mix wrote (%% RUNTIME_CONFIG=…) stay: the start script reads them.
write_evaluated(RelDir, File, Text, Evaluated) ->
    Header = [[L, $\n] || L <- string:split(Text, "\n", all), string:prefix(L, <<"%%">>) =/= nomatch],
    Out = iolist_to_binary([Header, io_lib:format("~tp.~n", [Evaluated])]),
    [Evaluated] =:= consult_text(Out, File) orelse fail(1, unexpected, "the evaluated configuration does not read back as written"),
    Kept = filename:join(RelDir, "sys.config.build"),
    File =:= Kept orelse write_atomically(Kept, Text),
    write_atomically(filename:join(RelDir, "sys.config"), Out).

%% Release VSN's code ahead of any other release's, as its boot script would have it.
use_release_code(Root, Vsn) ->
    [{release, _, _, Apps}] = release_spec(Root, Vsn),
    Others = [P || P <- code:get_path(), string:find(P, "/consolidated") =/= nomatch],
    [code:del_path(P) || P <- Others],
    Ebins = [filename:join([Root, "lib", atom_to_list(element(1, A)) ++ "-" ++ element(2, A), "ebin"]) || A <- Apps],
    ok = code:add_pathsa(lists:reverse([filename:join([Root, "releases", Vsn, "consolidated"]) | Ebins])),
    case application:ensure_all_started(elixir) of
        {ok, _} -> ok;
        {error, Reason} -> fail(5, not_a_release, io_lib:format("release ~ts: Elixir does not start from its lib/: ~p", [Vsn, Reason]))
    end.

%% What Config.Provider.boot/1 does before it puts the result in the environment.
run_providers(Config, #{providers := Providers} = P) ->
    Start = 'Elixir.Config':'__merge__'(Config, maps:get(extra_config, P, [])),
    lists:foldl(fun({Mod, State}, Acc) ->
                        try Mod:load(Acc, State) of
                            New when is_list(New) -> New;
                            Other -> throw({runtime_config, {failed, text("config provider ~ts returned ~tp, not a list", [provider_name(Mod), Other])}})
                        catch
                            throw:{runtime_config, _} = T -> throw(T);
                            Kind:Reason:Stack ->
                                throw({runtime_config, {failed, text("config provider ~ts failed: ~ts", [provider_name(Mod), 'Elixir.Exception':format(Kind, Reason, Stack)])}})
                        end
                end, Start, Providers).

provider_name(Mod) -> 'Elixir.Kernel':inspect(Mod).

%% A value sys.config cannot hold (it is text, read back with file:consult).
unwritable(App, Key, V) ->
    case opaque(V) of
        none -> ok;
        Kind -> throw({runtime_config, {unwritable, App, Key, list_to_binary(Kind)}})
    end.

text(Format, Args) -> unicode:characters_to_binary(io_lib:format(Format, Args)).

opaque(V) when is_function(V) -> "fun";
opaque(V) when is_pid(V) -> "pid";
opaque(V) when is_port(V) -> "port";
opaque(V) when is_reference(V) -> "reference";
opaque(V) when is_list(V) -> first_opaque(V);
opaque(V) when is_tuple(V) -> first_opaque(tuple_to_list(V));
opaque(V) when is_map(V) -> first_opaque(maps:keys(V) ++ maps:values(V));
opaque(_) -> none.

first_opaque([H | T]) ->
    case opaque(H) of
        none -> first_opaque(T);
        Kind -> Kind
    end;
first_opaque(_) -> none.

%% ---- output -----------------------------------------------------------------

fail(Code, Class, Detail) -> throw({hotup, Code, Class, unicode:characters_to_binary(Detail)}).

emit(Enc, Term) ->
    Bin = term_to_binary(Enc(Term), [{minor_version, 1}]),
    io:put_chars(["HOTUP1:", base64:encode(Bin), $\n]).

%% The encoder lives next to this script, shared with what hotup evaluates on
%% live nodes. The twin has it compiled in, in place of this function.
encoder() ->
    {value, Fun, _} = erl_eval:expr(encoder_expr(), erl_eval:new_bindings()),
    Fun.

encoder_expr() ->
    File = helper_file("encode.fun"),
    try
        {ok, Src} = file:read_file(File),
        {ok, Tokens, _} = erl_scan:string(unicode:characters_to_list(Src) ++ "."),
        {ok, [Expr]} = erl_parse:parse_exprs(Tokens),
        Expr
    catch _:Reason ->
        io:format(standard_error, "hotup helper: cannot load ~ts: ~p~n", [File, Reason]),
        halt(1)
    end.

helper_file(Name) -> filename:join(filename:dirname(escript:script_name()), Name).

%% ---- the compiled twin --------------------------------------------------------

%% The twin is this script compiled as module hotup_helper_twin, encode.fun
%% compiled into it, and hotup_beam beside it. Both are kept in the user's
%% cache directory (filename:basedir(user_cache, "hotup")) under a name made
%% of the OTP and ERTS versions and a digest of the three sources, so a
%% change to any of them makes a new twin; if that directory is not
%% writable, the twin is made anew on each run.
compiled() ->
    case code:ensure_loaded(beam_opcodes) of
        {module, beam_opcodes} ->
            try {ok, twin()}
            catch Kind:Reason:Stack ->
                io:format(standard_error, "hotup helper: cannot make its compiled twin: ~p:~p ~p~n", [Kind, Reason, Stack]),
                halt(1)
            end;
        _ -> none
    end.

twin() ->
    Script = escript:script_name(),
    Sources = [element(2, {ok, _} = file:read_file(F)) || F <- [Script, helper_file("encode.fun"), helper_file("hotup_beam.erl")]],
    Name = lists:flatten(["helper-", erlang:system_info(otp_release), "-", erlang:system_info(version), "-",
                          string:lowercase(binary_to_list(binary:encode_hex(erlang:md5(Sources))))]),
    %% No cache directory at all (no HOME, say) is like an unwritable one.
    Dir = try filename:join(filename:basedir(user_cache, "hotup"), Name) catch error:_ -> none end,
    case Dir =/= none andalso [code:load_abs(filename:join(Dir, M)) || M <- [hotup_beam, hotup_helper_twin]] of
        [{module, _}, {module, Twin}] -> Twin;
        _ ->
            Beams = [{hotup_beam, beam_of(compile:file(helper_file("hotup_beam.erl"), [binary, return_errors]))},
                     {hotup_helper_twin, beam_of(compile:forms(twin_forms(Script, hd(Sources)), [binary, return_errors]))}],
            [{module, M} = code:load_binary(M, atom_to_list(M) ++ ".beam", Bin) || {M, Bin} <- Beams],
            Dir =:= none orelse save_twin(Dir, Beams),
            hotup_helper_twin
    end.

%% The twin last: a run that finds it finds hotup_beam too.
save_twin(Dir, Beams) ->
    try
        ok = filelib:ensure_dir(filename:join(Dir, "x")),
        [write_atomically(filename:join(Dir, atom_to_list(M) ++ ".beam"), Bin) || {M, Bin} <- Beams],
        true
    catch error:_ -> false
    end.

beam_of({ok, _Mod, Bin}) -> Bin;
beam_of(Error) -> error({cannot_compile, Error}).

%% The forms of this script (after its escript header), as a module that
%% exports run/1, with encoder/0 returning the encode.fun fun itself.
twin_forms(Script, Text) ->
    {ok, Sections} = escript:extract(Script, []),
    {source, Body} = lists:keyfind(source, 1, Sections),
    Header = binary:part(Text, 0, byte_size(Text) - byte_size(Body)),
    Line = 1 + length(binary:matches(Header, <<"\n">>)),
    Forms = [case F of
                 {function, L, encoder, 0, _} -> {function, L, encoder, 0, [{clause, L, [], [], [encoder_expr()]}]};
                 _ -> F
             end || F <- script_forms(unicode:characters_to_list(Body), Line)],
    [{attribute, 1, module, hotup_helper_twin}, {attribute, 1, export, [{run, 1}]} | Forms].

script_forms(Text, Line) ->
    case erl_scan:tokens([], Text, Line) of
        {done, {ok, Tokens, End}, Rest} ->
            {ok, Form} = erl_parse:parse_form(Tokens),
            [Form | script_forms(Rest, End)];
        {more, _} -> []
    end.
