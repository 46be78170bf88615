%% Writes a release root with N generated modules in application `big`, in
%% two versions (1.0.0 and 1.1.0, with every tenth module changed), the
%% appup between them, and a relup made by systools: input for bench/inspect.ts.
-module('gen-release').
-export([main/1]).

main([Root, NText]) ->
    N = list_to_integer(NText),
    Kernel = app_vsn(kernel), Stdlib = app_vsn(stdlib), Sasl = app_vsn(sasl),
    Erts = erlang:system_info(version),
    [begin
         Ebin = filename:join([Root, "lib", "big-" ++ V, "ebin"]),
         ok = filelib:ensure_dir(filename:join(Ebin, "x")),
         Mods = [write_module(Ebin, I, V) || I <- lists:seq(1, N)],
         ok = file:write_file(filename:join(Ebin, "big.app"),
                              io_lib:format("~p.~n", [{application, big, [{description, "generated"}, {vsn, V}, {modules, Mods}, {registered, []},
                                                                          {applications, [kernel, stdlib]}]}])),
         RelDir = filename:join([Root, "releases", V]),
         ok = filelib:ensure_dir(filename:join(RelDir, "x")),
         ok = file:write_file(filename:join(RelDir, "big.rel"),
                              io_lib:format("~p.~n", [{release, {"big", V}, {erts, Erts},
                                                       [{kernel, Kernel}, {stdlib, Stdlib}, {sasl, Sasl}, {big, V}]}]))
     end || V <- ["1.0.0", "1.1.0"]],
    Changed = [list_to_atom("big_mod_" ++ integer_to_list(I)) || I <- lists:seq(1, N), I rem 10 =:= 0],
    ok = file:write_file(filename:join([Root, "lib", "big-1.1.0", "ebin", "big.appup"]),
                         io_lib:format("~p.~n", [{"1.1.0", [{"1.0.0", [{load_module, M} || M <- Changed]}],
                                                  [{"1.0.0", [{load_module, M} || M <- Changed]}]}])),
    %% systools wants the OTP applications next to ours.
    [link_otp(Root, A, V) || {A, V} <- [{kernel, Kernel}, {stdlib, Stdlib}, {sasl, Sasl}]],
    Path = [filename:join([Root, "lib", D, "ebin"]) || D <- ["big-1.0.0", "big-1.1.0"]],
    Rel = fun(V) -> filename:join([Root, "releases", V, "big"]) end,
    {ok, _, _, _} = systools:make_relup(Rel("1.1.0"), [Rel("1.0.0")], [Rel("1.0.0")],
                             [{path, Path ++ [code:lib_dir(kernel, ebin), code:lib_dir(stdlib, ebin), code:lib_dir(sasl, ebin)]},
                              {outdir, filename:join([Root, "releases", "1.1.0"])}, silent]),
    ok = file:write_file(filename:join([Root, "releases", "start_erl.data"]), [Erts, " 1.1.0"]),
    halt(0).

app_vsn(App) ->
    application:load(App),
    {ok, V} = application:get_key(App, vsn),
    V.

link_otp(Root, App, Vsn) ->
    Link = filename:join([Root, "lib", atom_to_list(App) ++ "-" ++ Vsn]),
    _ = file:make_symlink(code:lib_dir(App), Link),
    ok.

write_module(Ebin, I, V) ->
    M = list_to_atom("big_mod_" ++ integer_to_list(I)),
    %% Every tenth module differs between the versions.
    Body = case I rem 10 =:= 0 andalso V =:= "1.1.0" of true -> 2; false -> 1 end,
    Forms = [{attribute, 1, module, M}, {attribute, 2, export, [{f, 0}]},
             {function, 3, f, 0, [{clause, 3, [], [], [{integer, 3, Body}]}]}],
    {ok, M, Bin} = compile:forms(Forms, []),
    ok = file:write_file(filename:join(Ebin, atom_to_list(M) ++ ".beam"), Bin),
    M.
