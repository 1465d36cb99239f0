(* Ocamlbuild_pack.Pathname: ocamlbuild's path functions (its PATHNAME
   signature). Include directories of a directory come from the options
   and from [define_context], which is also declared to caravan so that
   module lookup and -I flags follow it. *)

open Ocamlbuild_pack__my_std

type t = string

include Filename

let concat = filename_concat
let compare (x : t) y = compare x y
let equal x y = x = y
let print = Format.pp_print_string
let mk s = s
let to_string x = x
let pwd = Sys.getcwd ()
let add_extension ext x = x ^ "." ^ ext

let check_extension x ext =
  let lx = String.length x and lext = String.length ext in
  lx > lext + 1 && x.[lx - lext - 1] = '.' && String.is_suffix x ext

module Operators = struct
  let ( / ) = concat
  let ( -.- ) file ext = add_extension ext file
end

open Operators

let exists = Sys.file_exists
let is_link = Ocamlbuild_pack__shell.is_link
let readlink = Ocamlbuild_pack__shell.readlink
let is_directory x = try Sys.is_directory x with Sys_error _ -> false
let readdir x = Sys.readdir x
let parent x = concat parent_dir_name x

(* [is_prefix x y] is [x] a pathname prefix of [y] *)
let is_prefix x y =
  let lx = String.length x and ly = String.length y in
  if lx = ly then x = y else lx < ly && x = String.before y lx && y.[lx] = '/'

let remove_extension x = try chop_extension x with Invalid_argument _ -> x

let get_extension x =
  match String.rindex x '.' with pos -> String.after x (pos + 1) | exception Not_found -> ""

let update_extension ext x = add_extension ext (chop_extension x)

let chop_extensions x =
  let dir = dirname x and base = basename x in
  match String.index base '.' with
  | pos -> dir / String.before base pos
  | exception Not_found -> invalid_arg "chop_extensions: no extensions"

let remove_extensions x = try chop_extensions x with Invalid_argument _ -> x

let get_extensions x =
  let base = basename x in
  match String.index base '.' with pos -> String.after base (pos + 1) | exception Not_found -> ""

let update_extensions ext x = add_extension ext (chop_extensions x)
let copy = Ocamlbuild_pack__shell.cp
let read = read_file
let same_contents x y = Digest.file x = Digest.file y
let print_path_list = List.print print

let rec normalize_list = function
  | [] -> []
  | "." :: xs -> normalize_list xs
  | ".." :: _ -> failwith "Pathname.normalize_list: .. is forbidden here"
  | _ :: ".." :: xs -> normalize_list xs
  | x :: xs -> x :: normalize_list xs

let normalize x =
  let parts = String.split_on_char '/' x in
  let absolute = String.length x > 0 && x.[0] = '/' in
  let parts = normalize_list (List.filter (fun p -> p <> "") parts) in
  let s = String.concat "/" parts in
  if absolute then "/" ^ s else if s = "" then "." else s

let context_table : (string, string list) Hashtbl.t = Hashtbl.create 17

let include_dirs_of dir =
  try Hashtbl.find context_table dir
  with Not_found -> dir :: List.filter (fun d -> d <> dir) !Ocamlbuild_pack__options.include_dirs

let define_context dir context =
  let dir = if dir = "" then current_dir_name else dir in
  let dirs = List.union context (include_dirs_of dir) in
  Hashtbl.replace context_table dir dirs;
  Ocamlbuild_pack__declare.send "define-context" [ Caravan_wire.Atom dir; Caravan_wire.atoms dirs ]

(* Whether [p] is a symbolic link into [dir]. *)
let link_to_dir p dir = is_link p && is_prefix dir (readlink p)
