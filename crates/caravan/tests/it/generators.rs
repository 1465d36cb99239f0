//! Generated sources: ocamllex, ocamlyacc and menhir (plain, `--infer`,
//! `--table`, `.mlypack`, and its options), each tree built by caravan and
//! by the real ocamlbuild, comparing commands and their tags, the generated
//! files byte for byte, and the calculators' output.

use crate::side_by_side::{Both, build};

const AST: (&str, &str) = (
    "ast.ml",
    "type op = Add | Sub | Mul | Div\n\
     type expr = Int of int | Neg of expr | Bin of op * expr * expr\n",
);

const EVAL: (&str, &str) = (
    "eval.ml",
    "let rec eval = function\n\
     \x20 | Ast.Int i -> i\n\
     \x20 | Ast.Neg e -> - (eval e)\n\
     \x20 | Ast.Bin (op, a, b) ->\n\
     \x20   let a = eval a and b = eval b in\n\
     \x20   (match op with Ast.Add -> a + b | Ast.Sub -> a - b | Ast.Mul -> a * b | Ast.Div -> a / b)\n",
);

/// The lexer shared by every calculator; `tokens` is the module holding
/// the token type.
fn lexer(tokens: &str) -> String {
    format!(
        "{{ open {tokens} }}\n\
         rule token = parse\n\
         \x20 | [' ' '\\t'] {{ token lexbuf }}\n\
         \x20 | '\\n' {{ EOL }}\n\
         \x20 | ['0'-'9']+ as n {{ INT (int_of_string n) }}\n\
         \x20 | '+' {{ PLUS }} | '-' {{ MINUS }} | '*' {{ TIMES }} | '/' {{ DIV }}\n\
         \x20 | '(' {{ LPAREN }} | ')' {{ RPAREN }}\n\
         \x20 | eof {{ EOF }}\n"
    )
}

const CALC: (&str, &str) = (
    "calc.ml",
    "let () =\n\
     \x20 List.iter\n\
     \x20   (fun s ->\n\
     \x20     let e = Parser.main Lexer.token (Lexing.from_string s) in\n\
     \x20     Printf.printf \"%s = %d\\n\" (String.trim s) (Eval.eval e))\n\
     \x20   [\"1 + 2 * 3\\n\"; \"(1 + 2) * 3\\n\"; \"-4 / 2 + 10\\n\"; \"7 - 2 - 1\"]\n",
);

const EXPECTED: &str = "1 + 2 * 3 = 7\n(1 + 2) * 3 = 9\n-4 / 2 + 10 = 8\n7 - 2 - 1 = 4\n";

const TOKENS: &str = "%token <int> INT\n\
     %token PLUS MINUS TIMES DIV LPAREN RPAREN EOL EOF\n\
     %left PLUS MINUS\n\
     %left TIMES DIV\n\
     %nonassoc UMINUS\n";

const RULES: &str = "main: e = expr EOL { e } | e = expr EOF { e }\n\
     expr:\n\
     \x20 | i = INT { Ast.Int i }\n\
     \x20 | LPAREN e = expr RPAREN { e }\n\
     \x20 | a = expr PLUS b = expr { Ast.Bin (Ast.Add, a, b) }\n\
     \x20 | a = expr MINUS b = expr { Ast.Bin (Ast.Sub, a, b) }\n\
     \x20 | a = expr TIMES b = expr { Ast.Bin (Ast.Mul, a, b) }\n\
     \x20 | a = expr DIV b = expr { Ast.Bin (Ast.Div, a, b) }\n\
     \x20 | MINUS e = expr %prec UMINUS { Ast.Neg e }\n";

/// A menhir grammar using `Ast` in its semantic actions (so `--infer`
/// needs `ast.cmi`).
fn menhir_grammar() -> String {
    format!("{TOKENS}%start <Ast.expr> main\n%%\n{RULES}")
}

/// The same calculator for ocamlyacc.
const YACC_GRAMMAR: &str = "%token <int> INT\n\
     %token PLUS MINUS TIMES DIV LPAREN RPAREN EOL EOF\n\
     %left PLUS MINUS\n\
     %left TIMES DIV\n\
     %nonassoc UMINUS\n\
     %start main\n\
     %type <Ast.expr> main\n\
     %%\n\
     main: expr EOL { $1 } | expr EOF { $1 };\n\
     expr:\n\
     \x20 | INT { Ast.Int $1 }\n\
     \x20 | LPAREN expr RPAREN { $2 }\n\
     \x20 | expr PLUS expr { Ast.Bin (Ast.Add, $1, $3) }\n\
     \x20 | expr MINUS expr { Ast.Bin (Ast.Sub, $1, $3) }\n\
     \x20 | expr TIMES expr { Ast.Bin (Ast.Mul, $1, $3) }\n\
     \x20 | expr DIV expr { Ast.Bin (Ast.Div, $1, $3) }\n\
     \x20 | MINUS expr %prec UMINUS { Ast.Neg $2 };\n";

/// Builds a calculator both ways and checks commands, generated files and
/// output; `generated` are files both must have made identically.
fn calculator(
    extra: &[(&str, &str)],
    args: &[&str],
    their_extra: &[&str],
    generated: &[&str],
) -> Both {
    let lexer = lexer("Parser");
    let mut files = vec![AST, EVAL, CALC, ("lexer.mll", lexer.as_str())];
    let extra_names: Vec<&str> = extra.iter().map(|(n, _)| *n).collect();
    files.retain(|(n, _)| !extra_names.contains(n));
    files.extend(extra.iter().copied());
    let mut targets = args.to_vec();
    targets.extend(["calc.native", "calc.byte"]);
    let both = build(&files, &targets, their_extra);
    assert_eq!(both.our_run.code, 0, "{}", both.our_run.stdout);
    let generator = |t: &str| !t.ends_with(".cmo") && !t.ends_with(".cmi") && !t.ends_with(".cmx");
    assert!(both.same_commands(&generator) > 10);
    both.same_files(generated);
    assert_eq!(both.same_output("calc.native"), EXPECTED);
    assert_eq!(both.same_output("calc.byte"), EXPECTED);
    both
}

#[test]
fn gen_ocamllex_and_ocamlyacc() {
    let both = calculator(
        &[("parser.mly", YACC_GRAMMAR)],
        &[],
        &[],
        &["lexer.ml", "parser.ml", "parser.mli"],
    );
    let (ours, _) = both.logs();
    assert_eq!(
        ours["lexer.mll"][0].1, "/usr/bin/ocamllex.opt -q lexer.mll",
        "quiet by default"
    );
}

#[test]
fn gen_lexer_and_yacc_flags_and_tools() {
    calculator(
        &[
            ("parser.mly", YACC_GRAMMAR),
            ("lexer.mli", "val token : Lexing.lexbuf -> Parser.token\n"),
            ("_tags", "<lexer.mll>: generate_ml\n"),
        ],
        &[
            "-lexflag",
            "-q",
            "-yaccflags",
            "-v",
            "-ocamllex",
            "ocamllex",
            "-ocamlyacc",
            "ocamlyacc",
        ],
        &[],
        &["lexer.ml", "parser.ml", "parser.mli", "parser.output"],
    );
}

#[test]
fn gen_menhir_with_infer() {
    let g = menhir_grammar();
    let both = calculator(
        &[("parser.mly", g.as_str())],
        &["-use-menhir"],
        &[],
        &["parser.ml", "parser.mli", "parser.mly.depends"],
    );
    let (ours, _) = both.logs();
    assert!(ours["parser.mly"][0].1.contains(" --infer "));
}

#[test]
fn gen_menhir_plain() {
    // Without --infer, menhir needs every nonterminal's type.
    let g = menhir_grammar().replace("%start", "%type <Ast.expr> expr\n%start");
    let both = calculator(
        &[
            ("parser.mly", g.as_str()),
            ("_tags", "true: use_menhir\n<parser.mly>: -infer\n"),
        ],
        &[],
        &[],
        &["parser.ml", "parser.mli"],
    );
    let (ours, _) = both.logs();
    assert!(!ours["parser.mly"][0].1.contains("--infer"));
}

#[test]
fn gen_menhir_table_links_menhirlib() {
    // ocamlbuild needs to be told to link menhirLib (here as -pkg);
    // caravan adds it for `table` grammars.
    let g = menhir_grammar();
    let both = calculator(
        &[("parser.mly", g.as_str())],
        &["-use-menhir", "-tag", "table"],
        &["-pkg", "menhirLib"],
        &["parser.ml", "parser.mli"],
    );
    let (ours, _) = both.logs();
    assert!(ours["parser.mly"][0].1.contains(" --table "));
    assert!(ours["calc.native"][0].1.contains("menhirLib.cmxa"));
}

#[test]
fn gen_menhir_mlypack() {
    let tokens = format!("{TOKENS}%%\n");
    let grammar = format!("%start <Ast.expr> main\n%%\n{RULES}");
    let both = calculator(
        &[
            ("tokens.mly", tokens.as_str()),
            ("grammar.mly", grammar.as_str()),
            ("parser.mlypack", "Tokens # the tokens\nGrammar\n"),
        ],
        &["-use-menhir"],
        &[],
        &["parser.ml", "parser.mli", "parser.mlypack.depends"],
    );
    let (ours, _) = both.logs();
    assert!(
        ours["parser"][0]
            .1
            .ends_with("--infer --base parser tokens.mly grammar.mly")
    );
}

#[test]
fn gen_menhir_external_tokens_explain_and_command() {
    // Tokens from their own grammar (--only-tokens), used by the parser
    // (--external-tokens); a conflict explained in parser.conflicts; the
    // menhir command given with -menhir.
    let tokens = format!("{TOKENS}%token BANG\n%%\n");
    let conflicting = format!(
        "{TOKENS}%token BANG\n%start <Ast.expr> main\n%%\n{RULES}  | a = expr BANG expr {{ a }}\n"
    );
    let both = calculator(
        &[
            ("tokens.mly", tokens.as_str()),
            ("parser.mly", conflicting.as_str()),
            ("lexer.mll", lexer("Tokens").as_str()),
            (
                "_tags",
                "<tokens.mly>: only_tokens\n<parser.mly>: external_tokens(Tokens), explain\n",
            ),
        ],
        &["-use-menhir", "-menhir", "menhir --comment"],
        &[],
        &[
            "tokens.ml",
            "tokens.mli",
            "parser.ml",
            "parser.mli",
            "parser.conflicts",
        ],
    );
    let (ours, _) = both.logs();
    let cmd = &ours["parser.mly"][0].1;
    assert!(
        cmd.starts_with("menhir --comment --ocamlc")
            && cmd.contains("--explain")
            && cmd.contains("--external-tokens Tokens"),
        "{cmd}"
    );
}

#[test]
fn gen_generated_files_left_in_the_source_tree_are_reported_as_ocamlbuild_does() {
    let lexer = lexer("Parser");
    let both = build(
        &[
            AST,
            EVAL,
            CALC,
            ("lexer.mll", lexer.as_str()),
            ("lexer.ml", "(* generated *)\n"),
            ("parser.mly", YACC_GRAMMAR),
            ("parser.ml", "(* generated *)\n"),
            ("parser.mli", "(* generated *)\n"),
            ("sub/g.mly", YACC_GRAMMAR),
            ("sub/g.mli", "\n"),
            ("_tags", ""),
        ],
        &["calc.byte"],
        &[],
    );
    assert_eq!(both.our_run.code, 1);
    let root = |b: &crate::support::Tree, text: &str| {
        text.replace(&b.root().display().to_string(), "ROOT")
    };
    assert_eq!(
        root(&both.ours, &both.our_run.stdout),
        root(&both.theirs, &both.their_run.stdout)
    );
    // The same script, but for the name of its author.
    assert_eq!(
        root(&both.ours, &both.ours.read("_build/sanitize.sh")).replace("caravan", "ocamlbuild"),
        root(&both.theirs, &both.theirs.read("_build/sanitize.sh"))
    );
}

/// The output files of the commands that ran in the last build, sorted.
fn ran(t: &crate::support::Tree) -> Vec<String> {
    let mut out: Vec<String> = t
        .compiler_commands()
        .iter()
        .map(|c| {
            let c = c.trim_end_matches(".depends").trim_end_matches(" >");
            c.rsplit(' ').next().unwrap_or("").to_string()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn gen_generated_sources_are_incremental() {
    let g = menhir_grammar();
    let lexer = lexer("Parser");
    let t = crate::support::Tree::new(&[
        AST,
        EVAL,
        CALC,
        ("lexer.mll", lexer.as_str()),
        ("parser.mly", g.as_str()),
    ]);
    let args = ["-use-menhir", "calc.byte"];
    t.caravan(&args).ok();
    assert_eq!(t.run("calc.byte", &[]).stdout, EXPECTED);

    // Touched, not changed: nothing runs.
    for f in ["parser.mly", "lexer.mll"] {
        let file = std::fs::File::options()
            .write(true)
            .open(t.path(f))
            .expect("open");
        file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
            .expect("touch");
    }
    t.caravan(&args).ok();
    assert!(t.commands().is_empty(), "{:#?}", t.commands());

    // A semantic action changes: the parser is regenerated and recompiled,
    // its interface is the same, so nothing that uses it recompiles.
    t.write(
        "parser.mly",
        &g.replace("Ast.Bin (Ast.Sub, a, b)", "Ast.Bin (Ast.Add, a, Ast.Neg b)"),
    );
    t.caravan(&args).ok();
    assert_eq!(
        ran(&t),
        ["calc.byte", "parser.ml", "parser.mly", "parser.mly"],
        "{:#?}",
        t.commands()
    );
    assert_eq!(t.run("calc.byte", &[]).stdout, EXPECTED);

    // A new token changes the interface: what uses Parser recompiles, the
    // modules that do not (Ast, Eval) do not.
    let bang = g
        .replace("%token PLUS", "%token BANG\n%token PLUS")
        .replace("%nonassoc UMINUS\n", "%nonassoc UMINUS\n%nonassoc BANG\n")
        + "  | a = expr BANG { a }\n";
    t.write("parser.mly", &bang);
    t.caravan(&args).ok();
    assert_eq!(
        ran(&t),
        [
            "calc.byte",
            "calc.ml",
            "lexer.ml",
            "parser.ml",
            "parser.mli",
            "parser.mly",
            "parser.mly"
        ],
        "{:#?}",
        t.commands()
    );
    assert_eq!(t.run("calc.byte", &[]).stdout, EXPECTED);
}

/// `(name, deps, prods)` of each rule `-documentation` prints.
fn documented_rules(text: &str) -> Vec<(String, String, String)> {
    let between = |e: &str, start: &str| -> String {
        e.split_once(start)
            .and_then(|(_, rest)| rest.split_once(" ]"))
            .map(|(inside, _)| inside.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    text.split("\n\n")
        .map(str::trim)
        .filter(|e| e.starts_with("rule \""))
        .map(|e| {
            let name = e["rule \"".len()..]
                .split_once('"')
                .map(|(n, _)| n.to_string())
                .unwrap_or_default();
            (name, between(e, "~deps:[ "), between(e, "~prods:[ "))
        })
        .collect()
}

#[test]
fn gen_documentation_lists_the_generator_rules_as_ocamlbuild() {
    let t = crate::support::Tree::new(&[]);
    for extra in [&[][..], &["-use-menhir"]] {
        let mut args = extra.to_vec();
        args.push("-documentation");
        let ours = documented_rules(&t.caravan(&args).ok().stdout);
        let theirs = documented_rules(&t.ocamlbuild(&args).ok().stdout);
        let names = [
            "ocamllex",
            "ocamlyacc",
            "ocaml: menhir",
            "ocaml: menhir dependencies",
            "ocaml: modular menhir (mlypack)",
            "ocaml: menhir modular dependencies",
            "ocaml: mli -> odoc",
            "ocaml: ml -> odoc",
            "ocamldoc: document ocaml project odocl & *odoc -> docdir (html)",
            "ocamldoc: document ocaml project odocl & *odoc -> docdir (man)",
            "ocamldoc: document ocaml project odocl & *odoc -> latex",
            "ocamldoc: document ocaml project odocl & *odoc -> texinfo",
            "ocamldoc: document ocaml project odocl & *odoc -> dot",
            "preprocess: ml -> pp.ml",
        ];
        let pick = |rules: &[(String, String, String)]| -> Vec<(String, String, String)> {
            rules
                .iter()
                .filter(|r| names.contains(&r.0.as_str()))
                .cloned()
                .collect()
        };
        assert_eq!(pick(&ours), pick(&theirs), "{extra:?}");
        assert_eq!(pick(&ours).len(), if extra.is_empty() { 10 } else { 13 });
    }
}

#[test]
fn gen_which_finds_the_generators_as_ocamlbuild() {
    let t = crate::support::Tree::new(&[]);
    for tool in ["ocamllex", "ocamlyacc", "menhir", "ocamldoc"] {
        assert_eq!(
            t.caravan(&["-which", tool]).ok().stdout,
            t.ocamlbuild(&["-which", tool]).ok().stdout,
            "{tool}"
        );
    }
}
