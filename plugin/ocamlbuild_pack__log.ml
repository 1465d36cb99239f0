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

(* ocamlbuild's debugging switch, always on. *)
let mode (_ : string) = true

(* Callbacks for the end of the run, once per name, in registration order:
   [at_end] ones run at the end of a build that succeeded or failed (and
   are told `Error), [at_failure] ones only after a failure. They run when
   [finish] is called; caravan does not tell the plugin how its build
   ended, so only a plugin's own [finish] calls run them. *)
let pending : ([ `Error | `Quiet | `Success ] -> unit) Queue.t = Queue.create ()
let registered : (string, unit) Hashtbl.t = Hashtbl.create 8

let at_end_always ~name f =
  if not (Hashtbl.mem registered name) then begin
    Hashtbl.add registered name ();
    Queue.add f pending
  end

let at_end ~name f = at_end_always ~name (function `Quiet -> () | `Success | `Error -> f `Error)
let at_failure ~name f = at_end_always ~name (function `Success | `Quiet -> () | `Error -> f `Error)

let finish ?how () =
  let how = match how with None -> `Quiet | Some h -> (h :> [ `Error | `Quiet | `Success ]) in
  while not (Queue.is_empty pending) do
    let now = Queue.copy pending in
    Queue.clear pending;
    Queue.iter (fun f -> f how) now
  done
