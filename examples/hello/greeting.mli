(** How the program greets. *)

val greet : string -> string
(** [greet name] is a greeting for [name]. *)
