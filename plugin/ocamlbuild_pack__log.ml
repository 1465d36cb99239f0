(* Ocamlbuild_pack.Log: leveled messages. Level 1 is the default; -quiet
   sets 0 and -verbose N sets N+2, as in ocamlbuild. Messages go to the
   plugin's standard output, which caravan shows. *)

let level = ref 1
let classic_display = ref false
let is_logging lvl = lvl <= !level

let dprintf lvl fmt =
  if is_logging lvl then Format.printf ("@[<2>" ^^ fmt ^^ "@]@.")
  else Format.ifprintf Format.std_formatter fmt

let eprintf fmt = Format.printf ("@[<2>" ^^ fmt ^^ "@]@.")

let raw_dprintf lvl fmt =
  if is_logging lvl then Format.printf fmt else Format.ifprintf Format.std_formatter fmt
