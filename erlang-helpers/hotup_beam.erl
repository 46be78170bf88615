%% Whether a beam has an -on_load function. on_load is an instruction in the
%% code, not an attribute, so this walks the Code chunk (opcode, then its
%% compact-encoded operands) looking for it: far faster than beam_disasm,
%% which decodes everything. Opcode arities come from beam_opcodes, in the
%% compiler application. hotup_helper.escript compiles this module with its
%% compiled twin where the compiler is (a release's own ERTS usually lacks it).
-module(hotup_beam).
-export([finder/0]).

%% fun(Code) -> true | false | unknown (an opcode this OTP does not know),
%% Code being a "Code" chunk. The opcode table is made once, for every beam.
finder() ->
    Table = list_to_tuple([opcode(Op) || Op <- lists:seq(0, 255)]),
    fun(<<HeaderSize:32, Rest/binary>>) ->
            <<_:HeaderSize/binary, Code/binary>> = Rest,
            try walk(0, Code, Table) catch error:_ -> unknown end
    end.

opcode(Op) ->
    try beam_opcodes:opname(Op) of
        {on_load, 0} -> on_load;
        {int_code_end, 0} -> int_code_end;
        {_, Arity} -> Arity
    catch error:_ -> unknown
    end.

%% N: the operands of the current instruction still to skip, then the next
%% opcode. One function, matching the binary in every clause, so that the
%% compiler keeps one match context for the whole walk.
walk(0, <<>>, _Table) -> false;
walk(0, <<Op, Rest/binary>>, Table) ->
    case element(Op + 1, Table) of
        Arity when is_integer(Arity) -> walk(Arity, Rest, Table);
        on_load -> true;
        int_code_end -> false;
        unknown -> unknown
    end;
%% A compact term: tag in the low 3 bits. The extended tag (7) says in the high
%% 4 bits what follows: operands of its own, or bytes.
walk(N, <<0:4, 0:1, 7:3, _:8/binary, Rest/binary>>, Table) -> walk(N - 1, Rest, Table);   % float
walk(N, <<1:4, 0:1, 7:3, Rest/binary>>, Table) ->                                         % list
    {Count, Elems} = value(Rest),
    walk(N - 1 + Count, Elems, Table);
walk(N, <<2:4, 0:1, 7:3, Rest/binary>>, Table) -> walk(N, Rest, Table);                   % float register: 1
walk(N, <<3:4, 0:1, 7:3, Rest/binary>>, Table) ->                                         % allocation list
    {Count, Pairs} = value(Rest),
    walk(N - 1 + 2 * Count, Pairs, Table);
walk(N, <<4:4, 0:1, 7:3, Rest/binary>>, Table) ->                                         % literal
    {_, After} = value(Rest),
    walk(N - 1, After, Table);
walk(N, <<5:4, 0:1, 7:3, Rest/binary>>, Table) -> walk(N + 1, Rest, Table);               % typed register: 2
walk(_, <<_:5, 7:3, _/binary>>, _Table) -> error(unknown_extended_tag);
%% Other tags: the value in the high 4 bits, in 11 bits over two bytes, or in
%% the next 2..8 bytes (value/1 for more).
walk(N, <<_:4, 0:1, _:3, Rest/binary>>, Table) -> walk(N - 1, Rest, Table);
walk(N, <<_:3, 0:1, 1:1, _:3, _, Rest/binary>>, Table) -> walk(N - 1, Rest, Table);
walk(N, <<Len:3, 1:1, 1:1, _:3, Rest/binary>>, Table) when Len < 7 ->
    Size = Len + 2,
    <<_:Size/binary, After/binary>> = Rest,
    walk(N - 1, After, Table);
walk(N, <<Bin/binary>>, Table) ->
    {_, After} = value(Bin),
    walk(N - 1, After, Table).

%% The value after the tag, and what follows it.
value(<<V:4, 0:1, _:3, Rest/binary>>) -> {V, Rest};
value(<<Hi:3, 0:1, 1:1, _:3, Lo, Rest/binary>>) -> {(Hi bsl 8) bor Lo, Rest};
value(<<7:3, 1:1, 1:1, _:3, Rest/binary>>) ->
    {Len, Bytes} = value(Rest),
    N = Len + 9,
    <<V:N/unit:8, After/binary>> = Bytes,
    {V, After};
value(<<Len:3, 1:1, 1:1, _:3, Rest/binary>>) ->
    N = Len + 2,
    <<V:N/unit:8, After/binary>> = Rest,
    {V, After}.
