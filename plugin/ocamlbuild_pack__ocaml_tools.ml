(* Ocamlbuild_pack.Ocaml_tools: ocamlbuild's actions for the OCaml tools
   (ocamllex, ocamlyacc, menhir, ocamldep, ocamldoc, camlp4).

   The ocamldoc command builders and the actions that only assemble a
   command ([document_ocaml_project], [camlp4]) are written as in
   ocamlbuild. The others ask caravan to do what its built-in rule does
   for the same output (see Ocaml_compiler). *)

open Ocamlbuild_pack__my_std
module Command = Ocamlbuild_pack__command
module Tags = Ocamlbuild_pack__tags
module Options = Ocamlbuild_pack__options
module Pathname = Ocamlbuild_pack__pathname
module Utils = Ocamlbuild_pack__ocaml_utils
open Command

let ( ++ ) tags tag = Tags.add tag tags
let tags_of_pathname = Ocamlbuild_pack__tools.tags_of_pathname
let target = Ocamlbuild_pack__ocaml_compiler.target
let ocamldep_command _arg out = target out
let menhir_ocamldep_command _mly out = target out
let menhir_modular_ocamldep_command _mlypack out = target out
let menhir_modular menhir_base _mlypack _mlypack_depends = target (menhir_base ^ ".ml")
let generated_ml source = Pathname.update_extensions "ml" source
let ocamlyacc mly env build = target (generated_ml (env mly)) (fun x -> x) build
let ocamllex mll env build = target (generated_ml (env mll)) (fun x -> x) build
let menhir mly env build = target (generated_ml (env mly)) (fun x -> x) build
let infer_interface _ml mli = target mli
let document_ocaml_interf _mli odoc = target odoc
let document_ocaml_implem _ml odoc = target odoc

let ocamldoc_c tags arg odoc =
  let tags = tags ++ "ocaml" in
  Cmd
    (S
       [ !Options.ocamldoc; A "-dump"; Px odoc; T (tags ++ "doc"); Utils.ocaml_ppflags (tags ++ "pp:doc");
         Utils.ocaml_include_flags arg; P arg ])

let load_all deps = S (List.map (fun d -> S [ A "-load"; P d ]) deps)

(* ocamldoc into a fresh folder (HTML, man pages). *)
let ocamldoc_l_dir tags deps _docout docdir =
  Seq
    [ Cmd (S [ A "rm"; A "-rf"; Px docdir ]); Cmd (S [ A "mkdir"; A "-p"; Px docdir ]);
      Cmd (S [ !Options.ocamldoc; load_all deps; T (tags ++ "doc" ++ "docdir"); A "-d"; Px docdir ]) ]

(* ocamldoc into one file (LaTeX, texinfo, dot). *)
let ocamldoc_l_file tags deps docout _docdir =
  Seq
    [ Cmd (S [ A "rm"; A "-rf"; Px docout ]); Cmd (S [ A "mkdir"; A "-p"; Px (Pathname.dirname docout) ]);
      Cmd (S [ !Options.ocamldoc; load_all deps; T (tags ++ "doc" ++ "docfile"); A "-o"; Px docout ]) ]

(* The documentation of the modules an .odocl lists: their .odoc files
   built, then [ocamldoc] (by default into one file) on them. *)
let document_ocaml_project ?(ocamldoc = ocamldoc_l_file) ?(tags = []) odocl docout docdir env build =
  let odocl = env odocl and docout = env docout and docdir = env docdir in
  let dirs = Pathname.include_dirs_of (Pathname.dirname odocl) in
  let wanted = List.map (fun m -> Utils.expand_module dirs m [ "odoc" ]) (Utils.string_list_of_file odocl) in
  let odocs = List.map Outcome.good (build wanted) in
  let tags =
    Tags.union (Tags.of_list tags ++ "ocaml") (Tags.union (tags_of_pathname docout) (tags_of_pathname docdir))
  in
  ocamldoc tags odocs docout docdir

(* A camlp4 preprocessing of [i] into [o]: the preprocessor the tags give
   ([default] when none), printing OCaml. *)
let camlp4 ?(default = A "camlp4o") tag i o env build =
  let ml = env i and pp_ml = env o in
  let tags = tags_of_pathname ml ++ "ocaml" ++ "pp" ++ tag in
  ignore (Ocamlbuild_pack__rule.build_deps_of_tags build tags);
  let pp = match Command.reduce (Ocamlbuild_pack__flags.of_tags tags) with N -> default | pp -> pp in
  Cmd (S [ pp; P ml; A "-printer"; A "o"; A "-o"; Px pp_ml ])
