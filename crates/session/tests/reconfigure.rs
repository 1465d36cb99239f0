//! A session configured and run several times, as watch mode and editors
//! will: each run sees the files as they are, nothing that did not change
//! is looked for again, and an edited plugin is compiled again. These run
//! the real OCaml compilers.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use engine::NoEvents;
use session::{Layout, Request, Session};

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("writing {name}: {e}"));
}

fn request(targets: &[&str]) -> Request {
    Request {
        targets: targets.iter().map(|t| t.to_string()).collect(),
        words: targets.iter().map(|t| t.to_string()).collect(),
        plugin_words: targets.iter().map(|t| t.to_string()).collect(),
        quiet: true,
        no_links: true,
        ..Request::default()
    }
}

/// Configures and builds; returns whether the build had anything to do.
fn build_once(session: &mut Session) -> bool {
    let build = match session.configure() {
        Ok(Some(b)) => b,
        Ok(None) => panic!("nothing to build"),
        Err(e) => panic!("configure: {e}"),
    };
    if build.is_up_to_date() {
        return false;
    }
    run(&build);
    true
}

/// Runs a configured build to the end, on a runtime of its own.
fn run(build: &session::Build) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    runtime
        .block_on(build.run(Arc::new(NoEvents)))
        .unwrap_or_else(|e| panic!("build: {e}"));
}

fn output_of(program: &Path) -> String {
    let out = Command::new(program)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", program.display()));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A project of two modules, `main` printing `Util.word` ("one"), with a
/// session open on it for `main.native`; the folder, the session and the
/// program's path.
fn two_modules() -> (tempfile::TempDir, Session, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    write(root, "util.ml", "let word = \"one\"\n");
    write(root, "main.ml", "let () = print_string Util.word\n");
    let req = request(&["main.native"]);
    let layout = Layout::at(root.to_path_buf(), &req).unwrap_or_else(|e| panic!("{e}"));
    let program = layout.build_dir.join("main.native");
    let session = Session::open(req, layout).unwrap_or_else(|e| panic!("{e}"));
    (dir, session, program)
}

#[test]
fn a_session_rebuilds_after_an_edit_and_finds_the_toolchain_once() {
    let (dir, mut session, program) = two_modules();
    let root = dir.path();

    assert!(build_once(&mut session));
    assert_eq!(output_of(&program), "one");

    assert!(
        !build_once(&mut session),
        "nothing changed: the build is up to date"
    );

    write(root, "util.ml", "let word = \"two\"\n");
    assert!(build_once(&mut session));
    assert_eq!(output_of(&program), "two");

    // A module created between two runs is found by the next one.
    write(root, "extra.ml", "let word = \"three\"\n");
    write(root, "main.ml", "let () = print_string Extra.word\n");
    assert!(build_once(&mut session));
    assert_eq!(output_of(&program), "three");

    assert_eq!(session.toolchain_discoveries(), 1);
}

#[test]
fn an_edited_plugin_is_compiled_again_by_the_next_configuration() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    let plugin = |word: &str| {
        format!(
            "open Ocamlbuild_plugin\n\
             let () = dispatch (function\n\
             | After_rules ->\n\
               rule \"gen\" ~prod:\"gen.ml\" (fun _ _ ->\n\
                 Echo ([\"let word = \\\"{word}\\\"\\n\"], \"gen.ml\"))\n\
             | _ -> ())\n"
        )
    };
    write(root, "myocamlbuild.ml", &plugin("first"));
    write(root, "main.ml", "let () = print_string Gen.word\n");
    let req = request(&["main.byte"]);
    let layout = Layout::at(root.to_path_buf(), &req).unwrap_or_else(|e| panic!("{e}"));
    let program = layout.build_dir.join("main.byte");
    let mut session = Session::open(req, layout).unwrap_or_else(|e| panic!("{e}"));

    assert!(build_once(&mut session));
    assert_eq!(output_of(&program), "first");

    write(root, "myocamlbuild.ml", &plugin("second"));
    assert!(build_once(&mut session));
    assert_eq!(output_of(&program), "second");
}

#[test]
fn a_configured_build_runs_again_after_a_source_changes() {
    let (dir, mut session, program) = two_modules();
    let root = dir.path();
    let build = match session.configure() {
        Ok(Some(b)) => b,
        other => panic!("configure: {:?}", other.err()),
    };
    run(&build);
    assert_eq!(output_of(&program), "one");
    assert!(build.is_up_to_date());

    // Same configuration, new contents: no configure needed.
    write(root, "util.ml", "let word = \"two\"\n");
    assert!(!build.is_up_to_date());
    run(&build);
    assert_eq!(output_of(&program), "two");
}
