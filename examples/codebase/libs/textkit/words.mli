(** Splitting text into words. *)

val split : string -> string list
(** The words of a text, case-folded, without punctuation and without the
    stop words of [Stopwords]. *)
