(* Ocamlbuild_pack.Tools: the tags of a path, as caravan computes them
   (the _tags files, the command line and the plugin's own tag_file and
   tag_any calls so far, with file: and extension: tags). *)

module Wire = Caravan_wire

let tags_of_pathname p =
  Ocamlbuild_pack__tags.of_list (Wire.to_atoms (Wire.request "tags-of" [ Wire.Atom p ]))

(* The places a path may be found: a relative path names its base name in
   each include directory of its folder; another stays as it is. *)
let path_and_context_of_string s =
  if Filename.is_implicit s then
    let base = Filename.basename s in
    List.map
      (fun dir -> Ocamlbuild_pack__pathname.concat dir base)
      (Ocamlbuild_pack__pathname.include_dirs_of (Filename.dirname s))
  else [ s ]

let pp_l f l =
  Format.fprintf f "@[<hv0>%a@]"
    (Format.pp_print_list ~pp_sep:(fun f () -> Format.fprintf f ",@ ") Format.pp_print_string)
    l
