//! Packs (`.mlpack`) against the real ocamlbuild.

use crate::support::{SideBySide, Tree, log_entry};

/// ocamlbuild wraps `ocamlopt -pack` in `touch x.mli; if ...; then rm ...`
/// when there is no `x.mli`; caravan runs the command with `-intf-suffix
/// .mlpack` instead. Asserts that the packing commands are otherwise the
/// same.
#[track_caller]
fn same_native_pack(s: &SideBySide, target: &str) {
    let (tags, ours) = log_entry(&s.ours, target).expect("caravan packed");
    let (their_tags, theirs) = log_entry(&s.theirs, target).expect("ocamlbuild packed");
    assert_eq!(tags, their_tags);
    let inner = theirs
        .split_once(" ; if  ")
        .and_then(|(_, rest)| rest.split_once("  ; then"))
        .map(|(cmd, _)| cmd.to_string())
        .unwrap_or(theirs);
    assert_eq!(ours.replace(" -intf-suffix .mlpack", ""), inner);
}

#[test]
fn packs_with_members_in_sub_folders_match_ocamlbuild() {
    let s = SideBySide::new(
        &[
            ("bar.ml", "let b = \"bar\"\n"),
            ("sub/baz.ml", "let z = Bar.b ^ \"+baz\"\n"),
            ("foo.mlpack", "Bar\nsub/Baz\n"),
            ("main.ml", "let () = print_endline Foo.Baz.z\n"),
            (
                "_tags",
                "<sub>: include\n<bar.cmx> or <sub/baz.cmx>: for-pack(Foo)\n",
            ),
        ],
        &[],
    );
    s.build(&["main.native", "main.byte"]);
    s.same_artifacts(&["foo.cmo", "foo.cmi", "foo.cmx", "foo.o"]);
    let byte = s.same_command("foo.cmo");
    assert!(
        byte.ends_with("-pack bar.cmo sub/baz.cmo -o foo.cmo"),
        "{byte}"
    );
    same_native_pack(&s, "foo.cmx");
    s.same_command("bar.cmx");
    assert_eq!(s.same_output("main.native", &[]), "bar+baz\n");
    s.same_output("main.byte", &[]);
}

#[test]
fn a_pack_with_an_mli_and_its_members_in_its_folder() {
    let s = SideBySide::new(
        &[
            ("foo/bar.ml", "let b = \"bar\"\n"),
            ("foo/baz.ml", "let z = Bar.b ^ \"+baz\"\n"),
            ("foo.mlpack", "Bar\nBaz\n"),
            ("foo.mli", "module Baz : sig val z : string end\n"),
            ("main.ml", "let () = print_endline Foo.Baz.z\n"),
            ("_tags", "<foo/*.cmx>: for-pack(Foo)\n"),
        ],
        &[],
    );
    s.build(&["main.native", "main.byte"]);
    s.same_command("foo.cmi");
    s.same_command("foo.cmo");
    s.same_command("foo.cmx");
    assert_eq!(s.same_output("main.native", &[]), "bar+baz\n");
    s.same_output("main.byte", &[]);
}

#[test]
fn nested_packs() {
    let s = SideBySide::new(
        &[
            ("outer/inner/x.ml", "let x = \"x\"\n"),
            ("outer/y.ml", "let y = Inner.X.x ^ \"y\"\n"),
            ("outer/inner.mlpack", "X\n"),
            ("outer.mlpack", "Inner\nY\n"),
            ("main.ml", "let () = print_endline Outer.Y.y\n"),
            (
                "_tags",
                "<outer/inner/*.cmx>: for-pack(Outer.Inner)\n<outer/y.cmx> or <outer/inner.cmx>: for-pack(Outer)\n",
            ),
        ],
        &[],
    );
    s.build(&["main.native", "main.byte"]);
    same_native_pack(&s, "outer/inner.cmx");
    same_native_pack(&s, "outer.cmx");
    s.same_command("outer.cmo");
    assert_eq!(s.same_output("main.native", &[]), "xy\n");
    s.same_output("main.byte", &[]);
}

#[test]
fn a_native_only_build_packs_with_ocamlopt_alone() {
    let t = Tree::new(&[
        ("foo/bar.ml", "let b = \"bar\"\n"),
        ("foo.mlpack", "Bar\n"),
        ("main.ml", "let () = print_endline Foo.Bar.b\n"),
        ("_tags", "<foo/*.cmx>: for-pack(Foo)\n"),
    ]);
    t.caravan(&["main.native"]).ok();
    let cmds = t.compiler_commands();
    assert!(cmds.iter().all(|c| !c.contains("ocamlc")), "{cmds:#?}");
    assert!(
        cmds.iter()
            .any(|c| c.ends_with("-pack -I foo foo/bar.cmx -o foo.cmx")),
        "{cmds:#?}"
    );
    assert_eq!(t.run("main.native", &[]).stdout, "bar\n");
}

#[test]
fn a_member_without_for_pack_fails_with_the_compilers_error_and_a_hint() {
    let files = [
        ("foo/bar.ml", "let b = \"bar\"\n"),
        ("foo.mlpack", "Bar\n"),
        ("main.ml", "let () = print_endline Foo.Bar.b\n"),
        ("_tags", ""),
    ];
    let ours = Tree::new(&files);
    let theirs = ours.copy_sources();
    let a = ours.caravan(&["main.native"]);
    let b = theirs.ocamlbuild(&["main.native"]);
    assert_eq!(a.code, b.code, "{}\n{}", a.stdout, b.stdout);
    assert_eq!(a.code, 10);
    let compiler_says = "Error: File foo/bar.cmx was not compiled with the `-for-pack Foo' option";
    assert!(b.stdout.contains(compiler_says), "{}", b.stdout);
    assert!(a.stdout.contains(compiler_says), "{}", a.stdout);
    assert!(
        a.stdout
            .contains("Hint: add this line to _tags:\n  <foo/bar.cmx>: for-pack(Foo)"),
        "{}",
        a.stdout
    );
}

#[test]
fn a_build_of_both_after_a_native_only_one_packs_nothing_again() {
    let t = Tree::new(&[
        ("foo/bar.ml", "let b = \"bar\"\n"),
        ("foo.mlpack", "Bar\n"),
        ("main.ml", "let () = print_endline Foo.Bar.b\n"),
        ("_tags", "<foo/*.cmx>: for-pack(Foo)\n"),
    ]);
    let mut seen: Vec<String> = Vec::new();
    for step in [
        &["main.native"][..],
        &["main.byte"],
        &["main.native", "main.byte"],
        &["main.native"],
        &["main.byte"],
    ] {
        t.caravan(step).ok();
        for c in t.compiler_commands() {
            if c.contains(" -pack ") || c.contains(" -c ") {
                let key = c
                    .replace(" -intf-suffix .mlpack", "")
                    .replace(" -intf-suffix .ml", "");
                assert!(!seen.contains(&key), "ran again in {step:?}: {c}");
                seen.push(key);
            }
        }
        assert_eq!(t.run(step[0], &[]).stdout, "bar\n");
    }
}
