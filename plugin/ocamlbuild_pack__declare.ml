(* Ocamlbuild_pack.Declare (caravan's own): sending what the plugin
   declares to caravan. Every declaration carries the hook during which it
   was made ("init" before the first hook), because caravan orders them
   around its built-in declarations the way ocamlbuild does: what comes
   before After_rules precedes the built-in flags and rules, the rest
   follows them. *)

let phase = ref "init"

let send verb args =
  Caravan_wire.send (Caravan_wire.List (Caravan_wire.Atom verb :: Caravan_wire.Atom !phase :: args))

(* Closures caravan may ask the plugin to call later, by number. *)
let next_closure = ref 0

let fresh_id () =
  incr next_closure;
  !next_closure
