type shape = Circle of float | Square of float

let area = function
  | Circle r -> Float.pi *. r *. r
  | Square s -> s *. s

let describe s = Printf.sprintf "%s of area %.2f"
    (match s with Circle _ -> "a circle" | Square _ -> "a square")
    (area s)
