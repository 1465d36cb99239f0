//! Dependencies are scanned in process; ocamldep only shows errors.

use crate::support::Tree;

#[test]
fn ocamldep_is_not_run_to_find_dependencies() {
    let t = Tree::new(&[
        ("a.ml", "let x = 1\n"),
        ("b.mli", "val y : int\n"),
        ("b.ml", "let y = A.x\n"),
        ("main.ml", "let () = print_int B.y\n"),
    ]);
    // A dependency tool that always fails: the build must not need it.
    t.caravan(&["-ocamldep", "false", "main.native", "main.byte"])
        .ok();
    assert_eq!(t.run("main.native", &[]).stdout, "1");
}

#[test]
fn a_syntax_error_shows_the_real_message() {
    let t = Tree::new(&[("main.ml", "let x = (1 +\n")]);
    let r = t.caravan(&["main.byte"]);
    assert_eq!(r.code, 10, "{}", r.stdout);
    assert!(
        r.stdout.contains("File \"main.ml\", line 2"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Syntax error"), "{}", r.stdout);
}

/// The compilers list every entry of their `-I` folders at start: the
/// build's scans go to `_build/.caravan/scan`, which no compiler is given;
/// `x.ml.depends` is made when asked for, with ocamlbuild's content, and
/// the log shows every scan as ocamlbuild's `ocamldep` command.
#[test]
fn scans_stay_out_of_the_compilers_folders() {
    let t = Tree::new(&[
        ("lib/util.mli", "val twice : int -> int\n"),
        ("lib/util.ml", "let twice x = 2 * x\n"),
        ("main.ml", "let () = print_int (Util.twice 21)\n"),
    ]);
    t.caravan(&["-I", "lib", "main.native"]).ok();
    assert_eq!(t.run("main.native", &[]).stdout, "42");
    for dir in ["_build", "_build/lib"] {
        let names: Vec<String> = std::fs::read_dir(t.path(dir))
            .expect("read _build")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".depends"))
            .collect();
        assert!(names.is_empty(), "{dir}: {names:?}");
    }
    for scan in ["main.ml", "lib/util.ml", "lib/util.mli"] {
        assert!(
            t.exists(&format!("_build/.caravan/scan/{scan}.depends")),
            "{scan}"
        );
    }
    let log = t.read("_build/_log");
    assert!(
        log.contains(
            "# Target: lib/util.mli.depends, tags: { extension:mli, file:lib/util.mli, ocaml, ocamldep, quiet }\n"
        ),
        "{log}"
    );
    assert!(
        log.contains("ocamldep.opt -modules lib/util.mli > lib/util.mli.depends # in-process\n"),
        "{log}"
    );
    t.caravan(&["-I", "lib", "main.ml.depends", "lib/util.mli.depends"])
        .ok();
    assert_eq!(t.read("_build/main.ml.depends"), "main.ml: Util\n");
    assert_eq!(t.read("_build/lib/util.mli.depends"), "lib/util.mli:\n");
}
