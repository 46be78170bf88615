#!/usr/bin/env escript
%% -*- erlang -*-
%% hotup's helper on the build host. One dispatcher, one result on stdout:
%%   HOTUP1:<base64 of term_to_binary(Encoded, [{minor_version, 1}])>
%% where Encoded keeps every type distinction erlpack would lose (encode.fun).
%% Exit codes (mirrored in src/release/helper.ts):
%%   0 ok, 1 unexpected, 2 usage, 3 file missing or unreadable,
%%   4 not a valid term file, 5 not a release.
%% On failure the framed result is {error, Class, Detail}.
%%
%% Commands:
%%   consult FILE|-     the terms of an Erlang term file (relup, .appup, .rel,
%%                      RELEASES, sys.config); `-` reads the text from stdin
%%   facts ROOT VSN     release VSN under release root ROOT: its .rel, and per
%%                      application its .app vsn, .appup, and per module the
%%                      beam_lib:md5 digest, behaviours, exports of
%%                      code_change/3, imports of erlang:load_nif/2
%%   onload BEAM...     which of these beam files have an -on_load function
%%   set-boot ROOT VSN  make release VSN under ROOT the one the node boots: its
%%                      RELEASES row permanent (the previous permanent one old,
%%                      a row made from releases/VSN/*.rel when it has none)
%%                      and start_erl.data naming it; for restarts, when
%%                      release_handler cannot do it on a live node

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

dispatch(["consult", "-"]) -> consult_text(read_stdin([]), <<"stdin">>);
dispatch(["consult", File]) ->
    case file:read_file(File) of
        {ok, Bin} -> consult_text(Bin, list_to_binary(File));
        {error, Reason} -> fail(3, file_missing, io_lib:format("~s: ~s", [File, file:format_error(Reason)]))
    end;
dispatch(["facts", Root, Vsn]) -> release_facts(Root, Vsn);
dispatch(["onload" | Beams]) -> [list_to_binary(B) || B <- Beams, has_on_load(B)];
dispatch(["set-boot", Root, Vsn]) -> set_boot(Root, Vsn);
dispatch(Args) -> fail(2, usage, io_lib:format("unknown command ~p", [Args])).

%% file:consult/1 semantics on text, so stdin and files parse alike.
consult_text(Bin, Name) ->
    case unicode:characters_to_list(Bin) of
        Text when is_list(Text) -> scan_text(Text, Name);
        _ -> fail(4, bad_term, io_lib:format("~s: not text (binary or invalid UTF-8 data)", [Name]))
    end.

scan_text(Text, Name) ->
    case erl_scan:string(Text, 1) of
        {ok, Tokens, _} -> parse_forms(Tokens, Name, []);
        {error, {Line, Mod, Desc}, _} -> fail(4, bad_term, io_lib:format("~s:~p: ~s", [Name, Line, Mod:format_error(Desc)]))
    end.

parse_forms([], _Name, Acc) -> lists:reverse(Acc);
parse_forms(Tokens, Name, Acc) ->
    case lists:splitwith(fun(T) -> element(1, T) =/= dot end, Tokens) of
        {Form, [Dot | Rest]} ->
            case erl_parse:parse_term(Form ++ [Dot]) of
                {ok, Term} -> parse_forms(Rest, Name, [Term | Acc]);
                {error, {Line, Mod, Desc}} -> fail(4, bad_term, io_lib:format("~s:~p: ~s", [Name, Line, Mod:format_error(Desc)]))
            end;
        {_, []} -> fail(4, bad_term, io_lib:format("~s: the last term has no terminating dot (truncated file?)", [Name]))
    end.

%% A built release has releases/VSN/NAME.rel; one unpacked by release_handler
%% may not, and then its row in releases/RELEASES says the same.
release_facts(Root, Vsn) ->
    RelDir = filename:join([Root, "releases", Vsn]),
    case filelib:wildcard(filename:join(RelDir, "*.rel")) of
        [RelFile] -> describe_release(Root, read_rel(RelFile));
        [] -> describe_release(Root, from_releases_file(Root, Vsn));
        Many -> fail(5, not_a_release, io_lib:format("several .rel files in ~s: ~p", [RelDir, Many]))
    end.

from_releases_file(Root, Vsn) ->
    File = filename:join([Root, "releases", "RELEASES"]),
    case file:consult(File) of
        {ok, [Rels]} ->
            case [R || R <- Rels, element(3, R) =:= Vsn] of
                [{release, Name, Vsn, Erts, Libs, _}] -> {Name, Vsn, Erts, [{A, V} || {A, V, _Dir} <- Libs]};
                _ -> fail(5, not_a_release, io_lib:format("release ~s has no .rel file and no row in ~s", [Vsn, File]))
            end;
        _ -> fail(5, not_a_release, io_lib:format("release ~s has no .rel file under ~s/releases/~s", [Vsn, Root, Vsn]))
    end.

read_rel(RelFile) ->
    case file:consult(RelFile) of
        {ok, [{release, {Name, RVsn}, {erts, Erts}, Apps}]} -> {Name, RVsn, Erts, Apps};
        _ -> fail(5, not_a_release, io_lib:format("~s is not a release specification", [RelFile]))
    end.

describe_release(Root, {Name, RVsn, Erts, Apps}) ->
    #{name => list_to_binary(Name), vsn => list_to_binary(RVsn), erts => list_to_binary(Erts),
      apps => [app_facts(Root, element(1, A), element(2, A)) || A <- Apps]}.

app_facts(Root, App, AVsn) ->
    Ebin = filename:join([Root, "lib", atom_to_list(App) ++ "-" ++ AVsn, "ebin"]),
    Appup = filename:join(Ebin, atom_to_list(App) ++ ".appup"),
    #{name => App, vsn => list_to_binary(AVsn), ebin => list_to_binary(Ebin),
      present => filelib:is_dir(Ebin),
      app_modules => app_modules(filename:join(Ebin, atom_to_list(App) ++ ".app")),
      appup => case file:consult(Appup) of {ok, [Term]} -> {ok, Term}; {ok, _} -> malformed; {error, enoent} -> none; {error, _} -> malformed end,
      modules => [module_facts(B) || B <- filelib:wildcard(filename:join(Ebin, "*.beam"))]}.

app_modules(AppFile) ->
    case file:consult(AppFile) of
        {ok, [{application, _, Props}]} -> proplists:get_value(modules, Props, []);
        _ -> []
    end.

module_facts(Beam) ->
    case beam_lib:chunks(Beam, [attributes, exports, imports]) of
        {ok, {Mod, [{attributes, Attrs}, {exports, Exports}, {imports, Imports}]}} ->
            {ok, {Mod, Md5}} = beam_lib:md5(Beam),
            #{module => Mod, md5 => binary:encode_hex(Md5),
              behaviours => lists:usort(lists:append(proplists:get_all_values(behaviour, Attrs) ++ proplists:get_all_values(behavior, Attrs))),
              code_change => lists:member({code_change, 3}, Exports) orelse lists:member({code_change, 4}, Exports),
              loads_nif => lists:member({erlang, load_nif, 2}, Imports)};
        {error, beam_lib, Reason} ->
            fail(5, not_a_release, io_lib:format("~s is not a readable beam file: ~p", [Beam, Reason]))
    end.

%% on_load is an instruction in the code, not an attribute: only the disassembler sees it.
has_on_load(Beam) ->
    case beam_disasm:file(Beam) of
        {beam_file, _, _, _, _, Code} ->
            lists:any(fun({function, _, _, _, Is}) -> lists:member(on_load, Is) end, Code);
        _ -> false
    end.

set_boot(Root, Vsn) ->
    RelDir = filename:join(Root, "releases"),
    File = filename:join(RelDir, "RELEASES"),
    Rows = case file:consult(File) of
               {ok, [Rs]} when is_list(Rs) -> Rs;
               {error, enoent} -> [];
               _ -> fail(4, bad_term, io_lib:format("~s is not a RELEASES file", [File]))
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
    {Name, Vsn, Erts, Apps} = case filelib:wildcard(filename:join([Root, "releases", Vsn, "*.rel"])) of
                                  [RelFile] -> read_rel(RelFile);
                                  _ -> fail(5, not_a_release, io_lib:format("release ~s has no .rel file under ~s/releases/~s", [Vsn, Root, Vsn]))
                              end,
    Libs = [{A, V, filename:join([Root, "lib", atom_to_list(A) ++ "-" ++ V])} || {A, V} <- [{element(1, X), element(2, X)} || X <- Apps]],
    [fail(5, not_a_release, io_lib:format("~s is missing", [D])) || {_, _, D} <- Libs, not filelib:is_dir(D)],
    {release, Name, Vsn, Erts, Libs, unpacked}.

%% Readers never see half a file: write beside it, then rename over it.
write_atomically(File, Data) ->
    Tmp = File ++ ".hotup-tmp",
    ok = file:write_file(Tmp, Data),
    ok = file:rename(Tmp, File).

read_stdin(Acc) ->
    case io:get_chars(standard_io, "", 65536) of
        eof -> iolist_to_binary(lists:reverse(Acc));
        Data -> read_stdin([unicode:characters_to_binary(Data) | Acc])
    end.

fail(Code, Class, Detail) -> throw({hotup, Code, Class, iolist_to_binary(Detail)}).

emit(Enc, Term) ->
    Bin = term_to_binary(Enc(Term), [{minor_version, 1}]),
    io:put_chars(["HOTUP1:", base64:encode(Bin), $\n]).

load_encoder() ->
    Dir = filename:dirname(escript:script_name()),
    {ok, Src} = file:read_file(filename:join(Dir, "encode.fun")),
    {ok, Tokens, _} = erl_scan:string(unicode:characters_to_list(Src) ++ "."),
    {ok, [Expr]} = erl_parse:parse_exprs(Tokens),
    {value, Fun, _} = erl_eval:expr(Expr, erl_eval:new_bindings()),
    Fun.
