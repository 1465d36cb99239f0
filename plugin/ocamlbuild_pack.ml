(* Ocamlbuild_pack: caravan's version of ocamlbuild's packed internal
   library, limited to the modules plugins use (the engine's internals,
   Main, Plugin, Report, Fda, Hygiene, Slurp, Glob..., are left out).
   Each module lives in a file of its own (ocamlbuild_pack__<name>.ml);
   this file only names them, so that plugin code can write
   Ocamlbuild_pack.My_unix and so on. *)

module My_std = Ocamlbuild_pack__my_std
module Loc = Ocamlbuild_pack__loc
module Glob = Ocamlbuild_pack__glob
module Slurp = Ocamlbuild_pack__slurp
module Log = Ocamlbuild_pack__log
module Tags = Ocamlbuild_pack__tags
module Shell = Ocamlbuild_pack__shell
module My_unix = Ocamlbuild_pack__my_unix
module Lexers = Ocamlbuild_pack__lexers
module Command = Ocamlbuild_pack__command
module Options = Ocamlbuild_pack__options
module Pathname = Ocamlbuild_pack__pathname
module Param_tags = Ocamlbuild_pack__param_tags
module Flags = Ocamlbuild_pack__flags
module Configuration = Ocamlbuild_pack__configuration
module Tools = Ocamlbuild_pack__tools
module Ocaml_utils = Ocamlbuild_pack__ocaml_utils
module Ocaml_compiler = Ocamlbuild_pack__ocaml_compiler
module Rule = Ocamlbuild_pack__rule
module Findlib = Ocamlbuild_pack__findlib
module Ocaml_arch = Ocamlbuild_pack__arch
module Hooks = Ocamlbuild_pack__hooks
module Ocaml_tools = Ocamlbuild_pack__ocaml_tools
module Resource = Ocamlbuild_pack__resource
module Solver = Ocamlbuild_pack__solver
module Exit_codes = Ocamlbuild_pack__exit_codes
module Ocamlbuild_where = Ocamlbuild_pack__ocamlbuild_where

module Const = struct
  module Source = struct
    let file = "file"
    let command_line = "command-line"
    let path = "path"
    let ocamldep = "ocamldep"
    let ocamlfind_query = "ocamlfind query"
    let target_pattern = "target pattern"
    let builtin = "builtin configuration"
    let configuration = "configuration"
    let plugin_tag = "plugin tag"
  end
end
