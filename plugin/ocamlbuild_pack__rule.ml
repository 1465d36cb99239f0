(* Ocamlbuild_pack.Rule: rule declarations. The rule's action (an OCaml
   closure) stays here; caravan asks for it to be run with the bindings of
   a target, answers its [build] calls, and runs the command it returns. *)

open Ocamlbuild_pack__my_std
module Command = Ocamlbuild_pack__command
module Wire = Caravan_wire

type env = string -> string
type builder = string list list -> (string, exn) Outcome.t list
type action = env -> builder -> Command.t

let actions : (string, action) Hashtbl.t = Hashtbl.create 17

let rule name ?tags:_ ?(prods = []) ?(deps = []) ?prod ?dep ?stamp ?(insert = `bottom) ?doc action =
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
