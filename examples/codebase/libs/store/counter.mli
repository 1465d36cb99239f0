(** Counting words. *)

type t

val create : unit -> t
val add_text : t -> string -> unit
(** Counts the words of a text ([Textkit]'s [Words.split]). *)

val top : t -> int -> (string * int) list
(** The [n] most frequent words, most frequent first, ties in alphabetical
    order. *)
