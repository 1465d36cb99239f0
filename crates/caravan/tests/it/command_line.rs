//! ocamlbuild's command line.

use crate::support::Tree;

fn program() -> Tree {
    Tree::new(&[(
        "main.ml",
        "let () = print_string (String.concat \"|\" (List.tl (Array.to_list Sys.argv))); exit 3\n",
    )])
}

#[test]
fn double_dash_runs_the_program_and_returns_its_exit_code() {
    let t = program();
    let r = t.caravan(&["-quiet", "main.native", "--", "a", "-b c"]);
    assert_eq!(r.code, 3);
    assert_eq!(r.stdout, "a|-b c");
    let theirs = t
        .copy_sources()
        .ocamlbuild(&["-quiet", "main.native", "--", "a", "-b c"]);
    assert_eq!(theirs.code, 3);
    assert_eq!(theirs.stdout, r.stdout);
}

#[test]
fn double_dash_needs_a_program_target_last() {
    let t = program();
    let r = t.caravan(&["main.cmo", "--"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
}

#[test]
fn usage_errors_exit_1_with_one_line_and_a_pointer_to_help() {
    let t = program();
    let r = t.caravan(&["-foo"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "caravan: unknown option '-foo'.\nTry -help.\n");
    let r = t.caravan(&["-j", "many"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("option '-j' expects an integer"));
}

#[test]
fn options_of_features_not_yet_there_are_refused() {
    let t = program();
    for opt in [
        &["-use-jocaml"][..],
        &["-dont-catch-errors"],
        &["-no-stdlib"],
    ] {
        let mut args = opt.to_vec();
        args.push("main.native");
        let r = t.caravan(&args);
        assert_eq!(r.code, 2, "{opt:?}: {}", r.stdout);
        assert!(r.stdout.contains("not supported yet"), "{}", r.stdout);
    }
}

#[test]
fn information_options() {
    let t = program();
    assert!(t.caravan(&["-version"]).ok().stdout.starts_with("caravan "));
    let vnum = t.caravan(&["-vnum"]).ok().stdout;
    assert!(vnum.trim().split('.').count() == 3, "{vnum}");
    let help = t.caravan(&["-help"]).ok().stdout;
    assert!(help.contains("-build-dir <path>"));
    assert_eq!(t.caravan(&["--help"]).ok().stdout, help);
}

#[test]
fn include_dirs_must_be_relative() {
    let t = program();
    let r = t.caravan(&["-I", "/tmp", "main.byte"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("-I /tmp"));
}

#[test]
fn compiler_flags_reach_compile_and_link() {
    let t = Tree::new(&[(
        "main.ml",
        "let () = print_int (Str.search_forward (Str.regexp \"b\") \"ab\" 0)\n",
    )]);
    t.caravan(&[
        "-cflags",
        "-w,+a",
        "-lflag",
        "-g",
        "-lib",
        "str",
        "main.native",
    ])
    .ok();
    let cmds = t.compiler_commands();
    assert!(
        cmds.iter().any(|c| c.contains(" -c -w +a -o main.cmx")),
        "{cmds:#?}"
    );
    assert!(
        cmds.iter().any(|c| c.contains(" -g str.cmxa ")),
        "{cmds:#?}"
    );
    assert_eq!(t.run("main.native", &[]).stdout, "1");
}

#[test]
fn a_plugin_runs_unless_no_plugin() {
    let t = Tree::new(&[
        ("main.ml", "let () = ()\n"),
        (
            "myocamlbuild.ml",
            "let () = print_endline \"the plugin runs\"\n",
        ),
    ]);
    let r = t.caravan(&["main.byte"]).ok();
    assert!(r.stdout.contains("the plugin runs"), "{}", r.stdout);
    t.caravan(&["-clean"]).ok();
    let r = t.caravan(&["-no-plugin", "main.byte"]).ok();
    assert!(!r.stdout.contains("the plugin runs"), "{}", r.stdout);
    assert!(!t.exists("_build/myocamlbuild"));
}

#[test]
fn which_prints_the_tool_found() {
    let t = program();
    let out = t.caravan(&["-which", "ocamlc"]).ok().stdout;
    let theirs = t.ocamlbuild(&["-which", "ocamlc"]).ok().stdout;
    assert_eq!(out, theirs);
}
