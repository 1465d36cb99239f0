(* Ocamlbuild_pack.Tools: the tags of a path, as caravan computes them
   (the _tags files, the command line and the plugin's own tag_file and
   tag_any calls so far, with file: and extension: tags). *)

module Wire = Caravan_wire

let tags_of_pathname p =
  Ocamlbuild_pack__tags.of_list (Wire.to_atoms (Wire.request "tags-of" [ Wire.Atom p ]))

(* The places a target named on the command line may be: a bare name is
   looked for in each include directory of the root; a relative path with
   a folder stays as it is, the folder becoming its own context. *)
let path_and_context_of_string s =
  if Filename.is_implicit s then
    let dir = Filename.dirname s in
    if dir <> Filename.current_dir_name then begin
      Ocamlbuild_pack__pathname.define_context dir [ dir ];
      [ s ]
    end
    else
      List.map
        (fun d -> Ocamlbuild_pack__pathname.concat d (Filename.basename s))
        (Ocamlbuild_pack__pathname.include_dirs_of dir)
  else [ s ]

let pp_l f l = Ocamlbuild_pack__my_std.List.print Ocamlbuild_pack__my_std.String.print f l
