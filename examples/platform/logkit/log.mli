(** Messages with a severity, on standard error. *)

val info : string -> unit
val warn : string -> unit
