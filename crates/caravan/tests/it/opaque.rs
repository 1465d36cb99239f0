//! Compile-time versus link-time dependencies: with `opaque`, an
//! implementation-only change of a library module recompiles that module,
//! rebuilds the archive and relinks, and recompiles nothing else.

use crate::support::{SideBySide, Tree};

fn files(tags: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("lib/a.mli", "val value : unit -> int\n"),
        ("lib/a.ml", "let value () = 1\n"),
        ("lib/b.ml", "let show () = string_of_int (A.value ())\n"),
        ("lib/lib.mllib", "A\nB\n"),
        (
            "main.ml",
            "let () = print_endline (B.show () ^ \"/\" ^ string_of_int (A.value ()))\n",
        ),
        ("_tags", tags),
    ]
}

const NEW_A: &str = "let value () = 2\n";

/// The commands of the last build, each reduced to what it made.
fn made(t: &Tree) -> Vec<String> {
    let mut v: Vec<String> = t
        .compiler_commands()
        .iter()
        .map(|c| {
            c.rsplit_once(" -o ")
                .map(|(_, o)| o)
                .unwrap_or(c)
                .to_string()
        })
        .collect();
    v.sort();
    v
}

#[test]
fn with_opaque_an_implementation_change_stops_at_the_archive_and_links() {
    let t = Tree::new(&files("true: opaque\n<main.*>: use_lib\n"));
    t.caravan(&["main.native", "main.byte"]).ok();
    assert_eq!(t.run("main.native", &[]).stdout, "1/1\n");
    t.write("lib/a.ml", NEW_A);
    t.caravan(&["main.native", "main.byte"]).ok();
    assert_eq!(
        made(&t),
        [
            "lib/a.cmo lib/a.ml",
            "lib/a.cmx lib/a.ml",
            "lib/lib.cma",
            "lib/lib.cmxa",
            "main.byte",
            "main.native",
        ]
    );
    assert_eq!(t.run("main.native", &[]).stdout, "2/2\n");
    assert_eq!(t.run("main.byte", &[]).stdout, "2/2\n");
}

#[test]
fn without_opaque_native_users_recompile() {
    let t = Tree::new(&files("<main.*>: use_lib\n"));
    t.caravan(&["main.native"]).ok();
    t.write("lib/a.ml", NEW_A);
    t.caravan(&["main.native"]).ok();
    let ran = made(&t);
    assert!(ran.contains(&"lib/b.cmx lib/b.ml".to_string()), "{ran:#?}");
    assert!(ran.contains(&"main.cmx main.ml".to_string()), "{ran:#?}");
    assert_eq!(t.run("main.native", &[]).stdout, "2/2\n");
}

#[test]
fn the_same_commands_run_as_with_ocamlbuild() {
    // The same change with ocamlbuild (a plugin declares the library). Its
    // native compilations wait for the .cmx of the modules they use and
    // would rerun if it changed; with opaque it comes out identical, so the
    // same commands run.
    let s = SideBySide::new(
        &files("true: opaque\n<main.*>: use_lib\n"),
        &[(
            "myocamlbuild.ml",
            "open Ocamlbuild_plugin\nlet () = dispatch (function After_rules -> ocaml_lib ~dir:\"lib\" \"lib/lib\" | _ -> ())\n",
        )],
    );
    let args = ["lib/lib.cma", "lib/lib.cmxa", "main.native", "main.byte"];
    s.build(&args);
    for tree in [&s.ours, &s.theirs] {
        tree.write("lib/a.ml", NEW_A);
    }
    s.build(&args);
    assert_eq!(s.same_output("main.native", &[]), "2/2\n");
    s.same_output("main.byte", &[]);
    let mut theirs: Vec<String> = s
        .theirs
        .read("_build/_log")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.ends_with("# cached") && !l.contains("ocamldep"))
        .map(|c| {
            c.rsplit_once(" -o ")
                .map(|(_, o)| o)
                .unwrap_or(c)
                .to_string()
        })
        .collect();
    theirs.sort();
    assert_eq!(made(&s.ours), theirs);
}
