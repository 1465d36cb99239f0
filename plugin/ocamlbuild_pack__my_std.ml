(* Ocamlbuild_pack.My_std: the utilities Ocamlbuild_plugin re-exports
   (its MISC signature, and the extended String, List, StringSet and
   Outcome modules), with the behaviour documented in ocamlbuild's
   signatures.mli. *)

module Outcome = struct
  type ('a, 'b) t = Good of 'a | Bad of 'b

  let wrap f x = try Good (f x) with e -> Bad e
  let ignore_good = function Good _ -> () | Bad e -> raise e
  let good = function Good x -> x | Bad e -> raise e
end

module String = struct
  include String

  let print f s = Format.fprintf f "%S" s

  let chomp s =
    let n = length s in
    if n > 0 && s.[n - 1] = '\n' then
      if n > 1 && s.[n - 2] = '\r' then sub s 0 (n - 2) else sub s 0 (n - 1)
    else s

  let before s n = sub s 0 n
  let after s n = sub s n (length s - n)
  let first_chars s n = sub s 0 n
  let last_chars s n = sub s (length s - n) n

  let eq_sub_strings s1 p1 s2 p2 len =
    p1 + len <= length s1
    && p2 + len <= length s2
    &&
    let rec go i = i >= len || (s1.[p1 + i] = s2.[p2 + i] && go (i + 1)) in
    go 0

  let is_prefix u v = length u <= length v && eq_sub_strings u 0 v 0 (length u)

  let is_suffix u v =
    length v <= length u && eq_sub_strings u (length u - length v) v 0 (length v)

  let contains_string s1 p1 s2 =
    let n1 = length s1 and n2 = length s2 in
    let rec go i =
      if i + n2 > n1 then None else if eq_sub_strings s1 i s2 0 n2 then Some i else go (i + 1)
    in
    go p1

  let subst patt repl text =
    let np = length patt in
    if np = 0 then text
    else begin
      let b = Buffer.create (length text) in
      let rec go i =
        if i >= length text then ()
        else if eq_sub_strings text i patt 0 np then begin
          Buffer.add_string b repl;
          go (i + np)
        end
        else begin
          Buffer.add_char b text.[i];
          go (i + 1)
        end
      in
      go 0;
      Buffer.contents b
    end

  let tr patt repl text = map (fun c -> if c = patt then repl else c) text
  let rev s = init (length s) (fun i -> s.[length s - 1 - i])
  let implode l = init (List.length l) (List.nth l)
  let explode s = List.init (length s) (get s)
end

module List = struct
  include List

  let print pp f l =
    Format.fprintf f "@[<2>[@ ";
    List.iteri (fun i x -> if i > 0 then Format.fprintf f ";@ "; pp f x) l;
    Format.fprintf f "@ ]@]"

  let filter_opt f l = List.filter_map f l

  let union a b =
    List.fold_left (fun acc x -> if List.mem x acc then acc else acc @ [ x ]) b a

  let ordered_unique l =
    List.rev (List.fold_left (fun acc x -> if List.mem x acc then acc else x :: acc) [] l)

  let index_of x l =
    let rec go i = function [] -> None | y :: ys -> if x = y then Some i else go (i + 1) ys in
    go 0 l

  let split_at n l =
    let rec go n acc l =
      if n <= 0 then (List.rev acc, l)
      else match l with [] -> (List.rev acc, []) | x :: xs -> go (n - 1) (x :: acc) xs
    in
    go n [] l
end

(* ocamlbuild's sets: the standard ones, with [find_elt] (the element
   satisfying a predicate, [Not_found] if none) and a printer. *)
module Set = struct
  module type OrderedTypePrintable = sig
    type t

    val compare : t -> t -> int
    val print : Format.formatter -> t -> unit
  end

  module type S = sig
    include Stdlib.Set.S

    val find_elt : (elt -> bool) -> t -> elt
    val print : Format.formatter -> t -> unit
  end

  module Make (M : OrderedTypePrintable) : S with type elt = M.t = struct
    include Stdlib.Set.Make (M)

    let find_elt p s = choose (filter p s)

    let print f s =
      Format.fprintf f "@[<hv0>@[<hv2>{.";
      let first = ref true in
      iter
        (fun x ->
          if !first then first := false else Format.fprintf f ",";
          Format.fprintf f "@ %a" M.print x)
        s;
      Format.fprintf f "@]@ .}@]"
  end
end

module StringSet = Set.Make (String)
module Digest = Digest

let opt_print pp f = function
  | None -> Format.pp_print_string f "None"
  | Some x -> Format.fprintf f "Some(%a)" pp x

let the = function Some x -> x | None -> invalid_arg "the: expect Some not None"

let getenv ?default var =
  match Sys.getenv_opt var, default with
  | Some v, _ -> v
  | None, Some d -> d
  | None, None -> failwith (Printf.sprintf "This command must have %S in his environment" var)

let with_input_file ?(bin = false) f k =
  let ic = if bin then open_in_bin f else open_in f in
  Fun.protect ~finally:(fun () -> close_in_noerr ic) (fun () -> k ic)

let with_output_file ?(bin = false) f k =
  let oc = if bin then open_out_bin f else open_out f in
  Fun.protect ~finally:(fun () -> close_out_noerr oc) (fun () -> k oc)

let with_temp_file pre suf k =
  let f = Filename.temp_file pre suf in
  Fun.protect ~finally:(fun () -> try Sys.remove f with Sys_error _ -> ()) (fun () -> k f)

let read_file f =
  with_input_file ~bin:true f (fun ic -> really_input_string ic (in_channel_length ic))

let copy_chan ic oc =
  let buf = Bytes.create 65536 in
  let rec go () =
    let n = input ic buf 0 (Bytes.length buf) in
    if n > 0 then begin
      output oc buf 0 n;
      go ()
    end
  in
  go ()

let copy_file src dst =
  with_input_file ~bin:true src (fun ic -> with_output_file ~bin:true dst (fun oc -> copy_chan ic oc))

let print_string_list = List.print String.print
let ( !* ) = Lazy.force
let ( & ) f x = f x
let ( |> ) x f = f x
let ( @:= ) r l = r := !r @ l

let memo f =
  let t = Hashtbl.create 17 in
  fun x ->
    match Hashtbl.find_opt t x with
    | Some v -> v
    | None ->
        let v = f x in
        Hashtbl.replace t x v;
        v

let memo2 f =
  let t = Hashtbl.create 17 in
  fun x y ->
    match Hashtbl.find_opt t (x, y) with
    | Some v -> v
    | None ->
        let v = f x y in
        Hashtbl.replace t (x, y) v;
        v

let memo3 f =
  let t = Hashtbl.create 17 in
  fun x y z ->
    match Hashtbl.find_opt t (x, y, z) with
    | Some v -> v
    | None ->
        let v = f x y z in
        Hashtbl.replace t (x, y, z) v;
        v

(* ocamlbuild's path concatenation: the current directory disappears. *)
let filename_concat x y =
  if x = Filename.current_dir_name || x = "" then y
  else if x.[String.length x - 1] = '/' then if y = "" then x else x ^ y
  else x ^ "/" ^ y

exception Exit_OK
exception Exit_usage of string
exception Exit_system_error of string
exception Exit_with_code of int
exception Exit_silently_with_code of int

(* The rest of ocamlbuild's MISC utilities. *)

let ksbprintf k fmt =
  let b = Buffer.create 128 in
  let f = Format.formatter_of_buffer b in
  Format.kfprintf
    (fun f ->
      Format.pp_print_flush f ();
      k (Buffer.contents b))
    f fmt

let sbprintf fmt = ksbprintf (fun s -> s) fmt
let invalid_arg' fmt = ksbprintf invalid_arg fmt

(* ocamlbuild caches directory listings; caravan's plugin reads the file
   system directly, so the cache resets have nothing to forget. *)
let sys_readdir d = Outcome.wrap Sys.readdir d
let reset_readdir_cache () = ()
let reset_filesys_cache () = ()
let reset_filesys_cache_for_file (_ : string) = ()
let sys_remove f = Sys.remove f

(* Whether [f] exists with this exact name (case included, as ocamlbuild
   checks it against the directory listing). *)
let sys_file_exists f =
  let dir = Filename.dirname f and base = Filename.basename f in
  if base = Filename.current_dir_name || base = Filename.parent_dir_name || base = "/" then Sys.file_exists f
  else
    match Sys.readdir dir with
    | entries -> Array.mem base entries
    | exception Sys_error _ -> false

let sys_command cmd = if cmd = "" then 0 else Sys.command cmd

let set_lexbuf_fname fname lexbuf =
  let open Lexing in
  lexbuf.lex_start_p <- { lexbuf.lex_start_p with pos_fname = fname };
  lexbuf.lex_curr_p <- { lexbuf.lex_curr_p with pos_fname = fname }

let lexbuf_of_string ?name content =
  let lexbuf = Lexing.from_string content in
  let fname = match name with Some n -> n | None -> "" in
  set_lexbuf_fname fname lexbuf;
  lexbuf

(* The version of the compiler running the plugin, as (major, minor,
   patch, rest): "4.14.1+flambda" gives (4, 14, 1, "+flambda"). *)
let split_ocaml_version =
  let version = Sys.ocaml_version in
  let digits i =
    let j = ref i in
    while !j < String.length version && version.[!j] >= '0' && version.[!j] <= '9' do incr j done;
    if !j = i then None else Some (int_of_string (String.sub version i (!j - i)), !j)
  in
  match digits 0 with
  | Some (major, i) when i < String.length version && version.[i] = '.' -> (
      match digits (i + 1) with
      | Some (minor, j) when j < String.length version && version.[j] = '.' -> (
          match digits (j + 1) with
          | Some (patch, k) -> Some (major, minor, patch, String.sub version k (String.length version - k))
          | None -> None)
      | _ -> None)
  | _ -> None
