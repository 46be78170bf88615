#!/usr/bin/env escript
%% -*- erlang -*-
%% hotup's helper on the build host (and, run with a release's own ERTS, on
%% production hosts). One dispatcher, one result on stdout:
%%   HOTUP1:<base64 of term_to_binary(Encoded, [{minor_version, 1}])>
%% where Encoded keeps every type distinction erlpack would lose (encode.fun);
%% minor_version 1 because erlpack cannot read the UTF-8 atoms of OTP 26+.
%%
%% Exit codes (mirrored by HELPER_EXIT in src/release/helper.ts):
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
%%                                 and per module: beam_lib:md5, behaviours,
%%                                 exports code_change/3 (or /4), imports
%%                                 erlang:load_nif/2, has an on_load function
%%                                 (true | false | unknown: see hotup_beam.erl)
%%                      each file as {ok, Terms} | none | {error, Detail}.
%%                      Beams are read as chunks, never loaded.
%%   set-boot ROOT VSN  make release VSN under ROOT the one the node boots: its
%%                      RELEASES row permanent (the previous permanent one old,
%%                      a row made from releases/VSN/*.rel when it has none)
%%                      and start_erl.data naming it; for restarts, when
%%                      release_handler cannot do it on a live node

%% Interpreted, as escripts were by default before OTP 27: compiling needs the
%% compiler application, which a release's own ERTS usually lacks.
-mode(interpret).

main(Args) ->
    Enc = load_encoder(),
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
dispatch(["facts", Root, Vsn]) -> release_facts(Root, Vsn);
dispatch(["set-boot", Root, Vsn]) -> set_boot(Root, Vsn);
dispatch(Args) ->
    fail(2, usage, io_lib:format("unknown command or arguments ~p; commands: consult FILE|-, facts ROOT VSN, set-boot ROOT VSN", [Args])).

%% ---- consult ----------------------------------------------------------------

read_file(File) ->
    case file:read_file(File) of
        {ok, Bin} -> Bin;
        {error, Reason} -> fail(3, file_missing, io_lib:format("~ts: ~ts", [File, file:format_error(Reason)]))
    end.

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
    case file:read_file(File) of
        {ok, Bin} ->
            try {ok, consult_text(Bin, File)}
            catch throw:{hotup, _, _, Detail} -> {error, Detail}
            end;
        {error, enoent} -> none;
        {error, Reason} -> {error, unicode:characters_to_binary(io_lib:format("~ts: ~ts", [File, file:format_error(Reason)]))}
    end.

%% ---- facts ------------------------------------------------------------------

release_facts(Root, Vsn) ->
    RelDir = filename:join([Root, "releases", Vsn]),
    filelib:is_dir(RelDir) orelse fail(5, not_a_release, io_lib:format("~ts has no releases/~ts/", [Root, Vsn])),
    Rel = case filelib:wildcard(filename:join(RelDir, "*.rel")) of
              [RelFile] -> rel_terms(RelFile);
              [] -> rel_from_releases_file(Root, Vsn);
              Many -> fail(5, not_a_release, io_lib:format("several .rel files in ~ts: ~ts", [RelDir, lists:join(", ", Many)]))
          end,
    [{release, _, _, Apps}] = Rel,
    OnLoad = on_load_finder(),
    #{rel => Rel,
      relup => terms_of(filename:join(RelDir, "relup")),
      apps => [app_facts(Root, element(1, A), element(2, A), OnLoad) || A <- Apps]}.

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

app_facts(Root, App, AVsn, OnLoad) ->
    Ebin = filename:join([Root, "lib", atom_to_list(App) ++ "-" ++ AVsn, "ebin"]),
    Name = atom_to_list(App),
    #{name => App, vsn => list_to_binary(AVsn),
      present => filelib:is_dir(Ebin),
      app_modules => app_modules(filename:join(Ebin, Name ++ ".app")),
      appup => terms_of(filename:join(Ebin, Name ++ ".appup")),
      modules => [module_facts(B, OnLoad) || B <- filelib:wildcard(filename:join(Ebin, "*.beam"))]}.

app_modules(AppFile) ->
    case file:consult(AppFile) of
        {ok, [{application, _, Props}]} when is_list(Props) -> proplists:get_value(modules, Props, []);
        _ -> []
    end.

%% One read per beam; chunks and digest come from the same bytes.
module_facts(Beam, OnLoad) ->
    Bin = read_file(Beam),
    case beam_lib:chunks(Bin, [attributes, exports, imports, "Code"]) of
        {ok, {Mod, [{attributes, Attrs}, {exports, Exports}, {imports, Imports}, {"Code", Code}]}} ->
            {ok, {Mod, Md5}} = beam_lib:md5(Bin),
            #{module => Mod, md5 => binary:encode_hex(Md5),
              behaviours => lists:usort(lists:append(proplists:get_all_values(behaviour, Attrs) ++ proplists:get_all_values(behavior, Attrs))),
              code_change => lists:member({code_change, 3}, Exports) orelse lists:member({code_change, 4}, Exports),
              loads_nif => lists:member({erlang, load_nif, 2}, Imports),
              on_load => OnLoad(Code)};
        {error, beam_lib, Reason} ->
            fail(5, not_a_release, io_lib:format("~ts is not a readable beam file: ~p", [Beam, Reason]))
    end.

%% How on_load is found: by hotup_beam.erl (next to this script), compiled
%% here when this node has the compiler application; else it is `unknown`.
on_load_finder() ->
    Src = filename:join(filename:dirname(escript:script_name()), "hotup_beam.erl"),
    Compiled = code:ensure_loaded(beam_opcodes) =:= {module, beam_opcodes}
        andalso compile:file(Src, [binary, return_errors]),
    case Compiled of
        {ok, Mod, Bin} ->
            {module, Mod} = code:load_binary(Mod, Src, Bin),
            fun Mod:has_on_load/1;
        _ -> fun(_Code) -> unknown end
    end.

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
    Tmp = File ++ ".hotup-tmp",
    ok = file:write_file(Tmp, Data),
    ok = file:rename(Tmp, File).

%% ---- output -----------------------------------------------------------------

fail(Code, Class, Detail) -> throw({hotup, Code, Class, unicode:characters_to_binary(Detail)}).

emit(Enc, Term) ->
    Bin = term_to_binary(Enc(Term), [{minor_version, 1}]),
    io:put_chars(["HOTUP1:", base64:encode(Bin), $\n]).

%% The encoder lives next to this script, shared with what hotup evaluates on live nodes.
load_encoder() ->
    File = filename:join(filename:dirname(escript:script_name()), "encode.fun"),
    try
        {ok, Src} = file:read_file(File),
        {ok, Tokens, _} = erl_scan:string(unicode:characters_to_list(Src) ++ "."),
        {ok, [Expr]} = erl_parse:parse_exprs(Tokens),
        {value, Fun, _} = erl_eval:expr(Expr, erl_eval:new_bindings()),
        Fun
    catch _:Reason ->
        io:format(standard_error, "hotup helper: cannot load ~ts: ~p~n", [File, Reason]),
        halt(1)
    end.
