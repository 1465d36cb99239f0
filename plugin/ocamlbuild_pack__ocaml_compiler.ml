(* Ocamlbuild_pack.Ocaml_compiler: the part plugins use — packs whose
   contents must not be replaced by the pack at link time. *)

let hidden_packages = ref []

let hide_package_contents package =
  hidden_packages := package :: !hidden_packages;
  Caravan_wire.send (Caravan_wire.atoms [ "hide-package-contents"; package ])
