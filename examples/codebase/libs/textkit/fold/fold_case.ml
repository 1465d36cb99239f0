(* Private to textkit: its folder shares the library's namespace
   (shared_namespace_dir in build_rules.ml), so Words sees it, but only the
   main folder is given to the library's users. *)

let fold word = String.lowercase_ascii word
