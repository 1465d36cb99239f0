(* Ocamlbuild_pack.Param_tags: parametrised tags, "name(param)". *)

let make name param = name ^ "(" ^ param ^ ")"

let split tag =
  match String.index tag '(' with
  | i when String.length tag > i + 1 && tag.[String.length tag - 1] = ')' ->
      Some (String.sub tag 0 i, String.sub tag (i + 1) (String.length tag - i - 2))
  | _ -> None
  | exception Not_found -> None
