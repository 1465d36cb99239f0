(* Ocamlbuild_pack.Ocamlbuild_where: ocamlbuild's installation
   directories, which plugins read (and OASIS-generated ones set): the
   binaries' folder and the library's, here those of the OCaml
   installation whose compiler built the plugin ("<stdlib>/ocamlbuild", as
   ocamlbuild is installed). *)

let bindir = ref Caravan_where.bindir
let libdir = ref (Filename.concat Caravan_where.stdlib "ocamlbuild")
