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

let annotate arch =
  let rec self arch acc =
    match arch with
    | Arch_dir_pack (name, _, contents) ->
        let acc = { acc with for_pack = join_pack acc.for_pack (String.capitalize_ascii name) } in
        let current_path = Filename.concat acc.current_path name in
        let include_dirs = current_path :: acc.include_dirs in
        let info = { acc with current_path; include_dirs } in
        Arch_dir_pack (name, info, List.map (fun a -> self a info) contents)
    | Arch_dir (name, _, contents) ->
        let current_path = Filename.concat acc.current_path name in
        let info = { acc with current_path; include_dirs = current_path :: acc.include_dirs } in
        Arch_dir (name, info, List.map (fun a -> self a info) contents)
    | Arch_file (name, _) -> Arch_file (name, { acc with current_path = Filename.concat acc.current_path name })
  in
  self arch { current_path = ""; include_dirs = []; for_pack = "" }

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

let iter_include_dirs arch f =
  let rec go = function
    | Arch_dir_pack (_, i, xs) | Arch_dir (_, i, xs) ->
        List.iter f i.include_dirs;
        List.iter go xs
    | Arch_file _ -> ()
  in
  go arch

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
