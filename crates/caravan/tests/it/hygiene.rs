//! Hygiene, -clean and exit codes, as ocamlbuild.

use std::os::unix::fs::PermissionsExt;

use crate::support::Tree;

fn dirty() -> Tree {
    Tree::new(&[
        ("a.ml", "let () = ()\n"),
        ("a.cmi", ""),
        ("a.cmo", ""),
        ("b.o", ""),
        ("c.annot", ""),
        ("lex.mll", ""),
        ("lex.ml", ""),
        ("_tags", ""),
        ("sub/x.cmx", ""),
    ])
}

#[test]
fn leftovers_stop_the_build_with_ocamlbuilds_report() {
    let t = dirty();
    let r = t.caravan(&["a.byte"]);
    assert_eq!(r.code, 1);
    let theirs = t.copy_sources().ocamlbuild(&["a.byte"]);
    assert_eq!(theirs.code, 1);
    // Same report, but for the absolute path of each tree.
    let ours = r.stdout.replace(&t.root().display().to_string(), "ROOT");
    assert!(ours.contains("\"ROOT/_build/sanitize.sh\""), "{ours}");
    assert!(ours.contains("IMPORTANT: I cannot work with leftover compiled files."));
    assert!(
        ours.ends_with("Exiting due to hygiene violations.\n"),
        "{ours}"
    );
    let their_lines: Vec<&str> = theirs.stdout.lines().skip(5).collect();
    let our_lines: Vec<&str> = r.stdout.lines().skip(5).collect();
    assert_eq!(our_lines, their_lines);
    assert!(!t.exists("_build/a.cmo"));
}

#[test]
fn the_sanitize_script_removes_the_leftovers() {
    let t = dirty();
    t.caravan(&["a.byte"]);
    let script = t.path("_build/sanitize.sh");
    let mode = std::fs::metadata(&script)
        .expect("script")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o777);
    let status = std::process::Command::new(&script)
        .status()
        .expect("run script");
    assert!(status.success());
    for f in ["a.cmi", "a.cmo", "b.o", "c.annot", "lex.ml", "sub/x.cmx"] {
        assert!(!t.exists(f), "{f} still there");
    }
    assert!(t.exists("lex.mll") && t.exists("a.ml"));
    t.caravan(&["a.byte"]).ok();
}

#[test]
fn no_hygiene_builds_anyway_and_no_sanitize_writes_no_script() {
    // Leftovers that the build does not use (a leftover a.cmo would be
    // taken as a source, by ocamlbuild too: that is what hygiene prevents).
    let t = Tree::new(&[
        ("a.ml", "let () = ()\n"),
        ("old/x.cmo", ""),
        ("y.o", ""),
        ("_tags", ""),
    ]);
    t.caravan(&["-no-hygiene", "a.byte"]).ok();
    let t = dirty();
    let r = t.caravan(&["-no-sanitize", "a.byte"]);
    assert_eq!(r.code, 1);
    assert!(!t.exists("_build/sanitize.sh"));
}

#[test]
fn warnings_alone_let_the_build_go_on() {
    let t = Tree::new(&[("a.ml", "let () = ()\n"), ("c.annot", "")]);
    let r = t.caravan(&["a.byte"]).ok();
    assert!(
        r.stdout
            .contains("Warning: Leftover OCaml type annotation files:")
    );
}

#[test]
fn clean_removes_the_build_dir_and_links() {
    let t = Tree::new(&[("a.ml", "let () = ()\n")]);
    t.caravan(&["a.native"]).ok();
    assert!(t.exists("a.native"));
    let r = t.caravan(&["-clean"]).ok();
    assert!(r.stdout.is_empty());
    assert!(!t.exists("_build"));
    assert!(std::fs::symlink_metadata(t.path("a.native")).is_err());
    assert!(t.exists("a.ml"));
}

#[test]
fn exit_codes_match_ocamlbuild() {
    let t = Tree::new(&[("a.ml", "let x : int = \"s\"\n")]);
    assert_eq!(t.caravan(&["a.byte"]).code, 10);
    assert_eq!(t.caravan(&["a.opt"]).code, 6);
    assert_eq!(t.caravan(&["nothere.byte"]).code, 6);
    assert_eq!(t.copy_sources().ocamlbuild(&["a.byte"]).code, 10);
    assert_eq!(t.copy_sources().ocamlbuild(&["a.opt"]).code, 6);
    assert_eq!(t.copy_sources().ocamlbuild(&["nothere.byte"]).code, 6);
}
