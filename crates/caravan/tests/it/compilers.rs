//! Compilers named on the command line (`-ocamlc X`...), side by side with
//! the real ocamlbuild: a wrapper that does not answer `-config` runs only
//! for ocamlc's commands, and a build that never runs it does not fail.

use crate::support::Tree;

/// ocamlbuild's `NativeMliCmi` (testsuite/internal.ml): with the tag
/// `native`, ocamlopt compiles the interface, and `-ocamlc toto` (a command
/// that does not exist) is never run.
#[test]
fn compat_native_mli_cmi_never_runs_ocamlc() {
    let files = [("foo.mli", "val bar : int\n")];
    let args = [
        "-no-ocamlfind",
        "-ocamlc",
        "toto",
        "-tag",
        "native",
        "foo.cmi",
    ];
    let ours = Tree::new(&files);
    let theirs = ours.copy_sources();
    let a = ours.caravan(&args);
    let b = theirs.ocamlbuild(&args);
    assert_eq!(b.code, 0, "ocamlbuild:\n{}", b.stdout);
    assert_eq!(a.code, 0, "caravan:\n{}", a.stdout);
    assert!(theirs.exists("_build/foo.cmi"));
    assert!(ours.exists("_build/foo.cmi"));
    assert!(!a.stdout.contains("toto"), "{}", a.stdout);
}

/// A wrapper that refuses `-config` but compiles: both tools run it for
/// every ocamlc command, and the program works.
#[test]
fn compat_an_ocamlc_wrapper_without_config_compiles_the_bytecode() {
    let wrapper = "#!/bin/sh\n\
                   case \"$1\" in -config) echo 'toto: no -config' >&2; exit 2;; esac\n\
                   echo \"$@\" >> \"$(dirname \"$0\")/toto.log\"\n\
                   exec ocamlc \"$@\"\n";
    let files = [
        ("util.ml", "let greet n = \"Hello, \" ^ n\n"),
        ("main.ml", "let () = print_endline (Util.greet \"toto\")\n"),
    ];
    let ours = Tree::new(&files);
    let theirs = ours.copy_sources();
    let mut runs = Vec::new();
    for (t, ocamlbuild) in [(&ours, false), (&theirs, true)] {
        t.write("toto", wrapper);
        make_executable(&t.path("toto"));
        let toto = t.path("toto").to_string_lossy().into_owned();
        let args = ["-no-ocamlfind", "-ocamlc", &toto, "main.byte"];
        let run = if ocamlbuild {
            t.ocamlbuild(&args)
        } else {
            t.caravan(&args)
        };
        assert_eq!(run.code, 0, "ocamlbuild: {ocamlbuild}\n{}", run.stdout);
        runs.push(t.read("toto.log"));
    }
    assert_eq!(ours.run("main.byte", &[]).stdout, "Hello, toto\n");
    // ocamlbuild also asks the wrapper `-where` (its `stdlib_dir`, to know
    // which modules the standard library has); caravan has the standard
    // library from the configuration and runs the wrapper only to compile
    // and link.
    let sorted = |log: &str| {
        let mut l: Vec<&str> = log.lines().filter(|l| *l != "-where").collect();
        l.sort_unstable();
        l.join("\n")
    };
    assert_eq!(sorted(&runs[0]), sorted(&runs[1]), "the wrapper's commands");
}

/// `-ocamlc toto` where `toto` does not exist: a bytecode build fails in
/// the command, as ocamlbuild's does (exit 10), not before the build.
#[test]
fn compat_a_missing_ocamlc_fails_its_commands() {
    let files = [("main.ml", "let () = print_int 1\n")];
    let args = ["-no-ocamlfind", "-ocamlc", "toto", "main.byte"];
    let ours = Tree::new(&files);
    let theirs = ours.copy_sources();
    let a = ours.caravan(&args);
    let b = theirs.ocamlbuild(&args);
    assert_eq!(b.code, 10, "ocamlbuild:\n{}", b.stdout);
    assert_eq!(a.code, b.code, "caravan:\n{}", a.stdout);
    assert!(
        a.stdout.contains("toto -c -o main.cmo main.ml"),
        "{}",
        a.stdout
    );
}

/// Neither `-ocamlc` nor `-ocamlopt` names a compiler: the configuration
/// comes from the ocamlc that ocamlfind runs, and a build that needs no
/// compiler (a dependency scan) works, as with ocamlbuild.
#[test]
fn compat_a_scan_needs_neither_compiler() {
    let files = [("main.ml", "let () = Util.f ()\n")];
    let args = ["-ocamlc", "toto", "-ocamlopt", "tata", "main.ml.depends"];
    let ours = Tree::new(&files);
    let theirs = ours.copy_sources();
    let b = theirs.ocamlbuild(&args);
    let a = ours.caravan(&args);
    assert_eq!(b.code, 0, "ocamlbuild:\n{}", b.stdout);
    assert_eq!(a.code, 0, "caravan:\n{}", a.stdout);
    assert_eq!(
        ours.read("_build/main.ml.depends"),
        theirs.read("_build/main.ml.depends")
    );
}

/// A native build never runs ocamlc in caravan (ocamlbuild 0.14.1 also
/// compiles a `.cmo` for a module without an interface, its issue #165), so
/// it succeeds without the compiler `-ocamlc` names.
#[test]
fn a_native_build_never_runs_a_missing_ocamlc() {
    let t = Tree::new(&[("main.ml", "let () = print_string \"native\"\n")]);
    let run = t
        .caravan(&["-no-ocamlfind", "-ocamlc", "toto", "main.native"])
        .ok();
    assert!(!run.stdout.contains("toto"), "{}", run.stdout);
    assert_eq!(t.run("main.native", &[]).stdout, "native");
}

fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
}
