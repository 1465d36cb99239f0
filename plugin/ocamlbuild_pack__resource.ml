(* Ocamlbuild_pack.Resource: files of the build ("resources"), rule
   patterns ("%(name)" variables, "%" for the variable "") and their
   bindings, as in ocamlbuild. Paths are relative to the build directory,
   where actions run. The [Cache] of ocamlbuild's engine has no
   counterpart here: caravan's engine keeps its own traces, so its
   functions record what the plugin tells them and answer from that. *)

open Ocamlbuild_pack__my_std

type t = string
type resource_pattern = string
type env = (string * string) list

module Resources = Set.Make (String)

let compare = String.compare
let print = Format.pp_print_string
let print_pattern = Format.pp_print_string
(* A resource in the source tree (from the folder the plugin started in,
   the root) and in the build directory (where actions run). *)
let in_source_dir p =
  if Filename.is_implicit p then Filename.concat Ocamlbuild_pack__pathname.pwd p
  else invalid_arg (Printf.sprintf "in_source_dir: %S" p)

let in_build_dir p = if Filename.is_relative p then p else invalid_arg (Printf.sprintf "in_build_dir: %S" p)

(* The file of a resource in the build directory, wherever the plugin
   runs from (hooks run at the root). *)
let build_file p = Filename.concat !Ocamlbuild_pack__options.build_dir (in_build_dir p)
let exists_in_source_dir p = Sys.file_exists (in_source_dir p)
let exists_in_build_dir p = Sys.file_exists (build_file p)
(* The digest of a resource's name and, when it exists, of its content. *)
let digest p =
  let f = build_file p in
  Digest.string (p ^ if Sys.file_exists f then Digest.file f else "")
let clean p = try Sys.remove (build_file p) with Sys_error _ -> ()
let clean_up_links (entry : bool Ocamlbuild_pack__slurp.entry) = entry
let import s = Ocamlbuild_pack__pathname.normalize s
let import_pattern s = s

let print_env f env =
  List.iter (fun (k, v) -> if k = "" then Format.fprintf f "%%=%s " v else Format.fprintf f "%%(%s)=%s " k v) env

type token = Word of string | Var of string

let tokens pattern =
  List.map
    (function `Word w -> Word w | `Var (name, _) -> Var name)
    (Ocamlbuild_pack__lexers.path_scheme true "target pattern" (Lexing.from_string pattern))

(* The bindings that make [pattern] equal to [path], if any, as ocamlbuild
   finds them: each variable takes the shortest text (possibly empty) that
   lets the rest match; a variable's own pattern, "%(name:pattern)", is
   not checked (caravan matches rule patterns itself). *)
let matchit pattern path =
  let n = String.length path in
  let rec go toks i env =
    match toks with
    | [] -> if i = n then Some env else None
    | Word w :: rest ->
        let l = String.length w in
        if i + l <= n && String.sub path i l = w then go rest (i + l) env else None
    | [ Var v ] -> Some ((v, String.sub path i (n - i)) :: env)
    | Var v :: rest ->
        let rec try_len l =
          if i + l > n then None
          else
            match go rest (i + l) ((v, String.sub path i l) :: env) with
            | Some e -> Some e
            | None -> try_len (l + 1)
        in
        try_len 0
  in
  go (tokens pattern) 0 []

(* [pattern] with its variables replaced by their values in [env] (an
   unbound variable by nothing). *)
let subst env pattern =
  String.concat ""
    (List.map
       (function Word w -> w | Var v -> (match List.assoc_opt v env with Some value -> value | None -> ""))
       (tokens pattern))

let subst_any = subst
let subst_pattern = subst

module Cache = struct
  type suspension = Ocamlbuild_pack__command.t * (unit -> unit)
  type build_status = Bbuilt | Bcannot_be_built | Bnot_built_yet | Bsuspension of suspension
  type cache_entry = { mutable built : build_status; mutable changed : bool; mutable dependencies : Resources.t }

  let table : (t, cache_entry) Hashtbl.t = Hashtbl.create 17

  let entry r =
    match Hashtbl.find_opt table r with
    | Some e -> e
    | None ->
        let e = { built = Bnot_built_yet; changed = true; dependencies = Resources.empty } in
        Hashtbl.replace table r e;
        e

  let clean () = Hashtbl.reset table
  let resource_state r = (entry r).built
  let resource_changed r = (entry r).changed <- true
  let resource_has_changed r = (entry r).changed
  let resource_built r = (entry r).built <- Bbuilt
  let resource_failed r = (entry r).built <- Bcannot_be_built
  let clear_resource_failed r = if (entry r).built = Bcannot_be_built then (entry r).built <- Bnot_built_yet

  (* Copies a source into the build directory. *)
  let import_in_build_dir r =
    let dest = build_file r in
    Ocamlbuild_pack__shell.mkdir_p (Filename.dirname dest);
    copy_file (in_source_dir r) dest

  let suspend_resource r cmd kont _prods = (entry r).built <- Bsuspension (cmd, kont)

  let resume_suspension (cmd, kont) =
    Ocamlbuild_pack__command.execute cmd;
    kont ()

  let resume_resource r =
    match (entry r).built with
    | Bsuspension s ->
        resume_suspension s;
        (entry r).built <- Bbuilt
    | _ -> ()

  let get_optional_resource_suspension r = match (entry r).built with Bsuspension s -> Some s | _ -> None
  let add_dependency r d = (entry r).dependencies <- Resources.add d (entry r).dependencies
  let dependencies r = (entry r).dependencies
  let fold_dependencies f acc = Hashtbl.fold (fun r e acc -> Resources.fold (fun d acc -> f r d acc) e.dependencies acc) table acc

  (* An external file (outside the build) is up to date when it exists. *)
  let external_is_up_to_date r = Sys.file_exists r

  let print_cache f () =
    Hashtbl.iter
      (fun r e ->
        Format.fprintf f "@[<2>%s:@ %s@]@." r
          (match e.built with
           | Bbuilt -> "built"
           | Bcannot_be_built -> "cannot be built"
           | Bnot_built_yet -> "not built yet"
           | Bsuspension _ -> "suspended"))
      table

  let print_dependencies f () =
    fold_dependencies (fun r d () -> Format.fprintf f "%s -> %s@." r d) ()
end
