%% One fun, shared by hotup_helper.escript and by every expression hotup
%% evaluates on a live node: it turns any term into one that survives
%% erlpack without losing its type. erlpack decodes tuples and lists alike,
%% atoms and binaries alike, so each is tagged in a map with a binary key:
%%   atom -> #{<<"a">> => Name}     binary -> #{<<"b">> => Bin}
%%   tuple -> #{<<"t">> => [..]}     map -> #{<<"m">> => [[K, V], ..]}
%%   improper list -> #{<<"il">> => [..], <<"tail">> => T}
%%   pid/ref/port/fun -> #{<<"x">> => Printed}
%%   integer beyond 2^53 -> #{<<"n">> => Digits}   (erlpack cannot read big ints, JS numbers lose them)
%%   float -> #{<<"f">> => F}   (1.0 would come back as the integer 1)
%% Integers and proper lists pass through, their elements encoded.
fun HotupEnc(T) when is_atom(T) -> #{<<"a">> => atom_to_binary(T, utf8)};
    HotupEnc(T) when is_binary(T) -> #{<<"b">> => T};
    HotupEnc(T) when is_integer(T), (T > 16#1FFFFFFFFFFFFF orelse T < -16#1FFFFFFFFFFFFF) -> #{<<"n">> => integer_to_binary(T)};
    HotupEnc(T) when is_integer(T) -> T;
    HotupEnc(T) when is_float(T) -> #{<<"f">> => T};
    HotupEnc(T) when is_tuple(T) -> #{<<"t">> => [HotupEnc(E) || E <- tuple_to_list(T)]};
    HotupEnc(T) when is_map(T) -> #{<<"m">> => [[HotupEnc(K), HotupEnc(V)] || {K, V} <- maps:to_list(T)]};
    HotupEnc(T) when is_list(T) ->
        HotupList = fun HotupL([H | Rest], Acc) -> HotupL(Rest, [HotupEnc(H) | Acc]);
                        HotupL([], Acc) -> lists:reverse(Acc);
                        HotupL(Tail, Acc) -> #{<<"il">> => lists:reverse(Acc), <<"tail">> => HotupEnc(Tail)}
                    end,
        HotupList(T, []);
    HotupEnc(T) -> #{<<"x">> => iolist_to_binary(io_lib:format("~p", [T]))}
end
