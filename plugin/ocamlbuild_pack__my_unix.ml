(* Ocamlbuild_pack.My_unix: running shell commands (and reading their
   output), file kinds and links, as ocamlbuild's My_unix; its [implem]
   record holds these functions, as ocamlbuild's does. *)

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

(* The rest of ocamlbuild's My_unix. *)

type implem = {
  mutable is_degraded : bool;
  mutable is_link : string -> bool;
  mutable run_and_open : 'a. string -> (in_channel -> 'a) -> 'a;
  mutable readlink : string -> string;
  mutable execute_many :
    ?max_jobs:int ->
    ?ticker:(unit -> unit) ->
    ?period:float ->
    ?display:((out_channel -> unit) -> unit) ->
    (unit -> string) list list ->
    (bool list * exn) option;
  mutable report_error : Format.formatter -> exn -> unit;
  mutable at_exit_once : (unit -> unit) -> unit;
  mutable gettimeofday : unit -> float;
  mutable stdout_isatty : unit -> bool;
  mutable stat : string -> stats;
  mutable lstat : string -> stats;
}

let is_link s = try (Unix.lstat s).Unix.st_kind = Unix.S_LNK with Unix.Unix_error _ -> false
let readlink = Unix.readlink

(* Runs each sequence of commands in order (the commands of a sequence are
   thunks giving shell text), stopping a sequence at its first failure;
   returns the per-sequence results and the error when one failed. *)
let execute_many ?max_jobs:_ ?ticker:_ ?period:_ ?display:_ seqs =
  let run_seq seq =
    List.for_all
      (fun cmd ->
        let text = cmd () in
        Sys.command text = 0)
      seq
  in
  let results = List.map run_seq seqs in
  if List.for_all (fun x -> x) results then None
  else Some (results, Failure "Command failed")

let report_error f = function
  | Unix.Unix_error (err, fn, arg) ->
      Format.fprintf f "%s: %S failed%s" fn (Unix.error_message err) (if arg = "" then "" else ": " ^ arg)
  | e -> Format.pp_print_string f (Printexc.to_string e)

let at_exit_once f =
  let pid = Unix.getpid () in
  at_exit (fun () -> if Unix.getpid () = pid then f ())

let gettimeofday = Unix.gettimeofday
let stdout_isatty () = Unix.isatty Unix.stdout

let implem =
  {
    is_degraded = false;
    is_link;
    run_and_open;
    readlink;
    execute_many;
    report_error;
    at_exit_once;
    gettimeofday;
    stdout_isatty;
    stat;
    lstat;
  }
