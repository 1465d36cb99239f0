(* Ocamlbuild_pack.Ocaml_compiler: ocamlbuild's OCaml compile and link
   commands and rule actions.

   The command builders ([ocamlc_c], [ocamlopt_link_lib]...) write the
   commands ocamlbuild writes: the tool of Options, the flags of the
   tags given ([T]), -pp and include flags, the files and -o.

   The rule actions ([byte_library_link_mllib "%.mllib" "%.cma"],
   [byte_compile_ocaml_implem], [native_link]...) need ocamlbuild's engine
   in ocamlbuild (dependency scans, link order); here they ask caravan to
   do what its built-in rule does for the same files (Rule.builtin): when
   the output is the target of the plugin's rule, caravan's built-in rule
   makes it in the rule's place, with its command, inputs and log, and
   the action returns [Nop]; another output is built as a dependency. *)

open Ocamlbuild_pack__my_std
module Command = Ocamlbuild_pack__command
module Tags = Ocamlbuild_pack__tags
module Options = Ocamlbuild_pack__options
module Pathname = Ocamlbuild_pack__pathname
module Rule = Ocamlbuild_pack__rule
module Utils = Ocamlbuild_pack__ocaml_utils
module Arch = Ocamlbuild_pack__arch
open Command

let hidden_packages = ref []

let hide_package_contents package =
  hidden_packages := package :: !hidden_packages;
  Caravan_wire.send (Caravan_wire.atoms [ "hide-package-contents"; package ])

let ( ++ ) tags tag = Tags.add tag tags

(* -for-pack, for a file of a pack, when the command is tagged "pack". *)
let forpack_flags arg tags = if Tags.mem "pack" tags then Arch.forpack_flags_of_pathname arg else N

(* -I for each folder of the files, once each, "." left out. *)
let include_flags_for_deps deps =
  let dirs = List.fold_left (fun acc p -> let d = Pathname.dirname p in if List.mem d acc then acc else acc @ [ d ]) [] deps in
  S (List.fold_right Utils.ocaml_add_include_flag dirs [])

let ocamlc_c tags arg out =
  let tags = tags ++ "ocaml" ++ "byte" in
  Cmd
    (S
       [ !Options.ocamlc; A "-c"; T (tags ++ "compile"); Utils.ocaml_ppflags tags; Utils.ocaml_include_flags arg;
         A "-o"; Px out; P arg ])

let ocamlc_link flag tags deps out =
  Cmd (S [ !Options.ocamlc; flag; T tags; include_flags_for_deps deps; atomize_paths deps; A "-o"; Px out ])

let ocamlc_link_lib = ocamlc_link (A "-a")
let ocamlc_link_prog = ocamlc_link N
let ocamlc_p tags deps out = Cmd (S [ !Options.ocamlc; A "-pack"; T tags; atomize_paths deps; A "-o"; Px out ])

let ocamlmklib tags deps out =
  Cmd (S [ !Options.ocamlmklib; T tags; atomize_paths deps; A "-o"; Px (Pathname.remove_extensions out) ])

let ocamlmktop tags deps out = Cmd (S [ !Options.ocamlmktop; T (tags ++ "mktop"); atomize_paths deps; A "-o"; Px out ])

let ocamlopt_c tags arg out =
  let tags = tags ++ "ocaml" ++ "native" in
  Cmd
    (S
       [ !Options.ocamlopt; A "-c"; Arch.forpack_flags_of_pathname arg; T (tags ++ "compile");
         Utils.ocaml_ppflags tags; Utils.ocaml_include_flags arg; A "-o"; Px out; P arg ])

let ocamlopt_link flag tags deps out =
  Cmd
    (S
       [ !Options.ocamlopt; flag; forpack_flags out tags; T tags; include_flags_for_deps deps; atomize_paths deps;
         A "-o"; Px out ])

let ocamlopt_link_lib = ocamlopt_link (A "-a")
let ocamlopt_link_shared_lib = ocamlopt_link (A "-shared")
let ocamlopt_link_prog = ocamlopt_link N

(* -pack with ocamlopt; without an .mli, ocamlopt needs one to exist while
   it packs, so the command makes an empty one and removes it after. *)
let ocamlopt_p tags deps out =
  let mli = Pathname.update_extensions "mli" out in
  let pack =
    S [ !Options.ocamlopt; A "-pack"; forpack_flags out tags; T tags; include_flags_for_deps deps; atomize_paths deps; A "-o"; Px out ]
  in
  if Pathname.exists mli then Cmd pack
  else
    let rm = S [ A "rm"; A "-f"; P mli ] in
    Cmd (S [ A "touch"; P mli; Sh " ; if "; pack; Sh " ; then "; rm; Sh " ; else "; rm; Sh " ; exit 1; fi" ])

(* Builds the interfaces of the modules [ml] mentions (its .depends file
   must be built), as ocamlbuild does before a compilation; a module the
   standard library provides may fail to build. *)
let prepare_compile build ml =
  let dirs = Pathname.include_dirs_of (Pathname.dirname ml) in
  let modules = Utils.path_dependencies_of ml in
  let results = build (List.map (fun (_, m) -> Utils.expand_module dirs m [ "cmi" ]) modules) in
  List.iter2
    (fun (importance, _) result ->
      match (importance, result) with
      | `mandatory, Outcome.Bad e when not !Options.ignore_auto -> raise e
      | _ -> ())
    modules results

(* Builds the objects a link of [src] needs: those of the modules it
   mentions, with the extensions [exts] (the first that exists). *)
let prepare_link _tagged_out src exts build =
  let dirs = Pathname.include_dirs_of (Pathname.dirname src) in
  let modules = Utils.path_dependencies_of src in
  ignore (build (List.map (fun (_, m) -> Utils.expand_module dirs m exts) modules))

(* Builds the project libraries [out]'s use_<lib> tags name, with
   extensions [cma_ext] and [a_ext]; returns them. *)
let prepare_libs cma_ext a_ext out build =
  let tags = Ocamlbuild_pack__tools.tags_of_pathname out in
  let libs =
    Hashtbl.fold
      (fun tag (libpath, extern) acc -> if (not extern) && Tags.mem tag tags then libpath :: acc else acc)
      Utils.info_libraries []
  in
  let files = List.map (fun lib -> lib ^ "." ^ cma_ext) libs in
  ignore (build (List.map (fun f -> [ f ]) (files @ List.map (fun lib -> lib ^ "." ^ a_ext) libs)));
  files

(* The actions: what caravan's built-in rules do. *)

let target out (env : Rule.env) (_ : Rule.builder) : Command.t = Rule.builtin "target" [ env out ]
let compile_ocaml_interf _mli cmi env build = target cmi env build
let byte_compile_ocaml_interf = compile_ocaml_interf
let byte_compile_ocaml_implem ?tag:_ _ml cmo env build = target cmo env build

let native_compile_ocaml_implem ?tag:_ ?(cmx_ext = "cmx") ml env build =
  target (Pathname.update_extensions cmx_ext ml) env build

let link_gen _cmx_ext _cma_ext _a_ext _extensions _linker _tagger _cmx out env build = target out env build
let byte_link _cmo out = target out
let byte_output_obj _cmo out = target out
let byte_output_shared _cmo out = target out
let byte_library_link _cmo out = target out
let byte_debug_link _cmo out = target out
let byte_debug_library_link _cmo out = target out
let native_link _cmx out = target out
let native_output_obj _cmx out = target out
let native_output_shared _cmx out = target out
let native_library_link _cmx out = target out
let native_shared_library_link ?tags:_ _cmx out = target out
let native_profile_link _cmx out = target out
let native_profile_library_link _cmx out = target out

let units kind list out (env : Rule.env) (_ : Rule.builder) : Command.t = Rule.builtin kind [ env list; env out ]
let modules kind names out (env : Rule.env) (_ : Rule.builder) : Command.t =
  Rule.builtin (kind ^ "-modules") (env out :: names)

let link_modules _modules_and_exts _cmx_ext _cma_ext _a_ext _linker _tagger names out env build =
  modules "library-byte" names out env build

let pack_modules _modules_and_exts _cmx_ext _cma_ext _a_ext _packer _tagger _names out env build = target out env build
let byte_library_link_modules = modules "library-byte"
let byte_library_link_mllib = units "library-byte"
let byte_debug_library_link_modules = modules "library-byte"
let byte_debug_library_link_mllib = units "library-byte"
let byte_pack_modules _names out = target out
let byte_pack_mlpack _mlpack out = target out
let byte_debug_pack_modules _names out = target out
let byte_debug_pack_mlpack _mlpack out = target out
let byte_toplevel_link_modules = modules "toplevel"
let byte_toplevel_link_mltop = units "toplevel"
let native_pack_modules _names out = target out
let native_pack_mlpack _mlpack out = target out
let native_library_link_modules = modules "library-native"
let native_library_link_mllib = units "library-native"
let native_shared_library_link_modules = modules "shared-library"
let native_shared_library_link_mldylib = units "shared-library"
let native_profile_pack_modules _names out = target out
let native_profile_pack_mlpack _mlpack out = target out
let native_profile_library_link_modules = modules "library-native"
let native_profile_library_link_mllib = units "library-native"
let native_profile_shared_library_link_modules = modules "shared-library"
let native_profile_shared_library_link_mldylib = units "shared-library"
