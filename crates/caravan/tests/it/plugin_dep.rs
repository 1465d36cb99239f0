//! `dep` declarations of plugins reach every command, as in ocamlbuild:
//! the dependency scan and the preprocessor (a preprocessor or a camlp4
//! syntax extension built by the same run), and the link, whose command
//! line gets the declared files (a C stub object). Sources that a plugin
//! rule makes from templates (`parser.mly`, `lexer.mll`) are modules like
//! any other, so their users wait for them. Each tree is built by the real
//! ocamlbuild too, and the programs must print the same.

use crate::support::SideBySide;

const PREPROCESSOR: &str = r#"let () =
  let ic = open_in Sys.argv.(1) in
  (try
     while true do
       let l = input_line ic in
       print_endline
         (Str.global_replace (Str.regexp_string "GREETING") "\"hello\"" l)
     done
   with End_of_file -> ());
  close_in ic
"#;

#[test]
fn dep_builds_the_preprocessor_before_the_scan_and_links_the_stub() {
    let plugin = r#"open Ocamlbuild_plugin
let () =
  dispatch (function
    | After_rules ->
        dep ["mypreprocessor"] ["boot/pp.byte"];
        flag ["ocaml"; "pp"; "mypreprocessor"] (S [P "boot/pp.byte"]);
        dep ["link"; "ocaml"; "use_stub"] ["stub.o"];
        flag ["link"; "ocaml"; "byte"; "use_stub"] (A "-custom")
    | _ -> ())
"#;
    let main = "external answer : unit -> int = \"stub_answer\"\n\
                let () = print_endline GREETING; print_int (answer ()); print_newline ()\n";
    let stub =
        "#include <caml/mlvalues.h>\nvalue stub_answer(value unit) { return Val_int(42); }\n";
    let sides = SideBySide::new(
        &[
            ("myocamlbuild.ml", plugin),
            ("boot/pp.ml", PREPROCESSOR),
            ("main.ml", main),
            ("stub.c", stub),
            (
                "_tags",
                "<main.ml>: mypreprocessor\n<main.{byte,native}>: use_stub\n\
                 <boot/*>: package(str)\n",
            ),
        ],
        &[],
    );
    sides.build(&["-use-ocamlfind", "main.native", "main.byte"]);
    assert_eq!(sides.same_output("main.native", &[]), "hello\n42\n");
    assert_eq!(sides.same_output("main.byte", &[]), "hello\n42\n");
    // The stub object is on the link's command line, after the modules.
    let native = crate::support::log_entry(&sides.ours, "main.native")
        .map(|(_, c)| c)
        .unwrap_or_default();
    assert!(native.contains(" main.cmx stub.o"), "{native}");
}

#[test]
fn dep_builds_a_camlp4_syntax_extension_before_the_scan() {
    let plugin = r#"open Ocamlbuild_plugin
let () =
  dispatch (function
    | After_rules ->
        dep ["ocaml"; "ocamldep"; "use_pa_answer"] ["pa_answer.cma"];
        dep ["ocaml"; "compile"; "use_pa_answer"] ["pa_answer.cma"];
        flag ["ocaml"; "pp"; "use_pa_answer"] (S [A "camlp4o"; P "pa_answer.cma"]);
        flag ["ocaml"; "compile"; "build_pa"] (S [A "-I"; A "+camlp4"]);
        flag ["ocaml"; "ocamldep"; "build_pa"] (S [A "-I"; A "+camlp4"])
    | _ -> ())
"#;
    let extension = "open Camlp4.PreCast\nopen Syntax\n\
                     EXTEND Gram\n  expr: LEVEL \"simple\" [ [ \"ANSWER\" -> <:expr< 42 >> ] ];\nEND\n";
    let sides = SideBySide::new(
        &[
            ("myocamlbuild.ml", plugin),
            ("pa_answer.ml", extension),
            ("main.ml", "let () = print_int ANSWER; print_newline ()\n"),
            (
                "_tags",
                "<main.ml>: use_pa_answer\n<pa_answer.ml>: build_pa, pp(camlp4of)\n",
            ),
        ],
        &[],
    );
    sides.build(&["main.byte"]);
    assert_eq!(sides.same_output("main.byte", &[]), "42\n");
}

#[test]
fn sources_made_by_plugin_rules_are_modules_their_users_wait_for() {
    let plugin = r#"open Ocamlbuild_plugin
let () =
  dispatch (function
    | After_rules ->
        copy_rule "mly from template" "%.mly.in" "%.mly";
        rule "mll from template" ~prod:"%.mll" ~dep:"%.mll.in"
          (fun env _ -> cp (env "%.mll.in") (env "%.mll"))
    | _ -> ())
"#;
    let parser =
        "%token <int> INT\n%token EOF\n%start main\n%type <int> main\n%%\nmain: INT EOF { $1 }\n";
    let lexer = "{ open Parser }\nrule token = parse\n  | [' ' '\\n'] { token lexbuf }\n  \
                 | ['0'-'9']+ as s { INT (int_of_string s) }\n  | eof { EOF }\n";
    let sides = SideBySide::new(
        &[
            ("myocamlbuild.ml", plugin),
            ("parser.mly.in", parser),
            ("lexer.mll.in", lexer),
            (
                "main.ml",
                "let () = print_int (Parser.main Lexer.token (Lexing.from_string \"41\"))\n",
            ),
        ],
        &[],
    );
    sides.build(&["main.native"]);
    assert_eq!(sides.same_output("main.native", &[]), "41");
}

/// A built-in rule whose source cannot be made gives way to the plugin's
/// next rule, as ocamlbuild's solver backtracks: `bin/a.byte` has no
/// `bin/a.ml`, so the link rule fails to apply and the copy rule makes it.
#[test]
fn a_rule_whose_sources_cannot_be_built_gives_way_to_the_next() {
    let plugin = r#"open Ocamlbuild_plugin
let () =
  dispatch (function
    | After_rules ->
        copy_rule "bin" "%(basename).%(extension)"
          "bin/%(basename).%(extension:<{byte,native}>)"
    | _ -> ())
"#;
    let sides = SideBySide::new(
        &[
            ("myocamlbuild.ml", plugin),
            ("a.ml", "let () = print_endline \"a\"\n"),
            ("bin/.keep", ""),
        ],
        &[],
    );
    sides.build(&["bin/a.byte", "bin/a.native"]);
    sides.same_artifacts(&["bin/a.byte", "bin/a.native", "a.byte", "a.native"]);
    assert_eq!(sides.same_output("_build/bin/a.native", &[]), "a\n");
    assert_eq!(sides.same_output("_build/bin/a.byte", &[]), "a\n");
    // A second run finds everything up to date.
    let again = sides.ours.caravan(&["bin/a.byte", "bin/a.native"]).ok();
    assert!(!again.stdout.contains("cp "), "{}", again.stdout);
}

/// A list file made by a plugin rule (`lib.mllib` from a template) is the
/// library's list as a source one would be: the archive is of its modules.
#[test]
fn a_list_file_made_by_a_plugin_rule_makes_the_library() {
    let plugin = r#"open Ocamlbuild_plugin
let () =
  dispatch (function
    | After_rules -> copy_rule "list" "%.mllib.in" "%.mllib"
    | _ -> ())
"#;
    let sides = SideBySide::new(
        &[
            ("myocamlbuild.ml", plugin),
            ("a.ml", "let x = 1\n"),
            ("b.ml", "let y = A.x + 1\n"),
            ("lib.mllib.in", "A\nB\n"),
        ],
        &[],
    );
    sides.build(&["lib.cma"]);
    sides.same_artifacts(&["lib.cma", "lib.mllib", "a.cmo", "b.cmo"]);
    let archive = sides.same_command("lib.cma");
    assert!(archive.ends_with("a.cmo b.cmo -o lib.cma"), "{archive}");
}
