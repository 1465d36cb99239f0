(* Ocamlbuild_pack.Command: commands and command specifications, their
   rendering as shell text (ocamlbuild's quoting), execution from plugin
   code, and the tag-triggered dependencies ([dep], [pdep]). Tags in a
   command ([T]) become flags through caravan's flag table. *)

open Ocamlbuild_pack__my_std
module Tags = Ocamlbuild_pack__tags
module Wire = Caravan_wire

type tags = Tags.t
type pathname = string

type t = Seq of t list | Cmd of spec | Echo of string list * pathname | Nop

and spec =
  | N
  | S of spec list
  | A of string
  | P of pathname
  | Px of pathname
  | Sh of string
  | T of Tags.t
  | V of string
  | Quote of spec

let jobs = ref 1
let atomize l = S (List.map (fun x -> A x) l)
let atomize_paths l = S (List.map (fun x -> P x) l)

(* Encoding for the protocol. *)

let rec encode_spec = function
  | N -> Wire.Atom "N"
  | S l -> Wire.List (Wire.Atom "S" :: List.map encode_spec l)
  | A s -> Wire.atoms [ "A"; s ]
  | P s -> Wire.atoms [ "P"; s ]
  | Px s -> Wire.atoms [ "Px"; s ]
  | Sh s -> Wire.atoms [ "Sh"; s ]
  | T tags -> Wire.atoms ("T" :: Tags.elements tags)
  | V s -> Wire.atoms [ "V"; s ]
  | Quote s -> Wire.List [ Wire.Atom "Quote"; encode_spec s ]

let rec encode = function
  | Nop -> Wire.Atom "Nop"
  | Seq l -> Wire.List (Wire.Atom "Seq" :: List.map encode l)
  | Cmd s -> Wire.List [ Wire.Atom "Cmd"; encode_spec s ]
  | Echo (texts, path) -> Wire.List [ Wire.Atom "Echo"; Wire.atoms texts; Wire.Atom path ]

let rec decode_spec = function
  | Wire.Atom "N" -> N
  | Wire.List (Wire.Atom "S" :: l) -> S (List.map decode_spec l)
  | Wire.List [ Wire.Atom "A"; Wire.Atom s ] -> A s
  | Wire.List [ Wire.Atom "P"; Wire.Atom s ] -> P s
  | Wire.List [ Wire.Atom "Px"; Wire.Atom s ] -> Px s
  | Wire.List [ Wire.Atom "Sh"; Wire.Atom s ] -> Sh s
  | Wire.List (Wire.Atom "T" :: l) -> T (Tags.of_list (List.map Wire.to_atom l))
  | Wire.List [ Wire.Atom "V"; Wire.Atom s ] -> V s
  | Wire.List [ Wire.Atom "Quote"; s ] -> Quote (decode_spec s)
  | v -> Wire.fail_shape "a command spec" v

(* The flags caravan's declarations give a set of tags. *)
let flags_of_tags tags = decode_spec (Wire.request "tag-flags" [ Wire.atoms (Tags.elements tags) ])

(* What [T tags] stands for when a spec is rendered here (ocamlbuild lets
   plugins replace it). *)
let tag_handler = ref flags_of_tags

(* Virtual commands (V "OCAMLC"...), found as ocamlbuild finds tools. *)

let search_in_path cmd =
  if Filename.is_implicit cmd then
    let path = try String.split_on_char ':' (Sys.getenv "PATH") with Not_found -> [] in
    let dir =
      List.find
        (fun d ->
          let d = if d = "" then "." else d in
          Sys.file_exists (filename_concat d cmd))
        path
    in
    filename_concat (if dir = "" then "." else dir) cmd
  else cmd

let virtual_solvers : (string, unit -> spec) Hashtbl.t = Hashtbl.create 16
let setup_virtual_command_solver name solver = Hashtbl.replace virtual_solvers name solver

let virtual_solver v =
  let solver =
    try Hashtbl.find virtual_solvers v
    with Not_found ->
      failwith
        (Printf.sprintf
           "no solver for the virtual command %S (setup one with Command.setup_virtual_command_solver)"
           v)
  in
  try solver ()
  with Not_found ->
    failwith (Printf.sprintf "the solver for the virtual command %S has failed finding a valid command" v)

let find_tool name =
  match search_in_path (name ^ ".opt") with
  | path -> path
  | exception Not_found -> ( try search_in_path name with Not_found -> name)

let () =
  List.iter
    (fun cmd -> setup_virtual_command_solver (String.uppercase_ascii cmd) (fun () -> A (find_tool cmd)))
    [ "ocamlc"; "ocamlopt"; "ocamldep"; "ocamldoc"; "ocamlyacc"; "menhir"; "ocamllex"; "ocamlmklib";
      "ocamlmktop"; "ocamlfind" ]

(* Replaces virtual commands by what their solvers say (caravan runs the
   result, and only the plugin knows the solvers). *)
let rec resolve_virtuals_spec = function
  | V v -> resolve_virtuals_spec (virtual_solver v)
  | S l -> S (List.map resolve_virtuals_spec l)
  | Quote s -> Quote (resolve_virtuals_spec s)
  | (N | A _ | P _ | Px _ | Sh _ | T _) as s -> s

let rec resolve_virtuals = function
  | Cmd s -> Cmd (resolve_virtuals_spec s)
  | Seq l -> Seq (List.map resolve_virtuals l)
  | (Nop | Echo _) as c -> c

let rec string_of_command_spec_with resolve spec =
  let b = Buffer.create 256 in
  let first = ref true in
  let put_space () = if !first then first := false else Buffer.add_char b ' ' in
  let put_filename p = Buffer.add_string b (Ocamlbuild_pack__shell.quote_filename_if_needed p) in
  let rec go = function
    | N -> ()
    | A u | P u | Px u ->
        put_space ();
        put_filename u
    | Sh u ->
        put_space ();
        Buffer.add_string b u
    | V v ->
        if resolve then go (virtual_solver v)
        else begin
          put_space ();
          Printf.bprintf b "<virtual %s>" (Ocamlbuild_pack__shell.quote_filename_if_needed v)
        end
    | S l -> List.iter go l
    | T tags -> go (!tag_handler tags)
    | Quote s ->
        put_space ();
        put_filename (string_of_command_spec_with resolve s)
  in
  go spec;
  Buffer.contents b

let string_of_command_spec = string_of_command_spec_with false

(* The text of a spec as it runs (virtual tools resolved), its log target
   (its last [Px], else the text) and the tags it names. *)
let string_target_and_tags_of_command_spec spec =
  let text = string_of_command_spec_with true spec in
  let target = ref "" and tags = ref Tags.empty in
  let rec visit = function
    | Px p -> target := p
    | S l -> List.iter visit l
    | T t -> tags := Tags.union !tags t
    | Quote s -> visit s
    | N | A _ | P _ | Sh _ | V _ -> ()
  in
  visit spec;
  (text, (if !target = "" then text else !target), !tags)

let rec print f = function
  | Cmd spec -> Format.pp_print_string f (string_of_command_spec spec)
  | Seq seq -> List.print print f seq
  | Nop -> Format.pp_print_string f "nop"
  | Echo (texts, dest) ->
      Format.fprintf f "@[<2>Echo(%a,@ %S)@]" (List.print (fun f -> Format.fprintf f "%S")) texts dest

let to_string x = Format.asprintf "%a" print x

let rec reduce x =
  let rec go x acc =
    match x with
    | N -> acc
    | A _ | Sh _ | P _ | Px _ | V _ -> x :: acc
    | S l -> List.fold_right go l acc
    | T tags -> go (!tag_handler tags) acc
    | Quote s -> Quote (reduce s) :: acc
  in
  match go x [] with [] -> N | [ x ] -> x | xs -> S xs

(* Running commands from plugin code (hooks and actions). *)

let rec flatten = function
  | Nop -> []
  | Seq l -> List.concat_map flatten l
  | c -> [ c ]

let execute_one ~quiet = function
  | Cmd spec ->
      let text = string_of_command_spec_with true spec in
      if not quiet then print_endline text;
      flush stdout;
      let rc = Sys.command text in
      if rc <> 0 then begin
        Format.printf "Exit code %d while executing this command:@\n%s@." rc text;
        raise (Exit_with_code rc)
      end
  | Echo (texts, dest) -> with_output_file dest (fun oc -> List.iter (output_string oc) texts)
  | Seq _ | Nop -> ()

let execute_many ?(quiet = false) ?(pretend = false) cmds =
  if pretend then None
  else
    let rec go acc = function
      | [] -> None
      | c :: rest -> (
          match List.iter (execute_one ~quiet) (flatten c) with
          | () -> go (true :: acc) rest
          | exception e -> Some (List.rev_append acc (false :: List.map (fun _ -> false) rest), e))
    in
    go [] cmds

let execute ?quiet ?pretend cmd =
  match execute_many ?quiet ?pretend [ cmd ] with Some (_, e) -> raise e | None -> ()

let iter_tags f x =
  let rec spec = function
    | N | A _ | Sh _ | P _ | Px _ | V _ | Quote _ -> ()
    | S l -> List.iter spec l
    | T tags -> f tags
  in
  let rec cmd = function Nop | Echo _ -> () | Cmd s -> spec s | Seq s -> List.iter cmd s in
  cmd x

let fold_pathnames f x =
  let rec spec = function
    | N | A _ | Sh _ | V _ | Quote _ | T _ -> fun acc -> acc
    | P p | Px p -> f p
    | S l -> List.fold_right spec l
  in
  let rec cmd = function
    | Nop -> fun acc -> acc
    | Echo (_, p) -> f p
    | Cmd s -> spec s
    | Seq s -> List.fold_right cmd s
  in
  cmd x

(* Tag-triggered dependencies. *)

let all_deps_of_tags = ref []

let dep tags deps =
  all_deps_of_tags := (Tags.of_list tags, deps) :: !all_deps_of_tags;
  Ocamlbuild_pack__declare.send "dep" [ Wire.atoms tags; Wire.atoms deps ]

let list_all_deps () = !all_deps_of_tags

let deps_of_tags tags =
  List.fold_left
    (fun acc (xtags, xdeps) ->
      if Tags.does_match tags xtags then acc @ List.filter (fun d -> not (List.mem d acc)) xdeps else acc)
    [] (List.rev !all_deps_of_tags)

let pdep_closures : (int, string -> string list) Hashtbl.t = Hashtbl.create 8

let pdep tags ptag deps =
  let id = Ocamlbuild_pack__declare.fresh_id () in
  Hashtbl.replace pdep_closures id deps;
  Ocamlbuild_pack__declare.send "pdep" [ Wire.atoms tags; Wire.Atom ptag; Wire.Atom (string_of_int id) ]

(* What identifies a command, as ocamlbuild computes it: one command line
   is its own text; otherwise the digest of the list of the texts of its
   command lines and of the digests of its echoes' path and texts. *)
let digest cmd =
  let rec parts acc = function
    | Cmd spec -> string_of_command_spec spec :: acc
    | Seq l -> List.fold_left parts acc l
    | Nop -> acc
    | Echo (texts, path) -> List.rev_append (List.map Digest.string (path :: texts)) acc
  in
  match List.rev (parts [] cmd) with
  | [ one ] -> one
  | many -> Digest.string ("[" ^ String.concat ";" many ^ "]")

(* caravan reports its own parallelism statistics. *)
let dump_parallel_stats () = ()
let file_or_exe_exists file = Sys.file_exists file || Sys.file_exists (file ^ ".exe")
