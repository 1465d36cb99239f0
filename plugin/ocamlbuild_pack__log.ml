(* Ocamlbuild_pack.Log: leveled messages. Level 1 is the default; -quiet
   sets 0 and -verbose N sets N+2, as in ocamlbuild. Messages go to the
   plugin's standard output, which caravan shows. Also the end-of-run
   callbacks ([at_end], [at_failure]). *)

let level = ref 1
let classic_display = ref false
let is_logging lvl = lvl <= !level

let dprintf lvl fmt =
  if is_logging lvl then Format.printf ("@[<2>" ^^ fmt ^^ "@]@.")
  else Format.ifprintf Format.std_formatter fmt

let eprintf fmt = Format.printf ("@[<2>" ^^ fmt ^^ "@]@.")

let raw_dprintf lvl fmt =
  if is_logging lvl then Format.printf fmt else Format.ifprintf Format.std_formatter fmt

(* The rest of ocamlbuild's Log. caravan shows and logs the commands it
   runs itself; a plugin's [event] is shown as ocamlbuild's classic
   display shows a command. *)

let event ?(pretend = false) command _target _tags =
  if is_logging 1 then Format.printf "%s%s@." (if pretend then "(pretend) " else "") command

let init (_ : string option) = ()
let display f = f stdout
let update () = ()
let mode name = name = "classic" && !classic_display

let at_end_callbacks : (string * ([ `Error | `Quiet ] -> unit)) list ref = ref []
let at_failure_callbacks : (string * ([ `Error ] -> unit)) list ref = ref []
let at_end ~name f = at_end_callbacks := (name, (f :> [ `Error | `Quiet ] -> unit)) :: !at_end_callbacks
let at_failure ~name f = at_failure_callbacks := (name, (f :> [ `Error ] -> unit)) :: !at_failure_callbacks

(* Runs the callbacks registered for the end of the plugin's run. *)
let finish ?(how = `Success) () =
  match how with
  | `Success -> ()
  | (`Error | `Quiet) as how ->
      if how = `Error then List.iter (fun (_, f) -> f `Error) (List.rev !at_failure_callbacks);
      List.iter (fun (_, f) -> f how) (List.rev !at_end_callbacks)
