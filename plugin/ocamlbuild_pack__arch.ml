(* Ocamlbuild_pack.Arch (Ocaml_arch): describing a source tree of packs
   and directories, and the include directories and -for-pack names it
   implies. *)

type 'a arch =
  | Arch_dir of string * 'a * 'a arch list
  | Arch_dir_pack of string * 'a * 'a arch list
  | Arch_file of string * 'a

let dir name contents = Arch_dir (name, (), contents)
let dir_pack name contents = Arch_dir_pack (name, (), contents)
let file name = Arch_file (name, ())

type info = { current_path : string; include_dirs : string list; for_pack : string }

let join_pack parent base = if parent = "" then base else parent ^ "." ^ base

(* As ocamlbuild: a folder sees its own path, then the include folders of
   the plain folders that come before it among its siblings (a pack's
   folder exports none), then those of its parent. A file keeps its
   folder's information. Pack names are the folder names as written. *)
let annotate arch =
  let rec walk arch acc =
    match arch with
    | Arch_dir_pack (name, _, contents) ->
        let acc = { acc with for_pack = join_pack acc.for_pack name } in
        let _, info, contents = walk_folder name contents acc in
        ([], Arch_dir_pack (name, info, contents))
    | Arch_dir (name, _, contents) ->
        let exported, info, contents = walk_folder name contents acc in
        (info.current_path :: exported, Arch_dir (name, info, contents))
    | Arch_file (name, _) -> ([], Arch_file (name, acc))
  and walk_folder name contents acc =
    let current_path = Filename.concat acc.current_path name in
    let current_path = if acc.current_path = "" then name else current_path in
    let include_dirs =
      if current_path = "" then acc.include_dirs else current_path :: acc.include_dirs
    in
    let info = { acc with current_path; include_dirs } in
    let exported, children =
      List.fold_left
        (fun (exported, children) child ->
          let seen = { info with include_dirs = exported @ info.include_dirs } in
          let more, child = walk child seen in
          (exported @ more, child :: children))
        ([], []) contents
    in
    (exported, info, List.rev children)
  in
  snd (walk arch { current_path = ""; include_dirs = []; for_pack = "" })

let rec print pp f = function
  | Arch_dir (name, info, contents) ->
      Format.fprintf f "@[<v2>dir %S%a@ %a@]" name pp info (Format.pp_print_list (print pp)) contents
  | Arch_dir_pack (name, info, contents) ->
      Format.fprintf f "@[<v2>dir_pack %S%a@ %a@]" name pp info (Format.pp_print_list (print pp)) contents
  | Arch_file (name, info) -> Format.fprintf f "@[<2>file %S%a@]" name pp info

let print_include_dirs f dirs =
  Format.fprintf f "[%s]" (String.concat "; " (List.map (Printf.sprintf "%S") dirs))

let print_info f info =
  Format.fprintf f "@ @[<v2>{ :current_path = %S;@ :include_dirs = %a;@ :for_pack = %S }@]" info.current_path
    print_include_dirs info.include_dirs info.for_pack

let rec iter_info f = function
  | Arch_dir_pack (_, i, xs) | Arch_dir (_, i, xs) ->
      f i;
      List.iter (iter_info f) xs
  | Arch_file (_, i) -> f i

let rec fold_info f arch acc =
  match arch with
  | Arch_dir_pack (_, i, xs) | Arch_dir (_, i, xs) -> List.fold_right (fold_info f) xs (f i acc)
  | Arch_file (_, i) -> f i acc

(* Every include folder of the description, each once, in sorted order
   (ocamlbuild gathers them in a set). *)
let iter_include_dirs arch f =
  let all = fold_info (fun i acc -> i.include_dirs @ acc) arch [] in
  List.iter f (List.sort_uniq compare all)

(* The -for-pack flags of a file: set up by [mk_tables], from the pack
   its folder belongs to (each call adds to those of the previous ones). *)
let forpack_flags_table = ref (fun (_ : string) -> Ocamlbuild_pack__command.N)

let mk_tables arch =
  let include_dirs_table = Hashtbl.create 17 and for_pack_table = Hashtbl.create 17 in
  iter_info
    (fun i ->
      Hashtbl.replace include_dirs_table i.current_path i.include_dirs;
      Hashtbl.replace for_pack_table i.current_path i.for_pack)
    arch;
  (* caravan writes the compile commands: the -for-pack of each folder
     reaches them as a for-pack(...) tag on its native objects (and packs),
     the flag ocamlbuild puts there from this table. *)
  iter_info
    (fun i ->
      if i.for_pack <> "" && i.current_path <> "" then
        Ocamlbuild_pack__configuration.parse_string
          (Printf.sprintf "<%s/*.cmx>: for-pack(%s)\n" i.current_path i.for_pack))
    arch;
  let before = !forpack_flags_table in
  (forpack_flags_table :=
     fun path ->
       match Hashtbl.find_opt for_pack_table (Filename.dirname path) with
       | Some "" -> Ocamlbuild_pack__command.N
       | Some pack -> Ocamlbuild_pack__command.(S [ A "-for-pack"; A pack ])
       | None -> before path);
  (include_dirs_table, for_pack_table)

let forpack_flags_of_pathname path = !forpack_flags_table path

let print_table pp f table =
  Format.fprintf f "@[<hv0>{:@[<hv0>";
  Hashtbl.iter (fun k v -> Format.fprintf f "@ %S: %a;" k pp v) table;
  Format.fprintf f "@]@ :}@]"
