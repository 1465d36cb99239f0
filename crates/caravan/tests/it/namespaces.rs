//! Namespaced libraries (`namespace(Foo)` on a `.mllib`): modules compiled
//! as `Foo__Bar` behind generated alias modules, with the real compilers,
//! and what an edit of one member recompiles against the same library made
//! as a pack.

use crate::support::Tree;

/// The library's modules, in `lib/`: `Bar` uses `Baz`, `Quux` uses `Qux`.
const MEMBERS: &[(&str, &str)] = &[
    ("lib/bar.ml", "let name = \"bar\" ^ Baz.suffix\n"),
    ("lib/baz.ml", "let suffix = \"+baz\"\n"),
    ("lib/baz.mli", "val suffix : string\n"),
    ("lib/qux.ml", "let q = 40\n"),
    ("lib/qux.mli", "val q : int\n"),
    ("lib/quux.ml", "let v = Qux.q + 2\n"),
];

/// The users, at the root: `main` uses `Foo.Bar` and `Other`, which uses
/// `Foo.Baz`; the program `third` uses `Foo.Qux` and `Foo.Quux`.
const USERS: &[(&str, &str)] = &[
    (
        "main.ml",
        "let () = print_endline (Foo.Bar.name ^ \" \" ^ Other.x)\n",
    ),
    ("other.ml", "let x = Foo.Baz.suffix\n"),
    ("third.ml", "let () = print_int (Foo.Qux.q + Foo.Quux.v)\n"),
];

fn project(extra: &[(&str, &str)]) -> Tree {
    let mut files: Vec<(&str, &str)> = MEMBERS.to_vec();
    files.extend_from_slice(USERS);
    files.extend_from_slice(extra);
    Tree::new(&files)
}

/// The namespaced library.
fn namespaced() -> Tree {
    project(&[
        ("lib/mylib.mllib", "Bar\nBaz\nQux\nQuux\n"),
        (
            "_tags",
            "<lib>: include\n<lib/mylib.mllib>: namespace(Foo)\n<lib/baz.ml>: debug\n",
        ),
    ])
}

/// The same library as a pack.
fn packed() -> Tree {
    project(&[
        ("foo.mlpack", "lib/Bar\nlib/Baz\nlib/Qux\nlib/Quux\n"),
        ("_tags", "<lib>: include\n<lib/*.cmx>: for-pack(Foo)\n"),
    ])
}

/// The files the compilations of the last build wrote (`-o` of each
/// `ocamlc -c`, `ocamlopt -c` or `-pack` command).
fn compiled(t: &Tree) -> Vec<String> {
    t.compiler_commands()
        .iter()
        .filter(|c| c.contains(" -c ") || c.contains(" -pack "))
        .filter_map(|c| c.split(" -o ").nth(1))
        .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
        .collect()
}

/// An edit of `Qux`'s interface.
fn edit_qux(t: &Tree) {
    t.write("lib/qux.mli", "val q : int\nval r : int\n");
    t.write("lib/qux.ml", "let q = 40\nlet r = 1\n");
}

#[test]
fn a_namespaced_library_builds_and_its_users_run() {
    let t = namespaced();
    let run = t
        .caravan(&[
            "main.byte",
            "main.native",
            "third.native",
            "lib/mylib.cma",
            "lib/mylib.cmxa",
        ])
        .ok();
    // The tag is known: no warning about its parameter, nor unused.
    assert!(!run.stdout.contains("Warning"), "{}", run.stdout);
    assert_eq!(t.run("./main.byte", &[]).ok().stdout, "bar+baz +baz\n");
    assert_eq!(t.run("./main.native", &[]).ok().stdout, "bar+baz +baz\n");
    assert_eq!(t.run("./third.native", &[]).ok().stdout, "82");
    let log = t.read("_build/_log");
    // Members are prefixed copies compiled inside the namespace; the alias
    // modules need no member.
    assert!(
        log.contains("-open Foo__ -I lib -o lib/foo__Bar.cmo lib/foo__Bar.ml"),
        "{log}"
    );
    assert!(
        log.contains("-no-alias-deps -w -49 -I lib -o lib/foo.cmo lib/foo.ml"),
        "{log}"
    );
    // The tags of the user's file reach its copy.
    assert!(
        log.contains("-c -g -open Foo__ -I lib -o lib/foo__Baz.cmo lib/foo__Baz.ml"),
        "{log}"
    );
    assert_eq!(
        t.read("_build/lib/foo.ml")
            .lines()
            .skip(1)
            .collect::<Vec<_>>(),
        [
            "module Bar = Foo__Bar",
            "module Baz = Foo__Baz",
            "module Qux = Foo__Qux",
            "module Quux = Foo__Quux"
        ]
    );
    assert!(
        t.read("_build/lib/foo__Bar.ml")
            .starts_with("# 1 \"lib/bar.ml\"\n"),
    );
    // The archive holds the alias modules and the members.
    let archive = t
        .compiler_commands()
        .into_iter()
        .find(|c| c.ends_with("-o lib/mylib.cma"))
        .expect("the archive was made");
    for m in [
        "lib/foo__.cmo",
        "lib/foo.cmo",
        "lib/foo__Bar.cmo",
        "lib/foo__Quux.cmo",
    ] {
        assert!(archive.contains(m), "{archive}");
    }
    // A null build compiles nothing.
    t.caravan(&["main.byte", "main.native"]).ok();
    assert!(compiled(&t).is_empty(), "{:#?}", t.commands());
}

#[test]
fn an_edit_of_one_member_recompiles_its_users_only_and_less_than_with_a_pack() {
    let targets = ["main.byte", "main.native", "third.byte", "third.native"];
    let ns = namespaced();
    ns.caravan(&targets).ok();
    edit_qux(&ns);
    ns.caravan(&targets).ok();
    assert_eq!(ns.run("./third.native", &[]).ok().stdout, "82");
    let ns_compiled = compiled(&ns);
    // Qux, its user inside the library (Quux) and outside (Third) only.
    for f in &ns_compiled {
        assert!(
            f.starts_with("lib/foo__Qux.")
                || f.starts_with("lib/foo__Quux.")
                || f.starts_with("third."),
            "{f} was recompiled: {ns_compiled:#?}"
        );
    }
    assert!(ns_compiled.iter().any(|f| f == "lib/foo__Qux.cmi"));
    assert!(ns_compiled.iter().any(|f| f == "third.cmx"));

    let pack = packed();
    pack.caravan(&targets).ok();
    assert_eq!(pack.run("./third.native", &[]).ok().stdout, "82");
    edit_qux(&pack);
    pack.caravan(&targets).ok();
    let pack_compiled = compiled(&pack);
    // The pack's interface changed: every user of Foo is compiled again.
    assert!(pack_compiled.iter().any(|f| f == "main.cmx"));
    eprintln!(
        "after an edit of Qux's interface: {} compilations namespaced, {} packed\n\
         namespaced: {ns_compiled:?}\npacked: {pack_compiled:?}",
        ns_compiled.len(),
        pack_compiled.len()
    );
    assert!(
        ns_compiled.len() < pack_compiled.len(),
        "namespaced {ns_compiled:#?} packed {pack_compiled:#?}"
    );
}

#[test]
fn private_and_unlisted_modules_are_not_reachable_through_the_namespace() {
    let t = Tree::new(&[
        ("lib/bar.ml", "let name = \"bar\" ^ Secret.s\n"),
        ("lib/sub/secret.ml", "let s = \"!\"\n"),
        ("lib/hidden.ml", "let h = 1\n"),
        ("lib/mylib.mllib", "Bar\nsub/Secret\n"),
        ("main.ml", "let () = print_endline Foo.Bar.name\n"),
        ("peek.ml", "let () = print_endline Foo.Secret.s\n"),
        ("look.ml", "let () = print_int Foo.Hidden.h\n"),
        (
            "_tags",
            "<lib>: include\n<lib/mylib.mllib>: namespace(Foo)\n",
        ),
    ]);
    // Inside the library, the private member is used by its name.
    t.caravan(&["main.byte"]).ok();
    assert_eq!(t.run("./main.byte", &[]).ok().stdout, "bar!\n");
    assert!(t.exists("_build/lib/sub/foo__Secret.cmo"));
    assert!(!t.read("_build/lib/foo.ml").contains("Secret"));
    let peek = t.caravan(&["peek.byte"]);
    assert_ne!(peek.code, 0);
    assert!(
        peek.stdout.contains("Unbound module Foo.Secret"),
        "{}",
        peek.stdout
    );
    let look = t.caravan(&["look.byte"]);
    assert_ne!(look.code, 0);
    assert!(
        look.stdout.contains("Unbound module Foo.Hidden"),
        "{}",
        look.stdout
    );
}

#[test]
fn open_of_the_namespace_depends_on_the_members_named_after_it() {
    let t = namespaced();
    t.write("opener.ml", "open Foo\nlet () = print_endline Bar.name\n");
    t.caravan(&["opener.byte", "opener.native"]).ok();
    assert_eq!(t.run("./opener.native", &[]).ok().stdout, "bar+baz\n");
    edit_qux(&t);
    t.caravan(&["opener.byte", "opener.native"]).ok();
    let after = compiled(&t);
    assert!(
        !after.iter().any(|f| f.starts_with("opener.")),
        "{after:#?}"
    );
    // An edit of Bar's dependency reaches it.
    t.write("lib/baz.mli", "val suffix : string\nval more : int\n");
    t.write("lib/baz.ml", "let suffix = \"+baz\"\nlet more = 1\n");
    t.caravan(&["opener.byte", "opener.native"]).ok();
    let after = compiled(&t);
    assert!(after.iter().any(|f| f == "opener.cmx"), "{after:#?}");
}

#[test]
fn a_members_compile_error_names_the_users_file() {
    let t = namespaced();
    t.write("lib/quux.ml", "let v = Qux.q + \"two\"\n");
    let run = t.caravan(&["lib/mylib.cma"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stdout.contains("File \"lib/quux.ml\", line 1"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_generated_member_is_namespaced_too() {
    let t = Tree::new(&[
        (
            "lib/lexer.mll",
            "rule count n = parse 'a' { count (n + 1) lexbuf } | _ { count n lexbuf } | eof { n }\n",
        ),
        (
            "lib/bar.ml",
            "let n = Lexer.count 0 (Lexing.from_string \"banana\")\n",
        ),
        ("lib/mylib.mllib", "Lexer\nBar\n"),
        ("main.ml", "let () = print_int Foo.Bar.n\n"),
        (
            "_tags",
            "<lib>: include\n<lib/mylib.mllib>: namespace(Foo)\n",
        ),
    ]);
    t.caravan(&["main.byte"]).ok();
    assert_eq!(t.run("./main.byte", &[]).ok().stdout, "3");
    assert!(t.exists("_build/lib/foo__Lexer.cmo"));
}

#[test]
fn a_source_where_the_alias_module_goes_is_an_error_at_the_tag() {
    let t = Tree::new(&[
        ("lib/bar.ml", "let x = 1\n"),
        ("lib/foo.ml", "let y = 2\n"),
        ("lib/mylib.mllib", "Bar\n"),
        ("main.ml", "let () = print_int Foo.Bar.x\n"),
        (
            "_tags",
            "<lib>: include\n<lib/mylib.mllib>: namespace(Foo)\n",
        ),
    ]);
    let run = t.caravan(&["main.byte"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stdout.contains("File \"_tags\", line 2"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("lib/foo.ml"), "{}", run.stdout);
    assert!(run.stdout.contains("Hint:"), "{}", run.stdout);

    t.remove("lib/foo.ml");
    t.write(
        "_tags",
        "<lib>: include\n<lib/mylib.mllib>: namespace(foo-bar)\n",
    );
    let run = t.caravan(&["main.byte"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stdout.contains("File \"_tags\", line 2") && run.stdout.contains("not a module name"),
        "{}",
        run.stdout
    );
}

#[test]
fn use_lib_finds_the_namespace_and_links_the_archive() {
    let t = Tree::new(&[
        ("lib/bar.ml", "let name = \"bar\" ^ Baz.suffix\n"),
        ("lib/baz.ml", "let suffix = \"+baz\"\n"),
        ("lib/mylib.mllib", "Bar\nBaz\n"),
        ("main.ml", "let () = print_endline Foo.Bar.name\n"),
        (
            "_tags",
            "<lib/mylib.mllib>: namespace(Foo)\n<main.*>: use_mylib\n",
        ),
    ]);
    t.caravan(&["main.byte", "main.native"]).ok();
    assert_eq!(t.run("./main.byte", &[]).ok().stdout, "bar+baz\n");
    assert_eq!(t.run("./main.native", &[]).ok().stdout, "bar+baz\n");
    let link = t
        .compiler_commands()
        .into_iter()
        .find(|c| c.ends_with("-o main.byte"))
        .expect("linked");
    assert!(
        link.contains("lib/mylib.cma") && !link.contains("foo__Bar.cmo"),
        "{link}"
    );
}

#[test]
fn a_members_inferred_interface_and_documentation_see_the_namespace() {
    let t = namespaced();
    t.caravan(&["lib/foo__Bar.inferred.mli", "lib/foo__Bar.odoc"])
        .ok();
    assert_eq!(
        t.read("_build/lib/foo__Bar.inferred.mli"),
        "val name : string\n"
    );
}
