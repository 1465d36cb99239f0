let () =
  let who = if Array.length Sys.argv > 1 then Sys.argv.(1) else "world" in
  print_endline (Greeting.greet who);
  let shapes = Shapes.[ Circle 1.0; Square 2.0 ] in
  List.iter (fun s -> print_endline (Shapes.describe s)) shapes;
  Printf.printf "total area: %.2f\n" (Stats.total_area shapes)
