(* Ocamlbuild_pack.Findlib: findlib queries for plugins, answered by the
   ocamlfind program as in ocamlbuild. *)

module Command = Ocamlbuild_pack__command
open Command

type command_spec = Command.spec

type error =
  | Cannot_run_ocamlfind
  | Dependency_not_found of string * string
  | Package_not_found of string
  | Cannot_parse_query of string * string

exception Findlib_error of error

let error x = raise (Findlib_error x)

let string_of_error = function
  | Cannot_run_ocamlfind -> "Cannot run Ocamlfind."
  | Dependency_not_found (p, d) ->
      Printf.sprintf "Ocamlfind returned \"%s\" as a dependency for package \"%s\" but does not know this dependency." d p
  | Package_not_found p -> Printf.sprintf "Findlib package not found: \"%s\"." p
  | Cannot_parse_query (p, e) -> Printf.sprintf "Cannot parse Ocamlfind query for package \"%s\": %s" p e

let report_error e =
  prerr_endline (string_of_error e);
  exit 2

type package = {
  name : string;
  description : string;
  version : string;
  archives_byte : string;
  archives_native : string;
  link_options : string;
  location : string;
  dependencies : package list;
}

let run cmd = try Ocamlbuild_pack__my_unix.run_and_read cmd with Failure _ -> error Cannot_run_ocamlfind
let lines s = List.filter (fun l -> l <> "") (String.split_on_char '\n' s)

let field name text =
  let prefix = name ^ ":" in
  let rec go = function
    | [] -> ""
    | l :: ls ->
        if String.length l >= String.length prefix && String.sub l 0 (String.length prefix) = prefix then
          String.trim (String.sub l (String.length prefix) (String.length l - String.length prefix))
        else go ls
  in
  go (lines text)

let packages = Hashtbl.create 17

let rec query name =
  match Hashtbl.find_opt packages name with
  | Some p -> p
  | None ->
      let q = Filename.quote name in
      let text =
        try Ocamlbuild_pack__my_unix.run_and_read ("ocamlfind query -l -predicates byte " ^ q)
        with Failure _ -> error (Package_not_found name)
      in
      let native = String.trim (run ("ocamlfind query -a-format -predicates native " ^ q)) in
      let deps =
        List.filter (fun d -> d <> name) (lines (run ("ocamlfind query -r -p-format " ^ q)))
      in
      let dependencies =
        List.map (fun d -> try query d with Findlib_error _ -> error (Dependency_not_found (name, d))) deps
      in
      let p =
        {
          name;
          description = field "description" text;
          version = field "version" text;
          archives_byte = field "archive(s)" text;
          archives_native = native;
          link_options = field "linkopts" text;
          location = field "location" text;
          dependencies;
        }
      in
      Hashtbl.replace packages name p;
      p

let list () = List.map (fun l -> List.hd (String.split_on_char ' ' l)) (lines (run "ocamlfind list"))

let topological_closure l =
  let seen = Hashtbl.create 17 in
  let out = ref [] in
  let rec visit p =
    if not (Hashtbl.mem seen p.name) then begin
      Hashtbl.replace seen p.name ();
      List.iter visit p.dependencies;
      out := p :: !out
    end
  in
  List.iter visit l;
  List.rev !out

let include_flags l =
  S (List.concat_map (fun p -> [ A "-I"; A p.location ]) (topological_closure l))

let compile_flags_byte = include_flags
let compile_flags_native = include_flags

let link_flags f l =
  let l = topological_closure l in
  let archives p =
    List.concat_map
      (fun a -> if a = "" then [] else [ A (Filename.concat p.location a) ])
      (String.split_on_char ' ' (f p))
  in
  S [ include_flags l; S (List.concat_map (fun p -> if p.link_options = "" then [] else [ Sh p.link_options ]) l);
      S (List.concat_map archives l) ]

let link_flags_byte = link_flags (fun p -> p.archives_byte)
let link_flags_native = link_flags (fun p -> p.archives_native)
