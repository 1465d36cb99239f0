(* Ocamlbuild_pack.Solver: building a target on demand. caravan's engine
   is the solver; from a rule's action, [solve_target] builds the first of
   the given alternatives that can be built (as the action's [build]
   would), and [solve] builds one file. Outside an action there is no
   build to join, and both raise [Failed]. *)

type backtrace =
  | Leaf of string
  | Choice of backtrace list
  | Depth of string * backtrace
  | Target of string * backtrace

exception Failed of backtrace
exception Circular of string * string list

let build_in_action alternatives =
  match Caravan_wire.current_eval () with
  | None -> raise (Failed (Choice (List.map (fun a -> Leaf a) alternatives)))
  | Some eval -> (
      match Caravan_wire.request "build" [ Caravan_wire.Atom eval; Caravan_wire.List [ Caravan_wire.atoms alternatives ] ] with
      | Caravan_wire.List [ Caravan_wire.List [ Caravan_wire.Atom "ok"; Caravan_wire.Atom p ] ] -> p
      | _ -> raise (Failed (Choice (List.map (fun a -> Leaf a) alternatives))))

let solve_target name alternatives =
  try build_in_action alternatives with Failed b -> raise (Failed (Target (name, b)))

let solve path = ignore (build_in_action [ path ])
