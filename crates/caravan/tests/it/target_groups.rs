//! Target groups: `x.itarget` → `x.otarget`, against the real ocamlbuild.

use crate::support::{SideBySide, Tree};

fn files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("util.ml", "let greet n = \"hello \" ^ n\n"),
        ("main.ml", "let () = print_endline (Util.greet \"group\")\n"),
        ("lib.mllib", "Util\n"),
        (
            "all.itarget",
            "# everything\nmain.native main.byte\nlib.cma\nsub/other.itarget\n",
        ),
        ("sub/other.itarget", "x.cmo\n"),
        ("sub/x.ml", "let x = 1\n"),
        ("_tags", ""),
    ]
}

#[test]
fn an_otarget_builds_every_listed_target_and_links_them() {
    let s = SideBySide::new(&files(), &[]);
    s.build(&["all.otarget"]);
    s.same_artifacts(&[
        "all.otarget",
        "main.native",
        "main.byte",
        "lib.cma",
        "sub/other.itarget",
    ]);
    for tree in [&s.ours, &s.theirs] {
        for link in ["main.native", "main.byte", "lib.cma"] {
            let meta = std::fs::symlink_metadata(tree.path(link)).expect("link");
            assert!(meta.file_type().is_symlink(), "{link}");
        }
    }
    assert_eq!(s.same_output("main.native", &[]), "hello group\n");
    s.same_output("main.byte", &[]);
}

#[test]
fn a_group_is_rebuilt_only_when_a_target_changes() {
    let t = Tree::new(&files());
    t.caravan(&["all.otarget", "sub/other.otarget"]).ok();
    assert!(t.exists("_build/sub/x.cmo"));
    t.caravan(&["all.otarget"]).ok();
    assert!(t.compiler_commands().is_empty(), "{:#?}", t.commands());
    t.write("util.ml", "let greet n = \"hi \" ^ n\n");
    t.caravan(&["all.otarget"]).ok();
    assert_eq!(t.run("main.native", &[]).stdout, "hi group\n");
    // Removed links come back, even on a null build.
    std::fs::remove_file(t.path("main.byte")).expect("remove link");
    t.caravan(&["all.otarget"]).ok();
    assert_eq!(t.run("main.byte", &[]).stdout, "hi group\n");
}
