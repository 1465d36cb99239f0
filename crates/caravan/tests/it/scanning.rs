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
