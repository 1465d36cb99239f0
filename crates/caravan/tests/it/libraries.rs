//! Libraries: archives from `.mllib`, of a module's closure, plugins
//! (`.cmxs`), `-lib`, and `use_<lib>` for a library of the project, each
//! against the real ocamlbuild.

use crate::support::{SideBySide, Tree};

/// `foo.mllib` lists `A B sub/Sub_c`; a uses b, b uses sub/sub_c.
fn library_tree() -> Vec<(&'static str, &'static str)> {
    vec![
        ("a.ml", "let x = B.y + 1\n"),
        ("b.ml", "let y = Sub_c.z * 2\n"),
        ("sub/sub_c.ml", "let z = 20\n"),
        ("foo.mllib", "# the library\nA B\nsub/Sub_c\n"),
        ("main.ml", "let () = Printf.printf \"%d\\n\" A.x\n"),
        ("_tags", "<sub>: include\n"),
    ]
}

#[test]
fn archives_from_an_mllib_match_ocamlbuild() {
    let s = SideBySide::new(&library_tree(), &[]);
    s.build(&[
        "foo.cma",
        "foo.cmxa",
        "foo.cmxs",
        "main.native",
        "main.byte",
    ]);
    s.same_artifacts(&["foo.cma", "foo.cmxa", "foo.a", "foo.cmxs"]);
    // Exactly the listed modules, dependencies first.
    let cma = s.same_command("foo.cma");
    assert!(
        cma.ends_with("-a -I sub sub/sub_c.cmo b.cmo a.cmo -o foo.cma"),
        "{cma}"
    );
    s.same_command("foo.cmxa");
    let cmxs = s.same_command("foo.cmxs");
    assert!(
        cmxs.ends_with("-shared -linkall foo.cmxa -o foo.cmxs"),
        "{cmxs}"
    );
    assert_eq!(s.same_output("main.native", &[]), "41\n");
    s.same_output("main.byte", &[]);
}

#[test]
fn archives_without_mllib_hold_the_module_and_its_closure() {
    let s = SideBySide::new(&library_tree(), &[]);
    s.build(&["a.cma", "a.cmxa", "a.cmxs"]);
    s.same_artifacts(&["a.cma", "a.cmxa", "a.a", "a.cmxs"]);
    let cma = s.same_command("a.cma");
    assert!(cma.ends_with("sub/sub_c.cmo b.cmo a.cmo -o a.cma"), "{cma}");
    s.same_command("a.cmxa");
    s.same_command("a.cmxs");
}

#[test]
fn only_listed_modules_in_dependency_order() {
    // B is listed first but uses A; C (used by A) is not listed.
    let s = SideBySide::new(
        &[
            ("a.ml", "let x = C.c\n"),
            ("b.ml", "let y = A.x\n"),
            ("c.ml", "let c = 3\n"),
            ("z.ml", "let z = 0\n"),
            ("lib.mllib", "b Z\nA\n"),
            ("_tags", ""),
        ],
        &[],
    );
    s.build(&["lib.cma", "lib.cmxa"]);
    let cma = s.same_command("lib.cma");
    assert!(cma.ends_with("-a a.cmo b.cmo z.cmo -o lib.cma"), "{cma}");
    s.same_command("lib.cmxa");
}

#[test]
fn an_mldylib_wins_over_the_mllib_for_the_cmxs() {
    let mut files = library_tree();
    files.push(("foo.mldylib", "A\n"));
    files.push(("bar.mllib", "B\n"));
    let s = SideBySide::new(&files, &[]);
    s.build(&["foo.cmxs", "bar.cmxs"]);
    let foo = s.same_command("foo.cmxs");
    assert!(foo.ends_with("-shared a.cmx -o foo.cmxs"), "{foo}");
    let bar = s.same_command("bar.cmxs");
    assert!(
        bar.ends_with("-shared -linkall bar.cmxa -o bar.cmxs"),
        "{bar}"
    );
}

#[test]
fn lib_options_reach_programs_and_archives() {
    let s = SideBySide::new(
        &[
            (
                "a.ml",
                "let pid () = if Unix.getpid () > 0 then \"pid\" else \"\"\n",
            ),
            (
                "main.ml",
                "let () = print_string (A.pid ())\nlet () = print_endline (Str.global_replace (Str.regexp \"a\") \"o\" \"banana\")\n",
            ),
            ("a.mllib", "A\n"),
        ],
        &[],
    );
    s.build(&["-libs", "unix,str", "a.cma", "main.byte", "main.native"]);
    s.same_command("a.cma");
    s.same_command("main.byte");
    s.same_command("main.native");
    assert_eq!(s.same_output("main.native", &[]), "pidbonono\n");
}

#[test]
fn mod_options_link_a_module_everywhere() {
    let s = SideBySide::new(
        &[
            ("Extra.ml", "let () = print_string \"extra \"\n"),
            ("main.ml", "let () = print_endline \"main\"\n"),
        ],
        &[],
    );
    s.build(&[
        "-mod",
        "Extra",
        "Extra.cmo",
        "Extra.cmx",
        "main.byte",
        "main.native",
    ]);
    let byte = s.same_command("main.byte");
    assert!(byte.contains("Extra.cmo main.cmo"), "{byte}");
    s.same_command("main.native");
    assert_eq!(s.same_output("main.byte", &[]), "extra main\n");
    s.same_output("main.native", &[]);
}

/// `foo/foo.mllib`, used by `main` through `use_foo`; ocamlbuild needs a
/// plugin calling `ocaml_lib` for what caravan does by itself.
fn use_lib_tree(main: &'static str) -> SideBySide {
    SideBySide::new(
        &[
            (
                "foo/a.ml",
                "let x = B.y + 1\nlet () = print_endline \"init a\"\n",
            ),
            ("foo/b.ml", "let y = 41\n"),
            (
                "foo/unused.ml",
                "let () = print_endline \"unused linked\"\n",
            ),
            ("foo/foo.mllib", "A\nB\nUnused\n"),
            ("util.ml", "let twice x = 2 * x\n"),
            ("main.ml", main),
            ("_tags", "<main.*>: use_foo\n"),
        ],
        &[(
            "myocamlbuild.ml",
            "open Ocamlbuild_plugin\nlet () = dispatch (function After_rules -> ocaml_lib ~dir:\"foo\" \"foo/foo\" | _ -> ())\n",
        )],
    )
}

#[test]
fn use_lib_links_the_archive_like_ocaml_lib() {
    let s = use_lib_tree("let () = Printf.printf \"%d\\n\" (Util.twice A.x)\n");
    // ocamlbuild builds the archive before compiling main only when asked
    // first (its issue #57); caravan builds it when needed.
    s.build(&["foo/foo.cma", "foo/foo.cmxa", "main.native", "main.byte"]);
    s.same_artifacts(&["foo/foo.cma", "foo/foo.cmxa", "foo/foo.a"]);
    let native = s.same_command("main.native");
    assert!(
        native.ends_with("-I foo foo/foo.cmxa util.cmx main.cmx -o main.native"),
        "{native}"
    );
    s.same_command("main.byte");
    let compile = s.same_command("main.cmo");
    assert!(compile.contains(" -I foo "), "{compile}");
    assert_eq!(s.same_output("main.native", &[]), "init a\n84\n");
    s.same_output("main.byte", &[]);

    let alone = use_lib_tree("let () = Printf.printf \"%d\\n\" A.x\n");
    alone.ours.caravan(&["main.native"]).ok();
    assert_eq!(alone.ours.run("main.native", &[]).stdout, "init a\n42\n");
}

#[test]
fn a_used_library_nothing_needs_comes_first() {
    let s = use_lib_tree("let () = print_int (Util.twice 2)\n");
    s.build(&["foo/foo.cma", "main.byte"]);
    let link = s.same_command("main.byte");
    assert!(
        link.ends_with("-I foo foo/foo.cma util.cmo main.cmo -o main.byte"),
        "{link}"
    );
    s.same_output("main.byte", &[]);
}

#[test]
fn use_lib_is_never_an_unused_tag() {
    let t = Tree::new(&[
        ("lib/x.ml", "let v = 1\n"),
        ("lib/mylib.mllib", "X\n"),
        ("main.ml", "let () = print_int X.v\n"),
        ("_tags", "<main.*>: use_mylib, use_nothing\n"),
    ]);
    let r = t.caravan(&["main.byte"]).ok();
    assert!(!r.stdout.contains("\"use_mylib\""), "{}", r.stdout);
    assert!(r.stdout.contains("\"use_nothing\""), "{}", r.stdout);
    assert_eq!(t.run("main.byte", &[]).stdout, "1");
}

#[test]
fn two_libraries_with_one_name_are_an_error_when_used() {
    let t = Tree::new(&[
        ("a/x.ml", "let v = 1\n"),
        ("a/lib.mllib", "X\n"),
        ("b/y.ml", "let v = 2\n"),
        ("b/lib.mllib", "Y\n"),
        ("main.ml", "let () = print_int X.v\n"),
        ("_tags", "<main.*>: use_lib\n"),
    ]);
    let r = t.caravan(&["main.byte"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout.contains("a/lib.mllib, b/lib.mllib") && r.stdout.contains("Hint:"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_missing_module_in_an_mllib_names_the_file() {
    let t = Tree::new(&[("a.ml", "let x = 1\n"), ("lib.mllib", "A Nowhere\n")]);
    let r = t.caravan(&["lib.cma"]);
    assert_eq!(r.code, 6, "{}", r.stdout);
    assert!(
        r.stdout.contains("lib.mllib lists the module Nowhere"),
        "{}",
        r.stdout
    );
}

#[test]
fn archives_tagged_ocamlmklib_are_made_by_ocamlmklib() {
    let files = [
        ("a.ml", "let x = 1\n"),
        ("b.ml", "let y = A.x\n"),
        ("lib.mllib", "A B\n"),
        ("_tags", "<lib.cma> or <b.cma> or <lib.cmxa>: ocamlmklib\n"),
    ];
    let s = SideBySide::new(&files, &[]);
    s.build(&["lib.cma", "b.cma"]);
    s.same_artifacts(&["lib.cma", "b.cma"]);
    // The log names what ocamlmklib's -o gets, as ocamlbuild's does.
    let lib = s.same_command("lib");
    assert!(lib.ends_with("ocamlmklib.opt a.cmo b.cmo -o lib"), "{lib}");
    s.same_command("b");
    let native = SideBySide::new(&files, &[]);
    native.build(&["lib.cmxa"]);
    native.same_artifacts(&["lib.cmxa", "lib.a"]);
    native.same_command("lib");
}
