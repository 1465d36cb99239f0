(* Ocamlbuild_pack.Hooks: the hook handler registered by [dispatch], called
   by caravan's requests in ocamlbuild's order; then, in After_rules, the
   actions a project's build_rules.ml registers (Caravan_layer), so a
   plugin with its own [dispatch] and build_rules.ml both run. *)

type message = Before_hygiene | After_hygiene | Before_options | After_options | Before_rules | After_rules

let handler = ref (fun (_ : message) -> ())
let setup_hooks f = handler := f

let name = function
  | Before_hygiene -> "before-hygiene"
  | After_hygiene -> "after-hygiene"
  | Before_options -> "before-options"
  | After_options -> "after-options"
  | Before_rules -> "before-rules"
  | After_rules -> "after-rules"

let after_rules_actions : (unit -> unit) list ref = ref []
let add_after_rules f = after_rules_actions := !after_rules_actions @ [ f ]

let call_hook m =
  Ocamlbuild_pack__declare.phase := name m;
  !handler m;
  if m = After_rules then List.iter (fun f -> f ()) !after_rules_actions
