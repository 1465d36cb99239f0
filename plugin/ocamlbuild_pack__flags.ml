(* Ocamlbuild_pack.Flags: flag declarations ([flag], [pflag],
   [flag_and_dep], [mark_tag_used]). caravan keeps the flag table; a
   parametrised flag's function stays here, and caravan asks for its value
   for each parameter it finds in the tags. *)

module Command = Ocamlbuild_pack__command
module Wire = Caravan_wire
module Declare = Ocamlbuild_pack__declare

(* The tags the plugin's declarations mention, for [get_used_tags]. *)
let used = ref Ocamlbuild_pack__tags.empty
let note tags = used := Ocamlbuild_pack__tags.union !used (Ocamlbuild_pack__tags.of_list tags)

(* The tags that the plugin's flag declarations and [mark_tag_used] calls
   name (caravan adds its built-in ones when it checks the tags). *)
let get_used_tags () = !used

let flag ?(deprecated = false) tags spec =
  note tags;
  Declare.send (if deprecated then "deprecated-flag" else "flag") [ Wire.atoms tags; Command.encode_spec spec ]

let pflag_closures : (int, string -> Command.spec) Hashtbl.t = Hashtbl.create 8

let pflag tags ptag ?doc_param f =
  let id = Declare.fresh_id () in
  note tags;
  Hashtbl.replace pflag_closures id f;
  Declare.send "pflag"
    [ Wire.atoms tags; Wire.Atom ptag; Wire.Atom (string_of_int id); Wire.atoms (Option.to_list doc_param) ]

let paths_of spec = Command.fold_pathnames (fun p ps -> p :: ps) (Command.Cmd spec) []

let flag_and_dep tags spec =
  flag tags spec;
  Command.dep tags (paths_of spec)

let pflag_and_dep tags ptag ?doc_param f =
  pflag tags ptag ?doc_param f;
  Command.pdep tags ptag (fun param -> paths_of (f param))

let mark_tag_used tag =
  note [ tag ];
  Wire.send (Wire.List [ Wire.Atom "mark-tag-used"; Wire.Atom tag ])
let of_tags = Command.flags_of_tags

let of_tag_list tags = of_tags (Ocamlbuild_pack__tags.of_list tags)
let add x xs = x :: xs
let remove x xs = List.filter (fun y -> y <> x) xs

(* caravan prints the flags with -documentation. *)
let show_documentation () = ()
