//! `_tags` files and tag options, end to end, against ocamlbuild where the
//! output must match.

use crate::support::Tree;

const A: (&str, &str) = ("a.ml", "let x = 1\n");
const B: (&str, &str) = ("b.ml", "let () = print_int A.x\n");

#[test]
fn a_malformed_tags_file_is_reported_as_ocamlbuild_does() {
    for text in [
        "<a.ml>: debug annot\n",
        "a.ml: debug\n",
        "<a.ml> debug\n",
        "<a.ml>: debug, \n",
        "<**>: debug\n",
    ] {
        let t = Tree::new(&[A, B, ("_tags", text)]);
        let ours = t.caravan(&["b.byte"]);
        let theirs = t.copy_sources().ocamlbuild(&["b.byte"]);
        assert_eq!(ours.code, theirs.code, "{text:?}");
        assert_eq!(ours.stdout, theirs.stdout, "{text:?}");
    }
}

#[test]
fn show_tags_prints_what_ocamlbuild_prints() {
    let t = Tree::new(&[
        A,
        B,
        (
            "_tags",
            "true: debug, warn(+a)\n<a.*>: for-pack(Foo), rectypes\n\"b.ml\": annot\n",
        ),
        ("sub/_tags", "<*.ml>: principal\n"),
        ("sub/c.ml", "let y = 2\n"),
    ]);
    let args = [
        "-show-tags",
        "a.ml",
        "-show-tags",
        "sub/c.ml",
        "-show-tags",
        "b.byte",
    ];
    let ours = t.caravan(&args).ok();
    let theirs = t.copy_sources().ocamlbuild(&args).ok();
    assert_eq!(ours.stdout, theirs.stdout);
}

#[test]
fn unused_tags_warn_like_ocamlbuild() {
    let t = Tree::new(&[A, B, ("_tags", "true: debgu, warn\n<a.ml>: packag(x)\n")]);
    let ours = t.caravan(&["-quiet", "b.byte"]).ok();
    let theirs = t.copy_sources().ocamlbuild(&["-quiet", "b.byte"]).ok();
    assert_eq!(ours.stdout, theirs.stdout);
    assert!(ours.stdout.contains("the tag \"debgu\" is not used"));
}

#[test]
fn an_invalid_parameter_is_an_internal_error_like_ocamlbuild() {
    let t = Tree::new(&[A, B, ("_tags", "true: optimize(4)\n")]);
    let ours = t.caravan(&["b.native"]);
    assert_eq!(ours.code, 3, "{}", ours.stdout);
}

#[test]
fn not_traversed_folders_are_neither_searched_nor_checked() {
    let t = Tree::new(&[
        A,
        ("main.ml", "let () = print_int (A.x + Helper.v)\n"),
        ("lib/helper.ml", "let v = 1\n"),
        ("test/helper.ml", "let v = 100\n"),
        ("test/leftover.cmo", ""),
        ("_tags", "<test>: -traverse\n"),
    ]);
    // Even the wide module search leaves out what is not traversed.
    t.caravan(&["-search-all-dirs", "main.native"]).ok();
    assert_eq!(t.run("main.native", &[]).stdout, "2");
}

#[test]
fn include_tags_make_include_dirs() {
    let t = Tree::new(&[
        ("main.ml", "let () = print_int Helper.v\n"),
        ("lib/helper.ml", "let v = 7\n"),
        ("_tags", "<lib>: include\n"),
    ]);
    t.caravan(&["main.byte"]).ok();
    let compile = t
        .compiler_commands()
        .into_iter()
        .find(|c| c.ends_with("main.ml"))
        .expect("main compiled");
    assert!(compile.contains(" -I lib "), "{compile}");
    let theirs = t.copy_sources().ocamlbuild(&["main.byte"]);
    assert_eq!(theirs.code, 0, "{}", theirs.stdout);
}

#[test]
fn not_hygienic_and_precious_exempt_from_hygiene() {
    let t = Tree::new(&[
        A,
        B,
        ("vendor/blob.o", ""),
        ("keep.cmi", ""),
        ("_tags", "<vendor>: not_hygienic\n\"keep.cmi\": precious\n"),
    ]);
    t.caravan(&["b.byte"]).ok();
    let t = Tree::new(&[A, B, ("vendor/blob.o", ""), ("_tags", "")]);
    assert_eq!(t.caravan(&["b.byte"]).code, 1);
}

#[test]
fn documentation_lists_ocamlbuilds_flag_declarations() {
    let t = Tree::new(&[]);
    let ours = t.caravan(&["-documentation"]).ok().stdout;
    let theirs = t.ocamlbuild(&["-documentation"]).ok().stdout;
    // The flag part, without caravan's one addition (dllib).
    let flags_of = |text: &str| -> Vec<String> {
        text.split("\n\n")
            .map(str::trim)
            .filter(|e| e.contains("flag {."))
            .filter(|e| !e.contains("dllib("))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(flags_of(&ours), flags_of(&theirs));
    assert!(flags_of(&ours).len() > 290);
}

#[test]
fn changing_a_tags_line_rebuilds_only_the_commands_it_changes() {
    let t = Tree::new(&[A, B, ("c.ml", "let () = ignore A.x\n"), ("_tags", "")]);
    t.caravan(&["b.byte", "c.byte"]).ok();
    // `debug` changes b.cmo, so b.byte relinks; nothing else changes.
    t.write("_tags", "<b.ml>: debug\n");
    t.caravan(&["b.byte", "c.byte"]).ok();
    let ran = t.compiler_commands();
    assert_eq!(ran.len(), 2, "{ran:#?}");
    assert!(
        ran[0].contains(" -g ") && ran[0].ends_with("b.ml"),
        "{ran:#?}"
    );
    assert!(ran[1].ends_with("-o b.byte"), "{ran:#?}");
    // `annot` only adds a .annot file: b.cmo comes out identical and the
    // rebuild stops there.
    t.write("_tags", "<b.ml>: debug, annot\n");
    t.caravan(&["b.byte", "c.byte"]).ok();
    let ran = t.compiler_commands();
    assert_eq!(ran.len(), 1, "{ran:#?}");
    assert!(t.exists("_build/b.annot"));
}

#[test]
fn nothing_should_be_rebuilt_fails_when_something_would_be() {
    let t = Tree::new(&[A, B]);
    t.caravan(&["b.byte"]).ok();
    t.caravan(&["-nothing-should-be-rebuilt", "b.byte"]).ok();
    t.write("a.ml", "let x = 2\n");
    let r = t.caravan(&["-nothing-should-be-rebuilt", "b.byte"]);
    assert_eq!(r.code, 100, "{}", r.stdout);
    assert!(r.stdout.contains("a.ml"), "{}", r.stdout);
}

#[test]
fn ignored_modules_are_not_dependencies() {
    // A local list.ml would shadow the standard library's List; -ignore List
    // leaves it alone.
    let t = Tree::new(&[
        ("list.ml", "this is not OCaml\n"),
        ("b.ml", "let () = print_int (List.length [1; 2])\n"),
    ]);
    assert_eq!(t.caravan(&["b.byte"]).code, 10);
    t.caravan(&["-no-hygiene", "-ignore", "list", "b.byte"])
        .ok();
    assert_eq!(t.run("b.byte", &[]).stdout, "2");
}

#[test]
fn no_skip_refuses_unknown_modules() {
    let t = Tree::new(&[("b.ml", "let () = Nowhere.f ()\n")]);
    let r = t.caravan(&["-no-skip", "b.byte"]);
    assert_eq!(r.code, 6, "{}", r.stdout);
    assert!(r.stdout.contains("Nowhere"), "{}", r.stdout);
}
