(* caravan_wire: the plugin's end of caravan's plugin protocol.

   caravan starts the plugin with its standard input and output connected
   to two pipes that carry canonical S-expressions (atoms are written
   "<length>:<bytes>", lists in parentheses); the protocol itself is
   documented in crates/ocaml/src/plugin/protocol.rs. At initialisation,
   before any code of myocamlbuild.ml runs, this module keeps the two pipes
   for itself and gives the plugin's own standard output to its standard
   error (which caravan shows), and /dev/null as standard input.

   Rule actions run in threads of their own, one at a time: a thread holds
   [user_lock] while it runs plugin code and lets it go only while it waits
   for an answer from caravan (the targets an action asked [build] for), so
   plugin code never runs concurrently with other plugin code, yet an action
   waiting for a target does not stop the actions that target needs. *)

type t = Atom of string | List of t list

exception Protocol_error of string

let atom s = Atom s
let atoms l = List (List.map atom l)
let bool b = Atom (if b then "true" else "false")

let rec write buf = function
  | Atom s ->
      Buffer.add_string buf (string_of_int (String.length s));
      Buffer.add_char buf ':';
      Buffer.add_string buf s
  | List l ->
      Buffer.add_char buf '(';
      List.iter (write buf) l;
      Buffer.add_char buf ')'

let to_string v =
  let b = Buffer.create 64 in
  write b v;
  Buffer.contents b

(* Reads one value; raises End_of_file when the pipe is closed. *)
let read ic =
  let rec value c =
    match c with
    | '(' -> List (items [])
    | '0' .. '9' -> length (Char.code c - 48)
    | c -> raise (Protocol_error (Printf.sprintf "unexpected character %C" c))
  and items acc =
    match input_char ic with
    | ')' -> List.rev acc
    | c -> items (value c :: acc)
  and length n =
    match input_char ic with
    | ':' -> Atom (really_input_string ic n)
    | '0' .. '9' as d -> length ((n * 10) + Char.code d - 48)
    | c -> raise (Protocol_error (Printf.sprintf "unexpected character %C in a length" c))
  in
  let rec first () =
    match input_char ic with
    | ' ' | '\n' | '\t' | '\r' -> first ()
    | c -> value c
  in
  first ()

let enabled = Sys.getenv_opt "CARAVAN_PLUGIN_PROTOCOL" = Some "1"

let channels =
  lazy
    (let out_fd = Unix.dup Unix.stdout in
     let in_fd = Unix.dup Unix.stdin in
     Unix.set_close_on_exec out_fd;
     Unix.set_close_on_exec in_fd;
     Unix.dup2 Unix.stderr Unix.stdout;
     (match Unix.openfile "/dev/null" [ Unix.O_RDONLY ] 0 with
      | null ->
          Unix.dup2 null Unix.stdin;
          Unix.close null
      | exception Unix.Unix_error _ -> ());
     (Unix.in_channel_of_descr in_fd, Unix.out_channel_of_descr out_fd))

let () = if enabled then ignore (Lazy.force channels)

let input () = fst (Lazy.force channels)

let send_mutex = Mutex.create ()

(* Sends one message. The plugin's own output is flushed first, so that
   what it printed appears before what caravan prints in answer. *)
let send v =
  Mutex.lock send_mutex;
  Fun.protect
    ~finally:(fun () -> Mutex.unlock send_mutex)
    (fun () ->
      flush stdout;
      flush stderr;
      if enabled then begin
        let oc = snd (Lazy.force channels) in
        output_string oc (to_string v);
        output_char oc '\n';
        flush oc
      end)

let receive () = read (input ())

(* The first message, before any code of the plugin runs. *)
let () = if enabled then send (List [ Atom "hello"; Atom "1" ])

(* Requests and their answers. *)

let user_lock = Mutex.create ()
let dispatching = ref false
let pending : (int, t Event.channel) Hashtbl.t = Hashtbl.create 16
let pending_mutex = Mutex.create ()
let next_id = ref 0

exception Caravan_error of string

let answer_of = function
  | List [ Atom "error"; Atom message ] -> raise (Caravan_error message)
  | v -> v

(* Asks caravan a question and waits for the answer. Before the build
   phase the main thread asks and reads the answer itself; during it, the
   asking thread waits while the dispatcher (the main thread) routes
   answers. *)
let request verb args =
  if not enabled then raise (Caravan_error "not run by caravan");
  Mutex.lock pending_mutex;
  incr next_id;
  let id = !next_id in
  let channel = Event.new_channel () in
  if !dispatching then Hashtbl.replace pending id channel;
  Mutex.unlock pending_mutex;
  send (List (Atom "query" :: Atom (string_of_int id) :: Atom verb :: args));
  if !dispatching then begin
    Mutex.unlock user_lock;
    let v = Event.sync (Event.receive channel) in
    Mutex.lock user_lock;
    answer_of v
  end
  else
    match receive () with
    | List [ Atom "reply"; Atom id'; v ] when id' = string_of_int id -> answer_of v
    | v -> raise (Protocol_error ("expected the reply to a query, got " ^ to_string v))

(* Routes an answer to the thread waiting for it (dispatcher side). *)
let deliver id v =
  Mutex.lock pending_mutex;
  let channel = Hashtbl.find_opt pending id in
  Hashtbl.remove pending id;
  Mutex.unlock pending_mutex;
  match channel with
  | Some c -> Event.sync (Event.send c v)
  | None -> raise (Protocol_error (Printf.sprintf "a reply to unknown query %d" id))

(* Decoding helpers. *)

let fail_shape what v =
  raise (Protocol_error (Printf.sprintf "expected %s, got %s" what (to_string v)))

let to_atom = function Atom s -> s | v -> fail_shape "an atom" v
let to_list = function List l -> l | v -> fail_shape "a list" v
let to_atoms v = List.map to_atom (to_list v)

(* The rule evaluation each thread runs (one thread per evaluation), so
   that API functions called from an action without its [build] closure
   ([Ocaml_compiler.*], [Solver.solve_target]) can name it to caravan. *)

let evals : (int, string) Hashtbl.t = Hashtbl.create 8
let evals_mutex = Mutex.create ()

let with_evals f =
  Mutex.lock evals_mutex;
  Fun.protect ~finally:(fun () -> Mutex.unlock evals_mutex) f

let set_current_eval id = with_evals (fun () -> Hashtbl.replace evals (Thread.id (Thread.self ())) id)
let clear_current_eval () = with_evals (fun () -> Hashtbl.remove evals (Thread.id (Thread.self ())))
let current_eval () = with_evals (fun () -> Hashtbl.find_opt evals (Thread.id (Thread.self ())))
