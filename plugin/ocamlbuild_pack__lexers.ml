(* Ocamlbuild_pack.Lexers: the word lists of ocamlbuild's list files
   (blank-separated words, '#' comments to the end of the line) and of its
   list options (comma- or blank-separated). The first argument names the
   source, as in ocamlbuild. *)

exception Error of (string * (string * Lexing.position * Lexing.position))

let contents lexbuf =
  while not lexbuf.Lexing.lex_eof_reached do
    lexbuf.Lexing.refill_buff lexbuf
  done;
  let pos = lexbuf.Lexing.lex_curr_pos in
  let s = Bytes.sub_string lexbuf.Lexing.lex_buffer pos (lexbuf.Lexing.lex_buffer_len - pos) in
  lexbuf.Lexing.lex_curr_pos <- lexbuf.Lexing.lex_buffer_len;
  s

let words ~separators text =
  let out = ref [] and cur = Buffer.create 16 in
  let flush () =
    if Buffer.length cur > 0 then begin
      out := Buffer.contents cur :: !out;
      Buffer.clear cur
    end
  in
  let n = String.length text in
  let rec go i =
    if i < n then
      match text.[i] with
      | '#' when Buffer.length cur = 0 ->
          let j = try String.index_from text i '\n' with Not_found -> n in
          go j
      | c when String.contains separators c ->
          flush ();
          go (i + 1)
      | c ->
          Buffer.add_char cur c;
          go (i + 1)
  in
  go 0;
  flush ();
  List.rev !out

let blank_sep_strings _source lexbuf = words ~separators:" \t\r\n" (contents lexbuf)
let comma_sep_strings _source lexbuf = words ~separators:"," (contents lexbuf)
let comma_or_blank_sep_strings _source lexbuf = words ~separators:", \t\r\n" (contents lexbuf)
let parse_environment_path _source lexbuf = String.split_on_char ':' (contents lexbuf)
