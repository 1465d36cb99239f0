(* Ocamlbuild_pack.Param_tags: parametrised tags, "name(param)". *)

let make name param = name ^ "(" ^ param ^ ")"

let split tag =
  match String.index tag '(' with
  | i when String.length tag > i + 1 && tag.[String.length tag - 1] = ')' ->
      Some (String.sub tag 0 i, String.sub tag (i + 1) (String.length tag - i - 2))
  | _ -> None
  | exception Not_found -> None

(* ocamlbuild's registry of parametrised tags, for plugins that use it
   directly: [declare name f] calls [f param] for each [name(param)]
   acknowledged. caravan acknowledges the tags of the configuration
   itself (and evaluates the plugin's pflag functions on request); this
   registry only sees what the plugin acknowledges. *)

let declared : (string, string -> unit) Hashtbl.t = Hashtbl.create 17
let applied : (string, unit) Hashtbl.t = Hashtbl.create 17

let acknowledge_tag tag =
  match split tag with
  | Some (name, param) ->
      Hashtbl.replace applied tag ();
      List.iter (fun f -> f param) (Hashtbl.find_all declared name)
  | None -> ()

let declare name f =
  Hashtbl.add declared name f;
  Hashtbl.iter
    (fun tag () -> match split tag with Some (n, param) when n = name -> f param | _ -> ())
    applied

let acknowledge _source _location tag = acknowledge_tag tag
let init () = ()
let partial_init ?quiet:_ _source tags = Ocamlbuild_pack__tags.iter acknowledge_tag tags
let is_applied tag = Hashtbl.mem applied tag
