let () =
  List.iter
    (fun w ->
      let h = Counter.fnv1a w in
      Printf.printf "%-8s fnv1a=%x popcount=%d\n" w h (Counter.popcount h))
    [ "caravan"; "ocaml"; "stubs" ]
