(* Ocamlbuild_pack.Shell: file-system helpers and ocamlbuild's quoting of
   command words: words made of [A-Za-z0-9./_:@+,-] stay bare, others are
   quoted for sh. *)

let is_simple_filename s =
  s <> ""
  && String.for_all
       (function
         | 'a' .. 'z' | 'A' .. 'Z' | '0' .. '9' | '.' | '/' | '_' | ':' | '@' | '+' | ',' | '-' -> true
         | _ -> false)
       s

let quote_filename_if_needed s = if is_simple_filename s then s else Filename.quote s

let run args target =
  let cmd = String.concat " " (List.map quote_filename_if_needed args) in
  if Sys.command cmd <> 0 then
    failwith (Printf.sprintf "Error during command `%s' (for %s)" cmd target)

let chdir dir = Sys.chdir dir

let rec mkdir_p dir =
  if dir = "" || dir = "." || dir = "/" || Sys.file_exists dir then ()
  else begin
    mkdir_p (Filename.dirname dir);
    try Unix.mkdir dir 0o755 with Unix.Unix_error (Unix.EEXIST, _, _) -> ()
  end

let is_link s = try (Unix.lstat s).Unix.st_kind = Unix.S_LNK with Unix.Unix_error _ -> false
let readlink = Unix.readlink
let rm x = Sys.remove x
let rm_f x = try Sys.remove x with Sys_error _ -> ()
let rm_rf x = run [ "rm"; "-Rf"; x ] x
let mv src dst = run [ "mv"; src; dst ] dst
let cp src dst = Ocamlbuild_pack__my_std.copy_file src dst
let cp_pf src dst = run [ "cp"; "-pf"; src; dst ] dst

let mkdir dir = Unix.mkdir dir 0o755
let try_mkdir dir = if not (Sys.file_exists dir) then mkdir dir
