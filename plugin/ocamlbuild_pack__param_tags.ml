(* Ocamlbuild_pack.Param_tags: parametrised tags, "name(param)". *)

let make name param = name ^ "(" ^ param ^ ")"

let split tag =
  match String.index tag '(' with
  | i when String.length tag > i + 1 && tag.[String.length tag - 1] = ')' ->
      Some (String.sub tag 0 i, String.sub tag (i + 1) (String.length tag - i - 2))
  | _ -> None
  | exception Not_found -> None

(* ocamlbuild's registry of parametrised tags, for plugins that use it
   directly: [declare name f] registers [f], called once per parameter of
   the [name(param)] tags applied; [acknowledge] records a tag, [init]
   applies the recorded ones, [partial_init] applies tags at once.
   caravan acknowledges the tags of the configuration itself (and
   evaluates the plugin's pflag functions on request); this registry only
   sees what the plugin gives it. *)

let declared : (string, string -> unit) Hashtbl.t = Hashtbl.create 17
let acknowledged : ((string * string option) * Ocamlbuild_pack__loc.location option) list ref = ref []

(* [f], called at most once per parameter. *)
let once f =
  let seen = Hashtbl.create 7 in
  fun param ->
    if not (Hashtbl.mem seen param) then begin
      Hashtbl.add seen param ();
      f param
    end

let declare name f = Hashtbl.add declared name (once f)
let parse source tag = Ocamlbuild_pack__lexers.tag_gen source (Lexing.from_string tag)
let acknowledge source location tag = acknowledged := (parse source tag, location) :: !acknowledged

let apply ?(quiet = false) ((name, param), location) =
  let warn fmt = Format.printf ("%a" ^^ fmt ^^ "@.") Ocamlbuild_pack__loc.print_loc_option location in
  match param with
  | None -> if Hashtbl.mem declared name && not quiet then warn "Warning: tag %S expects a parameter" name
  | Some param ->
      let actions = List.rev (Hashtbl.find_all declared name) in
      if actions = [] && not quiet then
        warn "Warning: tag %S does not expect a parameter, but is used with parameter %S" name param;
      List.iter (fun f -> f param) actions

let partial_init ?quiet source tags = Ocamlbuild_pack__tags.iter (fun t -> apply ?quiet (parse source t, None)) tags

(* Applies the acknowledged tags, each once, newest first (as ocamlbuild
   walks its list). *)
let init () =
  let rec unique seen = function
    | [] -> []
    | x :: rest -> if List.mem x seen then unique seen rest else x :: unique (x :: seen) rest
  in
  List.iter (fun t -> apply t) (unique [] !acknowledged)

(* Whether a tag carries a parameter ("name(param)"). *)
let is_applied tag = String.length tag > 0 && tag.[String.length tag - 1] = ')'
