(* Ocamlbuild_pack.Loc: where a piece of configuration comes from (a file
   name or a description such as "command-line") and positions in it, for
   the lexers' and the tag functions' error messages. *)

type source = string
type location = source * Lexing.position * Lexing.position

let print_loc f (source, start, stop) =
  let open Lexing in
  let line p = p.pos_lnum and col p = p.pos_cnum - p.pos_bol in
  if start.pos_lnum = stop.pos_lnum then
    Format.fprintf f "%s, line %d, characters %d-%d" source (line start) (col start) (col stop)
  else Format.fprintf f "%s, line %d, character %d, to line %d, character %d" source (line start) (col start) (line stop) (col stop)

let print_loc_option f = function None -> () | Some loc -> print_loc f loc
let of_lexbuf source lexbuf = (source, lexbuf.Lexing.lex_start_p, lexbuf.Lexing.lex_curr_p)
