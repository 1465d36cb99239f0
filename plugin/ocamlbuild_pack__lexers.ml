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

(* The rest of ocamlbuild's lexers, on the whole remaining input. *)

(* Lines ending with a backslash joined to the next. *)
let join_continued text =
  let b = Buffer.create (String.length text) in
  let n = String.length text in
  let rec go i =
    if i < n then
      if text.[i] = '\\' && i + 1 < n && text.[i + 1] = '\n' then begin
        Buffer.add_char b ' ';
        go (i + 2)
      end
      else begin
        Buffer.add_char b text.[i];
        go (i + 1)
      end
  in
  go 0;
  Buffer.contents b

let error_at source lexbuf message =
  raise (Error (message, (source, lexbuf.Lexing.lex_start_p, lexbuf.Lexing.lex_curr_p)))

let space_sep_strings _source lexbuf = words ~separators:" \t" (String.trim (contents lexbuf))
let parse_environment_path_w _source lexbuf = String.split_on_char ';' (contents lexbuf)

let trim_blanks source lexbuf =
  let s = String.trim (contents lexbuf) in
  if String.exists (fun c -> c = ' ' || c = '\t' || c = '\n' || c = '\r') s then
    error_at source lexbuf "Bad input for trim_blanks"
  else s

(* "name(param)" or "name". *)
let tag_gen source lexbuf =
  let s = contents lexbuf in
  match String.index_opt s '(' with
  | None -> if s = "" then error_at source lexbuf "Not a valid parametrized tag" else (s, None)
  | Some i when String.length s > i + 1 && s.[String.length s - 1] = ')' ->
      (String.sub s 0 i, Some (String.sub s (i + 1) (String.length s - i - 2)))
  | Some _ -> error_at source lexbuf "Not a valid parametrized tag"

(* The output of [ocamldep -modules]: "file: M1 M2" lines. *)
let ocamldep_output source lexbuf =
  let text = contents lexbuf in
  List.filter_map
    (fun line ->
      if String.trim line = "" then None
      else
        match String.index_opt line ':' with
        | Some i ->
            let file = String.trim (String.sub line 0 i) in
            let rest = String.sub line (i + 1) (String.length line - i - 1) in
            Some (file, words ~separators:" \t\r" rest)
        | None -> error_at source lexbuf "Expecting the output of ocamldep -modules")
    (String.split_on_char '\n' text)

(* One line of a _tags file: its pattern, then its tags, each "tag" or
   "-tag", paired with whether it is added. caravan reads _tags itself;
   this is for plugins that parse such lines. *)
type conf = (string * (string * bool) list) list

let conf_lines _dir _source lexbuf : conf =
  let text = join_continued (contents lexbuf) in
  List.filter_map
    (fun line ->
      let line = String.trim line in
      if line = "" || line.[0] = '#' then None
      else
        match String.rindex_opt line ':' with
        | None -> None
        | Some i ->
            let pattern = String.trim (String.sub line 0 i) in
            let tags = words ~separators:", \t" (String.sub line (i + 1) (String.length line - i - 1)) in
            Some
              ( pattern,
                List.map
                  (fun t ->
                    if String.length t > 1 && t.[0] = '-' then (String.sub t 1 (String.length t - 1), false)
                    else (t, true))
                  tags ))
    (String.split_on_char '\n' text)

(* A rule's product or dependency: words and "%(name)" or
   "%(name:pattern)" variables ("%" is the variable ""). *)
let path_scheme patterns_allowed source lexbuf =
  let s = contents lexbuf in
  let n = String.length s in
  let out = ref [] and word = Buffer.create 16 in
  let flush () =
    if Buffer.length word > 0 then begin
      out := `Word (Buffer.contents word) :: !out;
      Buffer.clear word
    end
  in
  let rec go i =
    if i < n then
      if s.[i] = '%' && i + 1 < n && s.[i + 1] = '(' then begin
        flush ();
        let close = match String.index_from_opt s i ')' with Some j -> j | None -> error_at source lexbuf "Unclosed %(" in
        let inside = String.sub s (i + 2) (close - i - 2) in
        (match String.index_opt inside ':' with
         | Some j when patterns_allowed ->
             let (pattern : Ocamlbuild_pack__glob.globber) =
               String.sub inside (j + 1) (String.length inside - j - 1)
             in
             out := `Var (String.sub inside 0 j, pattern) :: !out
         | Some _ -> error_at source lexbuf "Patterns are not allowed in this pathname"
         | None -> out := `Var (inside, "") :: !out);
        go (close + 1)
      end
      else if s.[i] = '%' then begin
        flush ();
        out := `Var ("", "") :: !out;
        go (i + 1)
      end
      else begin
        Buffer.add_char word s.[i];
        go (i + 1)
      end
  in
  go 0;
  flush ();
  List.rev !out

(* The output of "ocamlfind query -long-format": package, description,
   version, archive(s), linkopts, location. *)
let ocamlfind_query source lexbuf =
  let fields =
    List.filter_map
      (fun line ->
        match String.index_opt line ':' with
        | Some i -> Some (String.sub line 0 i, String.trim (String.sub line (i + 1) (String.length line - i - 1)))
        | None -> None)
      (String.split_on_char '\n' (contents lexbuf))
  in
  let field name =
    match List.assoc_opt name fields with Some v -> v | None -> error_at source lexbuf "Bad ocamlfind query"
  in
  (field "package", field "description", field "version", field "archive(s)", field "linkopts", field "location")
