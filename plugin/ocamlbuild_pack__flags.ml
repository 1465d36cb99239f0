(* Ocamlbuild_pack.Flags: flag declarations ([flag], [pflag],
   [flag_and_dep], [mark_tag_used]). caravan keeps the flag table; a
   parametrised flag's function stays here, and caravan asks for its value
   for each parameter it finds in the tags. *)

module Command = Ocamlbuild_pack__command
module Wire = Caravan_wire
module Declare = Ocamlbuild_pack__declare

let flag ?(deprecated = false) tags spec =
  Declare.send (if deprecated then "deprecated-flag" else "flag") [ Wire.atoms tags; Command.encode_spec spec ]

let pflag_closures : (int, string -> Command.spec) Hashtbl.t = Hashtbl.create 8

let pflag ?doc_param tags ptag f =
  let id = Declare.fresh_id () in
  Hashtbl.replace pflag_closures id f;
  Declare.send "pflag"
    [ Wire.atoms tags; Wire.Atom ptag; Wire.Atom (string_of_int id); Wire.atoms (Option.to_list doc_param) ]

let paths_of spec = Command.fold_pathnames (fun p ps -> p :: ps) (Command.Cmd spec) []

let flag_and_dep tags spec =
  flag tags spec;
  Command.dep tags (paths_of spec)

let pflag_and_dep ?doc_param tags ptag f =
  pflag ?doc_param tags ptag f;
  Command.pdep tags ptag (fun param -> paths_of (f param))

let mark_tag_used tag = Wire.send (Wire.List [ Wire.Atom "mark-tag-used"; Wire.Atom tag ])
let of_tags = Command.flags_of_tags
