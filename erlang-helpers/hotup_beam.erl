%% Whether a beam has an -on_load function. on_load is an instruction in the
%% code, not an attribute, so this walks the Code chunk (opcode, then its
%% compact-encoded operands) looking for it: far faster than beam_disasm,
%% which decodes everything. Opcode arities come from beam_opcodes, in the
%% compiler application. hotup_helper.escript compiles this module at run
%% time where the compiler is (a release's own ERTS usually lacks it).
-module(hotup_beam).
-export([has_on_load/1]).

%% Code: the "Code" chunk. true | false, or unknown for an opcode this OTP does not know.
has_on_load(<<HeaderSize:32, Rest/binary>>) ->
    <<_:HeaderSize/binary, Code/binary>> = Rest,
    try walk(Code) catch error:_ -> unknown end.

walk(<<>>) -> false;
walk(<<Op, Rest/binary>>) ->
    case beam_opcodes:opname(Op) of
        {on_load, 0} -> true;
        {int_code_end, 0} -> false;
        {_, Arity} -> walk(skip(Arity, Rest))
    end.

skip(0, Bin) -> Bin;
skip(N, Bin) -> skip(N - 1, operand(Bin)).

%% A compact term: tag in the low 3 bits; an extended tag (7) is followed by
%% operands of its own, by kind.
operand(<<_:5, 7:3, _/binary>> = Bin) ->
    case value(Bin) of
        {0, <<_:8/binary, Rest/binary>>} -> Rest;                   % float
        {1, Rest} -> {N, Elems} = value(Rest), skip(N, Elems);      % list
        {2, Rest} -> operand(Rest);                                 % float register
        {3, Rest} -> {N, Pairs} = value(Rest), skip(2 * N, Pairs);  % allocation list
        {4, Rest} -> element(2, value(Rest));                       % literal
        {5, Rest} -> skip(2, Rest)                                  % typed register
    end;
operand(Bin) -> element(2, value(Bin)).

%% The value after the tag: in the high 4 bits, in 11 bits over two bytes,
%% or in the next 2..8 bytes (more when the length is itself encoded).
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
