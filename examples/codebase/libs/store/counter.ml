let buckets = 64

type t = (string * int ref) list array

let create () = Array.make buckets []

let add t word =
  let b = Hashing.bucket ~buckets word in
  match List.assoc_opt word t.(b) with
  | Some n -> incr n
  | None -> t.(b) <- (word, ref 1) :: t.(b)

let add_text t text = List.iter (add t) (Words.split text)

let top t n =
  let all = Array.fold_left (fun acc l -> List.map (fun (w, c) -> (w, !c)) l @ acc) [] t in
  let sorted = List.sort (fun (w1, c1) (w2, c2) -> if c1 <> c2 then compare c2 c1 else compare w1 w2) all in
  List.filteri (fun i _ -> i < n) sorted
