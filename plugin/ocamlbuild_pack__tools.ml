(* Ocamlbuild_pack.Tools: the tags of a path, as caravan computes them
   (the _tags files, the command line and the plugin's own tag_file and
   tag_any calls so far, with file: and extension: tags). *)

module Wire = Caravan_wire

let tags_of_pathname p =
  Ocamlbuild_pack__tags.of_list (Wire.to_atoms (Wire.request "tags-of" [ Wire.Atom p ]))
