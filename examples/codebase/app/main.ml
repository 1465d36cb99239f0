let text =
  "The build of a large code base is a graph of libraries and tools. \
   The libraries are compiled, the tools are compiled and run, and the \
   program is linked with the libraries it uses."

let () =
  let counter = Store.Counter.create () in
  let text = if Array.length Sys.argv > 1 then Sys.argv.(1) else text in
  Log.info (Printf.sprintf "counting %d characters" (String.length text));
  Store.Counter.add_text counter text;
  List.iter (fun (w, n) -> Printf.printf "%-10s %d\n" w n) (Store.Counter.top counter 5)
