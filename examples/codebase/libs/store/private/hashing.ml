(* Private to store: the FNV-1a hash of a word, computed by the C stub
   library of libs/store/stubs (def_stubs in build_rules.ml). *)

external fnv1a : string -> int = "codebase_fnv1a"

let bucket ~buckets word = fnv1a word land max_int mod buckets
