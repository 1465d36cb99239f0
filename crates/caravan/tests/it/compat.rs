//! Side by side with the real ocamlbuild on the same trees.

use crate::support::Tree;

/// The link command's arguments after the compiler, with `-I`s.
fn link_args(commands: &[String], out: &str) -> String {
    let link = commands
        .iter()
        .find(|c| c.ends_with(&format!("-o {out}")) && !c.contains(" -c "))
        .unwrap_or_else(|| panic!("no link of {out} in {commands:#?}"));
    link.split_once(' ')
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_default()
}

fn ocamlbuild_commands(t: &Tree) -> Vec<String> {
    t.read("_build/_log")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.trim_end_matches(" # cached").to_string())
        .collect()
}

/// Builds `args` with both tools and compares exit codes, the targets
/// produced, and for each `(link, target)` of `programs` the program's output
/// and its link command.
fn compare(files: &[(&str, &str)], args: &[&str], programs: &[(&str, &str)]) {
    let ours = Tree::new(files);
    let theirs = ours.copy_sources();
    let a = ours.caravan(args);
    let b = theirs.ocamlbuild(args);
    assert_eq!(
        a.code, b.code,
        "caravan:\n{}\nocamlbuild:\n{}",
        a.stdout, b.stdout
    );
    for target in args
        .iter()
        .filter(|a| !a.starts_with('-') && a.contains('.'))
    {
        assert_eq!(
            ours.exists(&format!("_build/{target}")),
            theirs.exists(&format!("_build/{target}")),
            "{target}"
        );
    }
    for (p, target) in programs {
        assert_eq!(ours.run(p, &[]).stdout, theirs.run(p, &[]).stdout, "{p}");
        assert_eq!(
            link_args(&ours.commands(), target),
            link_args(&ocamlbuild_commands(&theirs), target),
            "link of {target}"
        );
    }
}

#[test]
fn compat_programs_with_include_dirs_and_mli() {
    compare(
        &[
            ("util.mli", "val greet : string -> string\n"),
            ("util.ml", "let greet n = \"Hello, \" ^ n\n"),
            ("lib/shapes.ml", "let area r = 3.0 *. r *. r\n"),
            ("lib/deep/more.ml", "let v = Shapes.area 2.0\n"),
            (
                "main.ml",
                "let () = print_endline (Util.greet \"w\"); Printf.printf \"%.1f %.1f\\n\" (Shapes.area 1.0) More.v\n",
            ),
        ],
        &["-I", "lib", "-I", "lib/deep", "main.native", "main.byte"],
        &[("main.native", "main.native"), ("main.byte", "main.byte")],
    );
}

#[test]
fn compat_link_order_of_a_diamond() {
    compare(
        &[
            (
                "main.ml",
                "let () = Z.f (); Y.f (); A.f (); print_newline ()\n",
            ),
            (
                "a.ml",
                "let () = print_string \"[a]\"\nlet f () = print_string \"a\"\n",
            ),
            (
                "y.ml",
                "let () = print_string \"[y]\"\nlet f () = B.f (); print_string \"y\"\n",
            ),
            (
                "b.ml",
                "let () = print_string \"[b]\"\nlet f () = A.f (); print_string \"b\"\n",
            ),
            (
                "z.ml",
                "let () = print_string \"[z]\"\nlet f () = B.f (); print_string \"z\"\n",
            ),
        ],
        &["main.byte", "main.native"],
        &[("main.byte", "main.byte"), ("main.native", "main.native")],
    );
}

#[test]
fn compat_program_in_a_sub_folder() {
    compare(
        &[
            ("src/main.ml", "let () = print_string Lib_a.v\n"),
            ("lib/lib_a.ml", "let v = \"a\"\n"),
        ],
        &["-I", "lib", "src/main.native"],
        &[("main.native", "src/main.native")],
    );
}

#[test]
fn compat_failures_have_the_same_exit_codes() {
    compare(&[("a.ml", "let x : int = \"s\"\n")], &["a.byte"], &[]);
    compare(&[("a.ml", "let x = 1\n")], &["a.opt"], &[]);
    compare(&[("a.ml", "let x = 1\n")], &["b.native"], &[]);
    compare(
        &[("a.ml", "let x = B.x\n"), ("b.ml", "let x = A.x\n")],
        &["a.byte"],
        &[],
    );
}

#[test]
fn compat_mutually_dependent_implementations_cannot_link() {
    compare(
        &[
            ("a.mli", "val x : int\n"),
            ("a.ml", "let x = B.y + 1\n"),
            ("b.mli", "val y : int\n"),
            ("b.ml", "let y = 2\nlet z () = A.x\n"),
        ],
        &["a.byte"],
        &[],
    );
}
