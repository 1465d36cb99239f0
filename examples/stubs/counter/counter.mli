(** Two functions written in C (counter_stubs.c). *)

val fnv1a : string -> int
(** The 64-bit FNV-1a hash of a string, shifted right by 2 bits. *)

val popcount : int -> int
(** The number of bits set in a non-negative integer. *)
