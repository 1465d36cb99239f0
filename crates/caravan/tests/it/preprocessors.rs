//! Preprocessors (`-pp`, `-ppflag`, `pp(...)`, `ppx(...)`, camlp4's
//! `camlp4o`) and the `.pp.ml` target, against ocamlbuild: the dependency
//! scan sees the preprocessed source, so a module only the preprocessor
//! mentions is compiled and linked first, and one it removes is not built.

use std::path::Path;
use std::process::Command;

use crate::side_by_side::build;
use crate::support::Tree;

/// A `-pp` command: replaces `@EXTRA@` by `Extra.value` and drops the lines
/// mentioning `DROP`.
const ADDREF: &str = "#!/bin/sh\nsed -e 's/@EXTRA@/Extra.value/g' -e '/DROP/d' \"$1\"\n";

/// Writes the preprocessor script in `dir`; returns its path.
fn addref(dir: &Path) -> String {
    let p = dir.join("addref.sh");
    std::fs::write(&p, ADDREF).expect("write script");
    p.display().to_string()
}

/// `main.ml` mentions `Extra` only through `@EXTRA@`, and `Gone` (which
/// does not compile) only on a line the preprocessor drops; `Extra` uses
/// `Base`, so the link order is `base extra main`.
fn files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("base.ml", "let v = 40\n"),
        ("extra.ml", "let value = Base.v + 2\n"),
        ("gone.ml", "let x : int = \"not an int\"\n"),
        (
            "main.ml",
            "let () = print_int @EXTRA@; print_newline ()\nlet _ = Gone.x (* DROP *)\n",
        ),
    ]
}

fn link_of(t: &Tree, program: &str) -> String {
    t.commands()
        .into_iter()
        .find(|c| c.ends_with(&format!("-o {program}")) && !c.contains(" -c "))
        .unwrap_or_else(|| panic!("no link of {program}"))
}

#[test]
fn pp_script_adds_and_removes_module_references() {
    let scripts = tempfile::tempdir().expect("tmp");
    let pp = format!("sh {}", addref(scripts.path()));
    for args in [
        vec!["-pp", pp.as_str(), "main.native", "main.byte"],
        vec!["-ppflag", pp.as_str(), "main.byte", "main.native"],
    ] {
        let both = build(&files(), &args, &[]);
        assert_eq!(both.our_run.code, 0, "{}", both.our_run.stdout);
        assert!(both.same_commands(&|t| t.ends_with(".depends")) >= 6);
        both.same_files(&["main.ml.depends"]);
        assert_eq!(both.same_output("main.native"), "42\n");
        assert_eq!(both.same_output("main.byte"), "42\n");
        assert!(
            link_of(&both.ours, "main.native")
                .ends_with("base.cmx extra.cmx main.cmx -o main.native")
        );
        assert!(!both.ours.exists("_build/gone.cmo") && !both.ours.exists("_build/gone.cmx"));
    }
}

#[test]
fn pp_tag_applies_to_the_files_it_tags() {
    let scripts = tempfile::tempdir().expect("tmp");
    let tags = format!("<main.ml>: pp(sh {})\n", addref(scripts.path()));
    let mut f = files();
    f.push(("_tags", tags.as_str()));
    let both = build(&f, &["main.byte", "main.native"], &[]);
    assert_eq!(both.our_run.code, 0, "{}", both.our_run.stdout);
    assert!(both.same_commands(&|t| t.ends_with(".depends")) >= 6);
    assert_eq!(both.same_output("main.native"), "42\n");
    assert!(link_of(&both.ours, "main.byte").ends_with("base.cmo extra.cmo main.cmo -o main.byte"));
}

const PPX: &str = "(* Rewrites [%extra] into Extra.value. *)\n\
open Parsetree\n\
let expr mapper e =\n\
  match e.pexp_desc with\n\
  | Pexp_extension ({ txt = \"extra\"; _ }, _) ->\n\
    Ast_helper.Exp.ident ~loc:e.pexp_loc\n\
      { txt = Longident.Ldot (Longident.Lident \"Extra\", \"value\"); loc = e.pexp_loc }\n\
  | _ -> Ast_mapper.default_mapper.expr mapper e\n\
let () = Ast_mapper.run_main (fun _ -> { Ast_mapper.default_mapper with expr })\n";

#[test]
fn ppx_rewriter_adds_a_module_reference() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("ppx_extra.ml"), PPX).expect("write");
    let built = Command::new("ocamlfind")
        .args([
            "ocamlopt",
            "-package",
            "compiler-libs.common",
            "-linkpkg",
            "ppx_extra.ml",
            "-o",
            "ppx_extra.exe",
        ])
        .current_dir(dir.path())
        .output()
        .expect("ocamlfind");
    assert!(built.status.success(), "{built:?}");
    let tags = format!(
        "<main.ml>: ppx({})\n",
        dir.path().join("ppx_extra.exe").display()
    );
    let both = build(
        &[
            ("base.ml", "let v = 40\n"),
            ("extra.ml", "let value = Base.v + 2\n"),
            ("main.ml", "let () = print_int [%extra]; print_newline ()\n"),
            ("_tags", tags.as_str()),
        ],
        &["main.native", "main.byte"],
        &[],
    );
    assert_eq!(both.our_run.code, 0, "{}", both.our_run.stdout);
    assert!(both.same_commands(&|t| t.ends_with(".depends")) >= 6);
    both.same_files(&["main.ml.depends"]);
    assert_eq!(both.same_output("main.native"), "42\n");
    assert_eq!(both.same_output("main.byte"), "42\n");
    assert!(
        link_of(&both.ours, "main.native").ends_with("base.cmx extra.cmx main.cmx -o main.native")
    );
}

const STREAMS: &str = "let rec sum = parser\n\
  | [< 'x; s >] -> x + sum s\n\
  | [< >] -> 0\n\
let () = print_int (Util.twice (sum [< '1; '2; '3 >])); print_newline ()\n";

#[test]
fn camlp4o_tag_and_pp_ml_target() {
    let both = build(
        &[
            ("s.ml", STREAMS),
            ("util.ml", "let twice x = 2 * x\n"),
            ("_tags", "<s.ml>: camlp4o\n"),
        ],
        &["s.native", "s.byte", "s.pp.ml"],
        &[],
    );
    assert_eq!(both.our_run.code, 0, "{}", both.our_run.stdout);
    assert!(both.same_commands(&|t| !t.ends_with(".cmo")) >= 6);
    both.same_files(&["s.pp.ml", "s.ml.depends"]);
    assert_eq!(both.same_output("s.native"), "12\n");
    assert_eq!(both.same_output("s.byte"), "12\n");
    let (ours, _) = both.logs();
    assert_eq!(
        ours["s.pp.ml"],
        [(
            "{  }".to_string(),
            "camlp4o s.ml -printer o -o s.pp.ml".to_string()
        )]
    );
}

#[test]
fn pp_ml_of_a_printing_preprocessor_is_an_error_with_a_hint() {
    // ocamlbuild runs the command, which prints instead of writing the
    // file, and reports success without the file; caravan says why.
    let scripts = tempfile::tempdir().expect("tmp");
    let pp = format!("sh {}", addref(scripts.path()));
    let t = Tree::new(&files());
    let r = t.caravan(&["-pp", &pp, "main.pp.ml"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stdout.contains("did not write main.pp.ml"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Hint:"), "{}", r.stdout);
}

#[test]
fn syntax_tags_without_ocamlfind_warn_and_fail_as_in_ocamlbuild() {
    // With -no-ocamlfind (ocamlbuild's default), `syntax(...)` and
    // `package(...)` mean nothing: the same warnings, then the same syntax
    // error.
    let both = build(
        &[
            ("s.ml", STREAMS),
            ("util.ml", "let twice x = 2 * x\n"),
            ("_tags", "true: syntax(camlp4o), package(camlp4)\n"),
        ],
        &["-no-ocamlfind", "s.native"],
        &[],
    );
    assert_eq!(both.our_run.code, 10);
    assert_eq!(
        both.our_run.stdout.replace(" # in-process", ""),
        both.their_run.stdout
    );
}

#[test]
fn syntax_tags_with_ocamlfind_preprocess_with_camlp4() {
    // The same tree in ocamlfind mode (automatic for caravan, asked for
    // ocamlbuild): camlp4o's stream parsers compile and run.
    let both = build(
        &[
            ("s.ml", STREAMS),
            ("util.ml", "let twice x = 2 * x\n"),
            ("_tags", "true: syntax(camlp4o), package(camlp4)\n"),
        ],
        &["s.native"],
        &["-use-ocamlfind"],
    );
    assert_eq!(both.our_run.code, 0, "{}", both.our_run.stdout);
    assert_eq!(
        both.ours.run("s.native", &[]).stdout,
        both.theirs.run("s.native", &[]).stdout
    );
}
