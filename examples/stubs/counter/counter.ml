external fnv1a : string -> int = "counter_fnv1a"
external popcount : int -> int = "counter_popcount"
