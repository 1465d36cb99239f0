(* Ocamlbuild_pack.Glob: the type of the patterns of _tags lines and of
   "%(name:pattern)" variables, which Lexers' values mention. caravan
   matches patterns itself; here a pattern is its text. *)

type globber = string
