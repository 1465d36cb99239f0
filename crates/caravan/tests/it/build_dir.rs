//! The build directory: copies of sources, links at the root, the log.

use crate::support::Tree;

fn tree() -> Tree {
    Tree::new(&[
        ("a.ml", "let x = 41\n"),
        ("main.ml", "let () = print_int (A.x + 1)\n"),
    ])
}

#[test]
fn sources_are_copied_and_programs_linked_at_the_root() {
    let t = tree();
    t.caravan(&["main.native"]).ok();
    assert_eq!(t.read("_build/a.ml"), "let x = 41\n");
    let link = std::fs::read_link(t.path("main.native")).expect("a symlink");
    assert_eq!(link, t.path("_build/main.native"));
    assert_eq!(t.run("main.native", &[]).stdout, "42");
}

#[test]
fn no_links_leaves_the_root_alone() {
    let t = tree();
    t.caravan(&["-no-links", "main.native"]).ok();
    assert!(!t.exists("main.native"));
    assert!(t.exists("_build/main.native"));
}

#[test]
fn build_dir_option_moves_everything_and_implies_no_links() {
    let t = tree();
    t.caravan(&["-build-dir", "out", "main.byte"]).ok();
    assert!(t.exists("out/main.byte"));
    assert!(t.exists("out/_log"));
    assert!(!t.exists("_build"));
    assert!(!t.exists("main.byte"));
}

#[test]
fn log_has_ocamlbuild_headers_and_commands() {
    let t = tree();
    t.caravan(&["main.byte"]).ok();
    let log = t.read("_build/_log");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines[0], "### Starting build.");
    assert_eq!(*lines.last().unwrap(), "# Compilation successful.");
    assert!(
        log.contains(
            "# Target: a.cmo, tags: { byte, compile, extension:cmo, extension:ml, file:a.cmo, \
         file:a.ml, implem, ocaml, quiet }\n"
        ),
        "{log}"
    );
    assert!(log.contains(
        "# Target: main.byte, tags: { byte, dont_link_with, extension:byte, file:main.byte, \
         link, ocaml, program, quiet }\n"
    ));
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("ocamlc.opt a.cmo main.cmo -o main.byte"))
    );
    // Touching a source sends the run past the null-build fast path; the
    // persistent graph then re-reads only that source, which comes out
    // the same, so no command is visited, and none is logged.
    let touch = |secs: u64| {
        let f = std::fs::File::options()
            .write(true)
            .open(t.path("a.ml"))
            .expect("open");
        f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(secs))
            .expect("touch");
    };
    touch(5);
    t.caravan(&["main.byte"]).ok();
    let log = t.read("_build/_log");
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        ["### Starting build.", "# Compilation successful."]
    );
    // A run that walks the whole graph (here: without the recorded graph)
    // logs every command it did not need to run as cached, as ocamlbuild.
    std::fs::remove_file(t.path("_build/.caravan/graph")).expect("a graph");
    touch(10);
    t.caravan(&["main.byte"]).ok();
    let log = t.read("_build/_log");
    assert!(
        log.contains("a.cmo main.cmo -o main.byte # cached"),
        "{log}"
    );
}

#[test]
fn quiet_and_no_log_write_no_log() {
    let t = tree();
    t.caravan(&["-no-log", "main.byte"]).ok();
    assert!(!t.exists("_build/_log"));
    t.caravan(&["-quiet", "main.native"]).ok();
    assert!(!t.exists("_build/_log"));
    t.caravan(&["-log", "build.log", "main.byte"]).ok();
    assert!(t.exists("_build/build.log"));
}
