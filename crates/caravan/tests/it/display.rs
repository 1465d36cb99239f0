//! What caravan prints.

use std::process::Command;

use crate::support::{Tree, caravan_bin};

#[test]
fn a_failing_compile_shows_the_command_and_the_compilers_message() {
    let t = Tree::new(&[("bad.ml", "let x : int = \"s\"\n")]);
    let r = t.caravan(&["bad.byte"]);
    assert_eq!(r.code, 10);
    assert!(r.stdout.contains("+ /"), "{}", r.stdout);
    assert!(r.stdout.contains("-o bad.cmo bad.ml\n"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("File \"bad.ml\", line 1, characters 14-17:"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Error: This expression has type string"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Command exited with code 2."),
        "{}",
        r.stdout
    );
    let log = t.read("_build/_log");
    assert!(
        log.ends_with("Command exited with code 2.\n# Compilation unsuccessful.\n"),
        "{log}"
    );
}

#[test]
fn off_a_terminal_each_command_is_one_line() {
    let t = Tree::new(&[
        ("a.ml", "let x = 1\n"),
        ("main.ml", "let () = print_int A.x\n"),
    ]);
    let r = t.caravan(&["main.byte"]).ok();
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", r.stdout);
    assert!(lines.iter().all(|l| l.starts_with('/')), "{}", r.stdout);
    assert!(lines[4].ends_with("a.cmo main.cmo -o main.byte"));
}

#[test]
fn warnings_are_shown_with_their_command() {
    let t = Tree::new(&[("main.ml", "let () = let x = 1 in ()\n")]);
    let r = t.caravan(&["main.byte"]).ok();
    assert!(r.stdout.contains("+ /"), "{}", r.stdout);
    assert!(r.stdout.contains("unused variable x"), "{}", r.stdout);
}

#[test]
fn quiet_prints_nothing_on_success() {
    let t = Tree::new(&[("main.ml", "let () = ()\n")]);
    assert!(t.caravan(&["-quiet", "main.byte"]).ok().stdout.is_empty());
}

#[test]
fn on_a_terminal_a_status_line_ends_with_a_summary() {
    let t = Tree::new(&[
        ("a.ml", "let x = 1\n"),
        ("main.ml", "let () = print_int A.x\n"),
    ]);
    // `script` gives caravan a pseudo-terminal.
    let cmd = format!("{} main.native", caravan_bin());
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(t.root())
        .env("TERM", "xterm")
        .output()
        .expect("script (util-linux)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Finished, 5 targets (0 cached) in 00:00:0"),
        "{text}"
    );
    assert!(
        !text.contains("ocamlopt.opt -c"),
        "commands are not echoed: {text}"
    );
}
