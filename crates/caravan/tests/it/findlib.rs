//! Findlib packages resolved in process: the compiler commands are the ones
//! ocamlfind would run for ocamlbuild's `-use-ocamlfind` commands.

use std::collections::BTreeMap;
use std::process::Command;

use crate::support::Tree;

/// For each compile and link target of a `_log`, the command.
fn commands(log: &str) -> BTreeMap<String, String> {
    let lines: Vec<&str> = log.lines().collect();
    let mut out = BTreeMap::new();
    for pair in lines.windows(2) {
        let Some(rest) = pair[0].strip_prefix("# Target: ") else {
            continue;
        };
        let Some((target, _)) = rest.split_once(", tags: ") else {
            continue;
        };
        if [".cmo", ".cmx", ".cmi", ".byte", ".native"]
            .iter()
            .any(|e| target.ends_with(e))
        {
            out.insert(
                target.to_string(),
                pair[1].trim_end_matches(" # cached").to_string(),
            );
        }
    }
    out
}

/// What ocamlfind runs for one of ocamlbuild's `ocamlfind ...` commands, as
/// argv words with the compiler's name reduced to `ocamlc`/`ocamlopt`.
fn effective(build_dir: &std::path::Path, command: &str) -> Vec<String> {
    let with_show = command
        .replacen(" ocamlc ", " ocamlc -only-show ", 1)
        .replacen(" ocamlopt ", " ocamlopt -only-show ", 1);
    let out = Command::new("sh")
        .args(["-c", &with_show])
        .current_dir(build_dir)
        .output()
        .expect("ocamlfind");
    let text = String::from_utf8_lossy(&out.stdout);
    normalise(&shlex::split(text.trim()).expect("words"))
}

fn normalise(argv: &[String]) -> Vec<String> {
    let mut v = argv.to_vec();
    if let Some(first) = v.first_mut() {
        let base = first.rsplit('/').next().unwrap_or(first);
        *first = base.trim_end_matches(".opt").to_string();
    }
    v.retain(|w| w != "-intf-suffix" && w != ".ml");
    v
}

fn conform(files: &[(&str, &str)], args: &[&str], program: &str, expected: &str) {
    let ours = Tree::new(files);
    let theirs = ours.copy_sources();
    // The commands ocamlfind would run: rewriters as -ppx, not through a
    // linked driver (tests/it/ppx_driver.rs).
    ours.caravan_env(args, &[("CARAVAN_PPX_DRIVER", "0")]).ok();
    let mut ob = vec!["-use-ocamlfind", "-classic-display"];
    ob.extend(args);
    let b = theirs.ocamlbuild(&ob);
    assert_eq!(b.code, 0, "{}", b.stdout);
    assert_eq!(ours.run(program, &[]).stdout, expected);
    assert_eq!(theirs.run(program, &[]).stdout, expected);
    let mine = commands(&ours.read("_build/_log"));
    let reference = commands(&theirs.read("_build/_log"));
    let mut compared = 0;
    for (target, command) in &reference {
        let Some(my) = mine.get(target) else { continue };
        let my_argv = normalise(&shlex::split(my).expect("words"));
        assert_eq!(
            my_argv,
            effective(&theirs.path("_build"), command),
            "{target}: ocamlbuild ran {command}"
        );
        compared += 1;
    }
    assert!(compared >= 2, "{mine:#?}\n{reference:#?}");
}

#[test]
fn compat_packages_threads_and_sub_packages() {
    conform(
        &[
            (
                "a.ml",
                "let n = List.length (Str.split (Str.regexp \",\") \"a,b\")\nlet t = Thread.self ()\n",
            ),
            (
                "b.ml",
                "let () = print_int A.n; print_string (Filename.basename Sys.executable_name <> \"\" |> string_of_bool)\n",
            ),
            (
                "_tags",
                "true: package(str), package(threads.posix), thread, debug\n",
            ),
        ],
        &["b.native", "b.byte"],
        "b.native",
        "2true",
    );
}

#[test]
fn compat_ppx_from_a_package() {
    conform(
        &[
            (
                "a.ml",
                "type color = Red | Green [@@deriving show]\nlet () = print_string (show_color Green)\n",
            ),
            ("_tags", "true: package(ppx_deriving.show)\n"),
        ],
        &["a.native", "a.byte"],
        "a.native",
        "A.Green",
    );
}

#[test]
fn compat_pkg_option_and_predicates() {
    conform(
        &[
            (
                "a.ml",
                "let () = print_int (List.length (Str.split (Str.regexp \" \") \"x y z\"))\n",
            ),
            ("_tags", "<a.*>: predicate(custom_pred)\n"),
        ],
        &["-pkg", "str", "a.byte", "a.native"],
        "a.byte",
        "3",
    );
}

#[test]
fn packages_work_without_use_ocamlfind() {
    let t = Tree::new(&[
        (
            "a.ml",
            "let () = print_int (List.length (Str.split (Str.regexp \",\") \"a,b,c\"))\n",
        ),
        ("_tags", "true: package(str)\n"),
    ]);
    t.caravan(&["a.native"]).ok();
    assert_eq!(t.run("a.native", &[]).stdout, "3");
    // No ocamlfind process: the compiler is called directly.
    assert!(t.commands().iter().all(|c| !c.contains("ocamlfind")));
}

#[test]
fn an_unknown_package_is_explained() {
    let files = [
        ("a.ml", "let () = ()\n"),
        ("_tags", "true: package(strr)\n"),
    ];
    let t = Tree::new(&files);
    let r = t.caravan(&["a.byte"]);
    // ocamlbuild runs `ocamlfind ocamldep -package strr ...`, which fails:
    // a failed command, exit 10.
    let theirs = Tree::new(&files).ocamlbuild(&["-use-ocamlfind", "a.byte"]);
    assert_eq!(theirs.code, 10, "{}", theirs.stdout);
    assert_eq!(r.code, theirs.code, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "File \"_tags\", line 1, characters 6-19:\n\
             Error: package `strr' not found; did you mean `str'?\n"
        ),
        "{}",
        r.stdout
    );
    let t = Tree::new(&[("a.ml", "let () = ()\n")]);
    let r = t.caravan(&["-pkg", "ppx_deriving.shw", "a.byte"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.contains("ppx_deriving.shw"), "{}", r.stdout);
}

/// A package that only the commands of other folders use (the tests', the
/// benchmarks') does not stop a target that never compiles with it: as with
/// ocamlbuild, only a command that carries the tag fails, and a target that
/// needs it fails with the `_tags` place of the name.
#[test]
fn a_missing_package_fails_only_the_commands_that_use_it() {
    let files = [
        ("src/lib.ml", "let x = String.length (Str.quote \"a\")\n"),
        ("src/main.ml", "let () = print_int Lib.x\n"),
        (
            "tests/test.ml",
            "let () = OUnit2.run_test_tt_main (OUnit2.test_list [])\n",
        ),
        ("bench/bench.ml", "let () = ignore Benchmark.latency1\n"),
        (
            "_tags",
            "true: package(str)\n\
             <src>: include\n\
             <tests/*>: package(oUnitt)\n\
             <bench/*>: package(benchmark-does-not-exist, str)\n",
        ),
    ];
    let ours = Tree::new(&files);
    let theirs = Tree::new(&files);
    let r = theirs.ocamlbuild(&["-use-ocamlfind", "src/main.native"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    ours.caravan(&["src/main.native"]).ok();
    assert_eq!(ours.run("main.native", &[]).stdout, "1");

    let r = ours.caravan(&["tests/test.byte"]);
    let theirs_r = theirs.ocamlbuild(&["-use-ocamlfind", "tests/test.byte"]);
    assert_eq!(
        r.code, theirs_r.code,
        "{}\n---\n{}",
        r.stdout, theirs_r.stdout
    );
    assert!(
        r.stdout.contains(
            "File \"_tags\", line 3, characters 11-26:\n\
             Error: package `oUnitt' not found; did you mean `oUnit'?"
        ),
        "{}",
        r.stdout
    );
    let r = ours.caravan(&["bench/bench.native"]);
    assert_eq!(r.code, 10, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("File \"_tags\", line 4, characters 11-49:"),
        "{}",
        r.stdout
    );
    // The library still builds after the failures, and nothing was lost.
    ours.caravan(&["src/main.native"]).ok();
}

/// An installed package of our own, in a directory on OCAMLPATH.
fn install_package(dir: &std::path::Path, value: &str) {
    let pkg = dir.join("mylib");
    std::fs::create_dir_all(&pkg).expect("mkdir");
    std::fs::write(
        pkg.join("META"),
        "archive(byte) = \"mylib.cma\"\narchive(native) = \"mylib.cmxa\"\n",
    )
    .expect("META");
    std::fs::write(pkg.join("mylib.ml"), format!("let value = {value}\n")).expect("ml");
    for cmd in [
        "ocamlc -c mylib.ml",
        "ocamlc -a mylib.cmo -o mylib.cma",
        "ocamlopt -c mylib.ml",
        "ocamlopt -a mylib.cmx -o mylib.cmxa",
    ] {
        let ok = Command::new("sh")
            .args(["-c", cmd])
            .current_dir(&pkg)
            .status()
            .expect("compiler")
            .success();
        assert!(ok, "{cmd}");
    }
}

#[test]
fn an_upgraded_package_rebuilds_its_dependents_and_nothing_else_does() {
    let installed = tempfile::tempdir().expect("tmp");
    install_package(installed.path(), "1");
    let ocamlpath = installed.path().to_string_lossy().into_owned();
    let env = [("OCAMLPATH", ocamlpath.as_str())];
    let t = Tree::new(&[
        ("a.ml", "let () = print_int Mylib.value\n"),
        ("other.ml", "let () = print_string \"x\"\n"),
        ("_tags", "<a.*>: package(mylib)\n"),
    ]);
    t.caravan_env(&["a.native", "other.native"], &env).ok();
    assert_eq!(t.run("a.native", &[]).stdout, "1");
    t.caravan_env(&["a.native", "other.native"], &env).ok();
    assert!(t.commands().is_empty(), "{:#?}", t.commands());
    std::thread::sleep(std::time::Duration::from_millis(10));
    install_package(installed.path(), "2");
    t.caravan_env(&["a.native", "other.native"], &env).ok();
    let ran = t.compiler_commands();
    assert!(
        ran.iter()
            .any(|c| c.ends_with("-o a.native") || c.contains("-o a.native ")),
        "{ran:#?}"
    );
    assert!(!ran.iter().any(|c| c.contains("other")), "{ran:#?}");
    assert_eq!(t.run("a.native", &[]).stdout, "2");
}

/// A package directory on OCAMLPATH with the given META text.
fn meta_package(dir: &std::path::Path, name: &str, meta: &str) {
    let pkg = dir.join(name);
    std::fs::create_dir_all(&pkg).expect("mkdir");
    std::fs::write(pkg.join("META"), meta).expect("META");
}

fn build_with(meta: &[(&str, &str)], package: &str) -> crate::support::Run {
    let installed = tempfile::tempdir().expect("tmp");
    for (name, text) in meta {
        meta_package(installed.path(), name, text);
    }
    let ocamlpath = installed.path().to_string_lossy().into_owned();
    let t = Tree::new(&[
        ("a.ml", "let () = ()\n"),
        ("_tags", &format!("true: package({package})\n")),
    ]);
    t.caravan_env(&["a.byte"], &[("OCAMLPATH", ocamlpath.as_str())])
}

#[test]
fn broken_packages_are_explained_with_the_meta_file() {
    let r = build_with(&[("bad", "requires = \"x\nversion = 1\n")], "bad");
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.contains("bad/META"), "{}", r.stdout);
    assert!(r.stdout.contains("line"), "{}", r.stdout);

    let r = build_with(
        &[
            ("loop1", "requires = \"loop2\"\n"),
            ("loop2", "requires = \"loop1\"\n"),
        ],
        "loop1",
    );
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("loop1") && r.stdout.contains("loop2"),
        "{}",
        r.stdout
    );

    let r = build_with(&[("gone", "exists_if = \"gone.cma\"\n")], "gone");
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.contains("gone"), "{}", r.stdout);
}
