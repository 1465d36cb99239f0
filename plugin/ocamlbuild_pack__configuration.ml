(* Ocamlbuild_pack.Configuration: [tag_file] and [tag_any], lines added
   to the tag configuration after the _tags files (before them when made
   before the tree is read, as in ocamlbuild). *)

module Wire = Caravan_wire

let tag_file path tags = if tags <> [] then Ocamlbuild_pack__declare.send "tag-file" [ Wire.Atom path; Wire.atoms tags ]
let tag_any tags = if tags <> [] then Ocamlbuild_pack__declare.send "tag-any" [ Wire.atoms tags ]
