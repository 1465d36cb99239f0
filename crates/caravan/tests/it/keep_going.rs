//! Every error of a build: by default a failed command does not stop the
//! work that does not depend on it, and every failure is shown once;
//! `-stop-on-first-error` stops at the first, as ocamlbuild does. The exit
//! code is a failed command's either way.

use crate::support::Tree;

/// `main` uses three modules: two with a type error, one fine.
fn two_broken_modules() -> Tree {
    Tree::new(&[
        ("alpha.ml", "let x : int = \"alpha\"\n"),
        ("beta.ml", "let y : string = 42\n"),
        ("gamma.ml", "let z = 3\n"),
        ("main.ml", "let () = ignore (Alpha.x, Beta.y, Gamma.z)\n"),
    ])
}

#[test]
fn by_default_every_independent_error_is_shown_and_the_rest_is_built() {
    let t = two_broken_modules();
    let r = t.caravan(&["-j", "1", "main.byte"]);
    assert_eq!(r.code, 10, "{}", r.stdout);
    assert!(
        r.stdout.contains("File \"alpha.ml\", line 1"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("File \"beta.ml\", line 1"),
        "{}",
        r.stdout
    );
    assert_eq!(
        r.stdout.matches("Command exited with code 2.").count(),
        2,
        "{}",
        r.stdout
    );
    // Each failure once, in target order, whatever order they ran in.
    assert!(
        r.stdout
            .contains("Error: 2 failures: alpha.cmo, beta.cmo.\n"),
        "{}",
        r.stdout
    );
    assert!(t.exists("_build/gamma.cmo"));
    assert!(!t.exists("_build/main.cmo"));
    assert!(!t.exists("main.byte"));
}

#[test]
fn stop_on_first_error_shows_one_error() {
    let t = two_broken_modules();
    let r = t.caravan(&["-stop-on-first-error", "-j", "1", "main.byte"]);
    assert_eq!(r.code, 10, "{}", r.stdout);
    assert_eq!(
        r.stdout.matches("Command exited with code 2.").count(),
        1,
        "{}",
        r.stdout
    );
    assert_eq!(r.stdout.matches("Error: This expression").count(), 1);
    assert!(!r.stdout.contains("failures:"), "{}", r.stdout);
}

#[test]
fn one_failure_is_reported_as_before() {
    let t = Tree::new(&[
        ("alpha.ml", "let x : int = \"alpha\"\n"),
        ("gamma.ml", "let z = 3\n"),
        ("main.ml", "let () = ignore (Alpha.x, Gamma.z)\n"),
    ]);
    let going = t.caravan(&["-j", "1", "main.byte"]);
    assert_eq!(going.code, 10, "{}", going.stdout);
    assert!(t.exists("_build/gamma.cmo"));
    assert!(!going.stdout.contains("failures:"), "{}", going.stdout);
    assert_eq!(
        going.stdout.matches("Command exited with code 2.").count(),
        1,
        "{}",
        going.stdout
    );
}

#[test]
fn failures_are_shown_in_target_order_whatever_order_they_ran_in() {
    // `alpha` waits for a chain of two modules and `main` names `Zeta`
    // first, so `zeta` is compiled, and fails, before `alpha`.
    let t = Tree::new(&[
        ("a2.ml", "let v = \"s\"\n"),
        ("a1.ml", "let v = A2.v\n"),
        ("alpha.ml", "let x : int = A1.v\n"),
        ("zeta.ml", "let y : string = 42\n"),
        ("main.ml", "let () = ignore (Zeta.y, Alpha.x)\n"),
    ]);
    let r = t.caravan(&["-j", "1", "main.byte"]);
    assert_eq!(r.code, 10, "{}", r.stdout);
    let ran = t.commands();
    let position = |text: &str| {
        ran.iter()
            .position(|c| c.contains(text))
            .unwrap_or_else(|| panic!("no {text} in {ran:?}"))
    };
    assert!(
        position("-o zeta.cmo") < position("-o alpha.cmo"),
        "the test needs zeta to fail first: {ran:?}"
    );
    let alpha = r.stdout.find("File \"alpha.ml\"");
    let zeta = r.stdout.find("File \"zeta.ml\"");
    assert!(
        matches!((alpha, zeta), (Some(a), Some(z)) if a < z),
        "{}",
        r.stdout
    );
}
