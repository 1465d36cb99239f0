(* Ocamlbuild_pack.Ocaml_utils: OCaml-specific declarations ([ocaml_lib],
   [non_dependency], [use_lib]) and helpers (module names, word lists,
   [expand_module], the standard library directory). *)

open Ocamlbuild_pack__my_std
module Command = Ocamlbuild_pack__command
module Pathname = Ocamlbuild_pack__pathname
module Flags = Ocamlbuild_pack__flags
module Wire = Caravan_wire
open Command

let stdlib_dir =
  lazy (String.trim (Ocamlbuild_pack__my_unix.run_and_read "ocamlc -where"))

let module_name_of_filename f = String.capitalize_ascii (Pathname.remove_extensions f)
let module_name_of_pathname x = module_name_of_filename (Pathname.basename x)

let non_dependencies = ref []

let non_dependency m1 m2 =
  if String.length (Pathname.get_extensions m1) = 0 then invalid_arg "non_dependency: no extension";
  non_dependencies := (m1, m2) :: !non_dependencies;
  Wire.send (Wire.atoms [ "non-dependency"; m1; m2 ])

let libraries = Hashtbl.create 17
let libraries_of m = try Hashtbl.find libraries m with Not_found -> []

let use_lib m lib =
  Hashtbl.replace libraries m (lib :: libraries_of m);
  Wire.send (Wire.atoms [ "use-lib"; m; lib ])

let info_libraries = Hashtbl.create 17

let ocaml_lib ?(extern = false) ?(byte = true) ?(native = true) ?dir ?tag_name libpath =
  let add_dir x = match dir with Some dir -> S [ A "-I"; P dir; x ] | None -> x in
  let tag_name = match tag_name with Some x -> x | None -> "use_" ^ Pathname.basename libpath in
  Hashtbl.replace info_libraries tag_name (libpath, extern);
  Flags.mark_tag_used tag_name;
  if extern then begin
    if byte then Flags.flag [ "ocaml"; tag_name; "link"; "byte" ] (add_dir (A (libpath ^ ".cma")));
    if native then Flags.flag [ "ocaml"; tag_name; "link"; "native" ] (add_dir (A (libpath ^ ".cmxa")))
  end
  else if (not byte) && not native then
    invalid_arg "ocaml_lib: ~byte:false or ~native:false only works with ~extern:true";
  Ocamlbuild_pack__declare.send "ocaml-lib"
    [ Wire.Atom libpath; Wire.bool extern; Wire.bool byte; Wire.bool native;
      Wire.atoms (Option.to_list dir); Wire.Atom tag_name ];
  match dir with
  | None -> ()
  | Some dir ->
      List.iter
        (fun x -> Flags.flag [ "ocaml"; tag_name; x ] (S [ A "-I"; P dir ]))
        [ "compile"; "doc"; "infer_interface" ]

let expand_module =
  memo3 (fun include_dirs module_name exts ->
      let dirname = Pathname.dirname module_name in
      let basename = Pathname.basename module_name in
      let cap = Pathname.concat dirname (String.capitalize_ascii basename) in
      let uncap = Pathname.concat dirname (String.uncapitalize_ascii basename) in
      List.fold_right
        (fun include_dir ->
          List.fold_right
            (fun ext acc ->
              Pathname.concat include_dir (uncap ^ "." ^ ext)
              :: Pathname.concat include_dir (cap ^ "." ^ ext)
              :: acc)
            exts)
        include_dirs [])

let string_list_of_file file =
  with_input_file file (fun ic -> Ocamlbuild_pack__lexers.blank_sep_strings "file" (Lexing.from_channel ic))

let print_path_list = Pathname.print_path_list

let ocaml_add_include_flag x acc = if x = Filename.current_dir_name then acc else A "-I" :: A x :: acc

let ocaml_include_flags path =
  S (List.fold_right ocaml_add_include_flag (Pathname.include_dirs_of (Pathname.dirname path)) [])

let ocaml_ppflags tags =
  let flags = Flags.of_tags (Ocamlbuild_pack__tags.add "pp" (Ocamlbuild_pack__tags.add "ocaml" tags)) in
  match Command.reduce flags with N -> N | reduced -> S [ A "-pp"; Quote reduced ]

let cmi_of = Pathname.update_extensions "cmi"

let flag_and_dep = Flags.flag_and_dep
let pflag_and_dep tags ptag f = Flags.pflag_and_dep tags ptag f

(* Whether a module is one of the standard library's (a dependency on it
   is only tried, not required). *)
let ignore_stdlib m =
  (not !Ocamlbuild_pack__options.nostdlib)
  && Sys.file_exists (Filename.concat (Lazy.force stdlib_dir) (String.uncapitalize_ascii m ^ ".cmi"))

(* The modules [path] mentions, from its "<path>.depends" file (the
   ocamldep output caravan wrote in the build directory, where actions
   run; build it first), each marked `mandatory or, for the standard
   library's, `just_try; modules dropped by [non_dependency] or the
   -ignore option are left out. *)
let path_dependencies_of =
  memo (fun path ->
      let depends = path ^ ".depends" in
      let entries =
        if Sys.file_exists depends then
          with_input_file depends (fun ic ->
              Ocamlbuild_pack__lexers.ocamldep_output "ocamldep" (Lexing.from_channel ic))
        else []
      in
      let modules = List.concat_map snd entries in
      List.filter_map
        (fun m ->
          if List.mem (path, m) !non_dependencies || List.mem m !Ocamlbuild_pack__options.ignore_list then None
          else Some ((if ignore_stdlib m then `just_try else `mandatory), m))
        modules)
