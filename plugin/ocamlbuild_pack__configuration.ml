(* Ocamlbuild_pack.Configuration: [tag_file], [tag_any] and
   [parse_string]/[parse_file], lines added to the tag configuration after
   the _tags files (before them when made before the tree is read, as in
   ocamlbuild), and the tags caravan gives a path. *)

module Wire = Caravan_wire

let tag_file path tags = if tags <> [] then Ocamlbuild_pack__declare.send "tag-file" [ Wire.Atom path; Wire.atoms tags ]
let tag_any tags = if tags <> [] then Ocamlbuild_pack__declare.send "tag-any" [ Wire.atoms tags ]

(* Lines in the _tags syntax, added after the _tags files (patterns
   relative to the root). *)
let parse_string ?source:_ text = Ocamlbuild_pack__declare.send "tag-lines" [ Wire.Atom text ]

(* A file in the _tags syntax; with [~dir], its patterns are taken
   relative to that folder, as a _tags file there would be. *)
let parse_file ?dir file =
  let text = Ocamlbuild_pack__my_std.read_file file in
  match dir with
  | None | Some "" | Some "." -> parse_string text
  | Some d ->
      let lines = String.split_on_char '\n' text in
      let prefixed =
        List.map
          (fun line ->
            let t = String.trim line in
            if t = "" || t.[0] = '#' then line
            else
              match String.index_opt t ':' with
              | Some i when String.length t > 2 && t.[0] = '<' && t.[i - 1] = '>' ->
                  "<" ^ d ^ "/" ^ String.sub t 1 (String.length t - 1)
              | Some i when String.length t > 2 && t.[0] = '"' && t.[i - 1] = '"' ->
                  "\"" ^ d ^ "/" ^ String.sub t 1 (String.length t - 1)
              | _ -> line)
          lines
      in
      parse_string (String.concat "\n" prefixed)

let tags_of_filename file = Ocamlbuild_pack__tools.tags_of_pathname file

(* The tags every file has (the "true:" lines and the command line's). *)
let global_tags () = Ocamlbuild_pack__tools.tags_of_pathname ""
let has_tag tag = Ocamlbuild_pack__tags.mem tag (global_tags ())

(* caravan checks the use of tags itself and warns as ocamlbuild does. *)
let check_tags_usage (_ : Ocamlbuild_pack__tags.t) = ()
