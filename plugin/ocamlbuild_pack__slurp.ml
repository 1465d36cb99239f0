(* Ocamlbuild_pack.Slurp: the type of ocamlbuild's snapshot of the source
   tree, which some API values mention (Options.entry,
   Resource.clean_up_links). caravan reads the tree itself and hands no
   snapshot to plugins. *)

type 'a entry =
  | Dir of string * string * Ocamlbuild_pack__my_unix.stats Lazy.t * 'a * 'a entry list Lazy.t
  | File of string * string * Ocamlbuild_pack__my_unix.stats Lazy.t * 'a
  | Error of exn
  | Nothing
