(* Ocamlbuild_pack.Rule: rule declarations. The rule's action (an OCaml
   closure) stays here; caravan asks for it to be run with the bindings of
   a target, answers its [build] calls, and runs the command it returns.
   The rules are also kept as ocamlbuild's values ([get_rules],
   [can_produce]...), and [builtin] lets Ocaml_compiler's actions ask for
   caravan's built-in rules. *)

open Ocamlbuild_pack__my_std
module Command = Ocamlbuild_pack__command
module Wire = Caravan_wire

type env = string -> string
type builder = string list list -> (string, exn) Outcome.t list
type action = env -> builder -> Command.t

let actions : (string, action) Hashtbl.t = Hashtbl.create 17

(* The rules as ocamlbuild's values, for the plugins that look at them
   ([get_rules], [can_produce]...): products and dependencies are
   patterns in a rule scheme, paths in a rule. *)
type 'a gen_rule = {
  name : string;
  tags : Ocamlbuild_pack__tags.t;
  deps : string list;
  doc : string option;
  prods : 'a list;
  stamp : 'a option;
  code : env -> builder -> Command.t;
}

type rule = string gen_rule
type rule_scheme = Ocamlbuild_pack__resource.resource_pattern gen_rule
type 'a rule_printer = (Format.formatter -> 'a -> unit) -> Format.formatter -> 'a gen_rule -> unit

exception Failed

let schemes : rule_scheme list ref = ref []
let get_rules () = !schemes

let insert_scheme insert r =
  let rec before name = function
    | [] -> [ r ]
    | x :: rest when x.name = name -> r :: x :: rest
    | x :: rest -> x :: before name rest
  in
  let rec after name = function
    | [] -> [ r ]
    | x :: rest when x.name = name -> x :: r :: rest
    | x :: rest -> x :: after name rest
  in
  schemes :=
    match insert with
    | `top -> r :: !schemes
    | `bottom -> !schemes @ [ r ]
    | `before name -> before name !schemes
    | `after name -> after name !schemes

let rule name ?(tags = []) ?(prods = []) ?(deps = []) ?prod ?dep ?stamp ?(insert = `bottom) ?doc action =
  if Hashtbl.mem actions name then failwith (Printf.sprintf "Rule.add_rule: already exists: (%s)" name);
  let add_all xs last =
    let init = match last with Some x -> [ x ] | None -> [] in
    List.fold_right
      (fun x acc ->
        if List.mem x acc then
          failwith (Printf.sprintf "in rule %s, multiple occurrences of the resource %s" name x)
        else x :: acc)
      xs init
  in
  let prods = add_all prods prod and deps = add_all deps dep in
  if prods = [] && stamp = None then failwith "Can't make a rule that produces nothing";
  Hashtbl.replace actions name action;
  (* As in ocamlbuild, a scheme's products include its stamp. *)
  insert_scheme insert
    {
      name;
      tags = Ocamlbuild_pack__tags.of_list tags;
      deps;
      doc;
      prods = prods @ Option.to_list stamp;
      stamp;
      code = action;
    };
  let insert =
    match insert with
    | `top -> Wire.atoms [ "top" ]
    | `bottom -> Wire.atoms [ "bottom" ]
    | `before n -> Wire.atoms [ "before"; n ]
    | `after n -> Wire.atoms [ "after"; n ]
  in
  Ocamlbuild_pack__declare.send "rule"
    [ Wire.Atom name; Wire.atoms prods; Wire.atoms deps;
      Wire.atoms (Option.to_list stamp); insert; Wire.atoms (Option.to_list doc) ]

let clear_rules () =
  Hashtbl.reset actions;
  schemes := [];
  Ocamlbuild_pack__declare.send "clear-rules" []

module Common_commands = struct
  open Command

  let mv src dest = Cmd (S [ A "mv"; P src; Px dest ])
  let cp src dest = Cmd (S [ A "cp"; P src; Px dest ])
  let cp_p src dest = Cmd (S [ A "cp"; A "-p"; P src; Px dest ])
  let ln_f pointed pointer = Cmd (S [ A "ln"; A "-f"; P pointed; Px pointer ])
  let ln_s pointed pointer = Cmd (S [ A "ln"; A "-s"; P pointed; Px pointer ])
  let rm_f x = Cmd (S [ A "rm"; A "-f"; Px x ])
  let chmod opts file = Cmd (S [ A "chmod"; opts; Px file ])
  let cmp a b = Cmd (S [ A "cmp"; P a; Px b ])
end

let copy_rule name ?insert src dest =
  rule name ?insert ~prod:dest ~dep:src
    ~doc:(Printf.sprintf "The rule copies %s into %s." src dest)
    (fun env _ -> Common_commands.cp_p (env src) (env dest))

(* The value of a rule's pattern with the bindings of a target: "%" and
   "%(name)" (or "%(name:pattern)") are replaced by their values. *)
let substitute bindings pattern =
  let b = Buffer.create (String.length pattern) in
  let n = String.length pattern in
  let value name = try List.assoc name bindings with Not_found -> "" in
  let rec go i =
    if i < n then
      if pattern.[i] = '%' && i + 1 < n && pattern.[i + 1] = '(' then begin
        let close = try String.index_from pattern i ')' with Not_found -> n - 1 in
        let inside = String.sub pattern (i + 2) (close - i - 2) in
        let name = match String.index inside ':' with j -> String.sub inside 0 j | exception Not_found -> inside in
        Buffer.add_string b (value name);
        go (close + 1)
      end
      else if pattern.[i] = '%' then begin
        Buffer.add_string b (value "");
        go (i + 1)
      end
      else begin
        Buffer.add_char b pattern.[i];
        go (i + 1)
      end
  in
  go 0;
  Buffer.contents b

let name_of_rule r = r.name
let deps_of_rule r = r.deps
let prods_of_rule r = r.prods
let doc_of_rule r = r.doc

(* Rules are not ordered (as in ocamlbuild, where comparing them fails). *)
let compare (_ : 'a gen_rule) (_ : 'a gen_rule) : int = invalid_arg "Rule.compare"
let print_rule_name f r = Format.pp_print_string f r.name
let print = print_rule_name
let print_strings = List.print Format.pp_print_string

let print_rule_contents ppelt f r =
  Format.fprintf f
    "@[<v2>{@ @[<2>name  =@ %S@];@ @[<2>deps  =@ %a@];@ @[<2>prods = %a@];@ @[<2>code  = <fun>@];@ @[<hov 2> doc = %s@]@]@ }"
    r.name print_strings r.deps (List.print ppelt) r.prods
    (match r.doc with None -> "None" | Some d -> Printf.sprintf "Some %S" d)

let pretty_print ppelt f r =
  Format.fprintf f "@[<hv2>rule %S@ ~deps:%a@ ~prods:%a@ " r.name print_strings r.deps (List.print ppelt) r.prods;
  (match r.doc with None -> () | Some d -> Format.fprintf f "~doc:\"@[<hov>%a@]\"@ " Format.pp_print_text d);
  Format.fprintf f "<fun>@]"

(* A scheme with its patterns replaced by their values in [env]; its name
   shows the bindings. *)
let subst env (r : rule_scheme) : rule =
  let s = Ocamlbuild_pack__resource.subst env in
  {
    r with
    name = Format.asprintf "%s (%a)" r.name Ocamlbuild_pack__resource.print_env env;
    deps = List.map s r.deps;
    prods = List.map s r.prods;
    stamp = Option.map s r.stamp;
  }

(* The scheme applied to [target], when one of its products matches it. *)
let can_produce target (r : rule_scheme) =
  List.find_map
    (fun p -> match Ocamlbuild_pack__resource.matchit p target with Some env -> Some (subst env r) | None -> None)
    r.prods

(* Runs a rule from an action: builds its dependencies with [builder],
   then runs its command. *)
let call builder (r : rule) =
  List.iter Outcome.ignore_good (builder (List.map (fun d -> [ d ]) r.deps));
  Command.execute (r.code (fun x -> x) builder)

(* Builds the files that [dep] declarations attach to [tags]. *)
let build_deps_of_tags builder tags =
  match Command.deps_of_tags tags with
  | [] -> []
  | deps -> List.map Outcome.good (builder (List.map (fun d -> [ d ]) deps))

(* caravan prints the rules with -documentation. *)
let show_documentation () = ()

(* Asks caravan, from a rule's action, to do what its built-in rule of
   [kind] does (the [builtin] question of caravan's protocol): the
   functions of Ocaml_compiler and Ocaml_tools that are rule actions in
   ocamlbuild. When the target is the rule's own, caravan's built-in rule
   makes it in the rule's place, and the action returns [Nop]. *)
let builtin kind args =
  match Wire.current_eval () with
  | None -> failwith "this Ocaml_compiler/Ocaml_tools action can only run as a rule's action"
  | Some eval -> (
      match Wire.request "builtin" [ Wire.Atom eval; Wire.Atom kind; Wire.atoms args ] with
      | Wire.List [ Wire.Atom "ok" ] -> Command.Nop
      | Wire.List [ Wire.Atom "failed"; Wire.Atom message ] -> failwith message
      | v -> Wire.fail_shape "the answer to a builtin question" v)
