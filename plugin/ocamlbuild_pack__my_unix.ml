(* Ocamlbuild_pack.My_unix: running a shell command and reading its
   output, the part of ocamlbuild's My_unix that plugins call. *)

let run_and_open s kont =
  let ic = Unix.open_process_in s in
  let res =
    try kont ic
    with e ->
      ignore (Unix.close_process_in ic);
      raise e
  in
  match Unix.close_process_in ic with
  | Unix.WEXITED 0 -> res
  | Unix.WEXITED _ | Unix.WSIGNALED _ | Unix.WSTOPPED _ ->
      failwith (Printf.sprintf "Error while running: %s" s)

let run_and_read s =
  run_and_open s (fun ic ->
      let b = Buffer.create 1024 in
      (try
         while true do
           Buffer.add_channel b ic 1
         done
       with End_of_file -> ());
      Buffer.contents b)

type file_kind = FK_dir | FK_file | FK_link | FK_other
type stats = { stat_file_kind : file_kind; stat_key : string }

let stat_of kind_of f =
  let st = kind_of f in
  let kind =
    match st.Unix.st_kind with
    | Unix.S_DIR -> FK_dir
    | Unix.S_REG -> FK_file
    | Unix.S_LNK -> FK_link
    | _ -> FK_other
  in
  { stat_file_kind = kind; stat_key = Printf.sprintf "(%d,%d)" st.Unix.st_dev st.Unix.st_ino }

let stat f = try stat_of Unix.stat f with Unix.Unix_error (e, _, _) -> raise (Sys_error (f ^ ": " ^ Unix.error_message e))
let lstat f = try stat_of Unix.lstat f with Unix.Unix_error (e, _, _) -> raise (Sys_error (f ^ ": " ^ Unix.error_message e))
let is_degraded = lazy false
