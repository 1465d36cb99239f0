(* Ocamlbuild_pack.Tags: sets of tags (strings), as in ocamlbuild's TAGS
   signature. [does_match x y] says that [y] is a subset of [x]. As in
   ocamlbuild, parametrised tags ("name(param)") come first, then the
   others in string order. *)

include Set.Make (struct
  type t = string

  let parametrised s = s <> "" && s.[String.length s - 1] = ')'

  let compare a b =
    match (parametrised a, parametrised b) with
    | true, false -> -1
    | false, true -> 1
    | _ -> String.compare a b
end)

let of_list l = List.fold_left (fun s x -> add x s) empty l

let print f s =
  Format.fprintf f "@[<hv0>";
  List.iteri (fun i x -> if i > 0 then Format.fprintf f ",@ "; Format.pp_print_string f x) (elements s);
  Format.fprintf f "@]"

let does_match x y = subset y x

module Operators = struct
  let ( ++ ) tags tag = add tag tags
  let ( -- ) tags tag = remove tag tags
  let ( +++ ) tags = function Some tag -> add tag tags | None -> tags
  let ( --- ) tags = function Some tag -> remove tag tags | None -> tags
end
