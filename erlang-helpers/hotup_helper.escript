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
-mode(compile).

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
