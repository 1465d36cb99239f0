(* Ocamlbuild_plugin: the API that myocamlbuild.ml files open, with the
   values and types of ocamlbuild's PLUGIN signature (signatures.mli). *)

include Ocamlbuild_pack.My_std
module Arch = Ocamlbuild_pack.Ocaml_arch
module Command = Ocamlbuild_pack.Command
module Pathname = Ocamlbuild_pack.Pathname
module Tags = Ocamlbuild_pack.Tags
include Pathname.Operators
include Tags.Operators
module Options = Ocamlbuild_pack.Options
module Findlib = Ocamlbuild_pack.Findlib

type command = Command.t = Seq of command list | Cmd of spec | Echo of string list * string | Nop

and spec = Command.spec =
  | N
  | S of spec list
  | A of string
  | P of string
  | Px of string
  | Sh of string
  | T of Tags.t
  | V of string
  | Quote of spec

include Ocamlbuild_pack.Rule.Common_commands

type env = Pathname.t -> Pathname.t
type builder = Pathname.t list list -> (Pathname.t, exn) Outcome.t list
type action = env -> builder -> Command.t

let rule = Ocamlbuild_pack.Rule.rule
let clear_rules = Ocamlbuild_pack.Rule.clear_rules
let dep = Command.dep
let pdep = Command.pdep
let copy_rule = Ocamlbuild_pack.Rule.copy_rule
let ocaml_lib = Ocamlbuild_pack.Ocaml_utils.ocaml_lib
let flag tags spec = Ocamlbuild_pack.Flags.flag tags spec
let pflag tags ptag f = Ocamlbuild_pack.Flags.pflag tags ptag f
let mark_tag_used = Ocamlbuild_pack.Flags.mark_tag_used
let flag_and_dep = Ocamlbuild_pack.Flags.flag_and_dep
let pflag_and_dep tags ptag f = Ocamlbuild_pack.Flags.pflag_and_dep tags ptag f
let non_dependency = Ocamlbuild_pack.Ocaml_utils.non_dependency
let use_lib = Ocamlbuild_pack.Ocaml_utils.use_lib
let module_name_of_pathname = Ocamlbuild_pack.Ocaml_utils.module_name_of_pathname
let string_list_of_file = Ocamlbuild_pack.Ocaml_utils.string_list_of_file
let expand_module = Ocamlbuild_pack.Ocaml_utils.expand_module
let tags_of_pathname = Ocamlbuild_pack.Tools.tags_of_pathname
let hide_package_contents = Ocamlbuild_pack.Ocaml_compiler.hide_package_contents
let tag_file = Ocamlbuild_pack.Configuration.tag_file
let tag_any = Ocamlbuild_pack.Configuration.tag_any
let run_and_read = Ocamlbuild_pack.My_unix.run_and_read

type hook = Ocamlbuild_pack.Hooks.message =
  | Before_hygiene
  | After_hygiene
  | Before_options
  | After_options
  | Before_rules
  | After_rules

let dispatch = Ocamlbuild_pack.Hooks.setup_hooks
