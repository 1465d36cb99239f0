(* Caravan_plugin_main: linked after myocamlbuild.ml (as ocamlbuild links
   ocamlbuild.cmx), so the plugin's own initialisation has run and its
   [dispatch] handler is registered. It answers caravan's requests: run
   the hooks in order, evaluate parametrised flags, then serve rule
   actions until caravan says quit. *)

open Ocamlbuild_pack
module Wire = Caravan_wire
open Wire

let error kind message backtrace = send (List [ Atom "error"; Atom kind; Atom message; Atom backtrace ])

let describe = function
  | Failure s -> ("failure", s)
  | Invalid_argument s -> ("invalid-argument", s)
  | My_std.Exit_usage s -> ("usage", s)
  | My_std.Exit_with_code n -> ("exit", string_of_int n)
  | e -> ("exception", Printexc.to_string e)

let hook_named = function
  | "before-options" -> Hooks.Before_options
  | "after-options" -> Hooks.After_options
  | "before-hygiene" -> Hooks.Before_hygiene
  | "after-hygiene" -> Hooks.After_hygiene
  | "before-rules" -> Hooks.Before_rules
  | "after-rules" -> Hooks.After_rules
  | h -> raise (Protocol_error ("unknown hook " ^ h))

let run_hook name args =
  let hook = hook_named name in
  (match (hook, args) with
   | Hooks.After_options, [] -> (
       try Options.init_from Sys.argv with
       | Arg.Bad msg | Arg.Help msg ->
           error "usage" (String.trim msg) "";
           exit 1)
   | Hooks.Before_rules, [ dirs ] -> Options.include_dirs := to_atoms dirs
   | _ -> ());
  Hooks.call_hook hook

let instance (id, param) =
  let value =
    match Hashtbl.find_opt Flags.pflag_closures id with
    | Some f -> fun () -> Command.encode_spec (f param)
    | None -> (
        match Hashtbl.find_opt Command.pdep_closures id with
        | Some f -> fun () -> atoms (f param)
        | None -> fun () -> raise Not_found)
  in
  let result =
    match value () with
    | v -> List [ Atom "ok"; v ]
    | exception e -> List [ Atom "error"; Atom (snd (describe e)) ]
  in
  List [ Atom (string_of_int id); Atom param; result ]

let build eval_id requests =
  let reply = request "build" [ Atom eval_id; List (List.map atoms requests) ] in
  List.map
    (function
      | List [ Atom "ok"; Atom p ] -> My_std.Outcome.Good p
      | List [ Atom "failed"; Atom m ] -> My_std.Outcome.Bad (Failure m)
      | v -> fail_shape "an outcome" v)
    (to_list reply)

let eval (eval_id, rule_name, bindings) =
  Mutex.lock user_lock;
  let message =
    try
      let action =
        match Hashtbl.find_opt Rule.actions rule_name with
        | Some a -> a
        | None -> failwith (Printf.sprintf "the plugin declares no rule named %S" rule_name)
      in
      let bindings =
        List.map (function List [ Atom k; Atom v ] -> (k, v) | v -> fail_shape "a binding" v) (to_list bindings)
      in
      set_current_eval eval_id;
      let command =
        Fun.protect ~finally:clear_current_eval (fun () -> action (Rule.substitute bindings) (build eval_id))
      in
      List [ Atom "result"; Atom eval_id; Command.encode (Command.resolve_virtuals command) ]
    with e ->
      let backtrace = Printexc.get_backtrace () in
      let kind, message = describe e in
      List [ Atom "failed"; Atom eval_id; Atom kind; Atom message; Atom backtrace ]
  in
  send message;
  Mutex.unlock user_lock

let rec serve () =
  match receive () with
  | List [ Atom "reply"; Atom id; v ] ->
      deliver (int_of_string id) v;
      serve ()
  | List [ Atom "eval"; Atom eval_id; Atom rule_name; bindings ] ->
      ignore (Thread.create eval (eval_id, rule_name, bindings));
      serve ()
  | List [ Atom "quit" ] -> ()
  | v -> raise (Protocol_error ("unexpected message " ^ to_string v))
  | exception End_of_file -> ()

let rec steps () =
  match receive () with
  | List (Atom "hook" :: Atom name :: args) ->
      run_hook name args;
      send (List [ Atom "done"; Options.snapshot () ]);
      steps ()
  | List [ Atom "instantiate"; List pairs ] ->
      let pairs =
        List.map
          (function List [ Atom id; Atom param ] -> (int_of_string id, param) | v -> fail_shape "a pair" v)
          pairs
      in
      send (List [ Atom "instances"; List (List.map instance pairs) ]);
      steps ()
  | List [ Atom "serve"; Atom build_dir ] ->
      Sys.chdir build_dir;
      dispatching := true;
      send (List [ Atom "serving" ]);
      serve ()
  | List [ Atom "quit" ] -> ()
  | v -> raise (Protocol_error ("unexpected message " ^ to_string v))
  | exception End_of_file -> ()

let () =
  Printexc.record_backtrace true;
  if not enabled then begin
    prerr_endline
      (Sys.argv.(0) ^ ": this is a myocamlbuild.ml plugin compiled by caravan; caravan runs it, it does not run alone.");
    exit 2
  end;
  try steps () with
  | Protocol_error m ->
      error "protocol" m "";
      exit 2
  | e ->
      let backtrace = Printexc.get_backtrace () in
      let kind, message = describe e in
      error kind message backtrace;
      exit 2
