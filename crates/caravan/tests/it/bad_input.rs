//! The bad-input catalogue: every mistake ends in a message and an exit
//! code, never a panic (a Rust panic would exit with 101).

use std::os::unix::ffi::OsStrExt;

use crate::support::Tree;

const MAIN: (&str, &str) = ("main.ml", "let () = print_string \"ok\"\n");

/// Builds `args` in a tree of `files`; checks the exit code and that the
/// output contains `needle`.
#[track_caller]
fn expect(files: &[(&str, &str)], args: &[&str], code: i32, needle: &str) -> Tree {
    let t = Tree::new(files);
    let r = t.caravan(args);
    assert_ne!(r.code, 101, "caravan panicked:\n{}", r.stdout);
    assert_eq!(r.code, code, "{args:?}:\n{}", r.stdout);
    assert!(
        r.stdout.contains(needle),
        "{args:?}: {needle:?} not in\n{}",
        r.stdout
    );
    t
}

/// Builds `args` in a tree of `files`; checks the exit code and that the
/// output ends with the whole report `message`, from one of its lines.
#[track_caller]
fn expect_report(files: &[(&str, &str)], args: &[&str], code: i32, message: &str) {
    let t = Tree::new(files);
    let r = t.caravan(args);
    assert_ne!(r.code, 101, "caravan panicked:\n{}", r.stdout);
    assert_eq!(r.code, code, "{args:?}:\n{}", r.stdout);
    let (out, message) = (r.stdout.trim_end(), message.trim_end());
    assert!(
        out == message || out.ends_with(&format!("\n{message}")),
        "{args:?}: the output\n{out}\ndoes not end with\n{message}"
    );
}

/// ocamlbuild's report of a target no rule applies to, `named` (its first
/// lines), then caravan's.
fn no_rule(named: &str, caravan: &str) -> String {
    format!(
        "Solver failed:\n  Ocamlbuild knows of no rules that apply to a target named {named}. \
         This can happen if you ask Ocamlbuild to build a target with the wrong extension (e.g. \
         .opt instead of .native) or if the source files live in directories that have not been \
         specified as include directories.\n{caravan}"
    )
}

const NO_RULE_HINT: &str = "Hint: from X.ml and X.mli (or X.mll, X.mly), caravan builds X.byte, X.native, X.cmo, \
     X.cmx, X.cmi, X.o, X.cma, X.cmxa, X.cmxs, X.byte.o, X.byte.c, X.byte.so, X.native.o, \
     X.native.so, X.byte.exe, X.byte.complete.o, X.native.complete.o, X.ml.depends, \
     X.mli.depends, X.inferred.mli and X.pp.ml; from X.mllib, X.mldylib, X.mlpack, X.mltop, \
     X.itarget, X.c, libX.clib and X.odocl: X.cma/X.cmxa, X.cmxs, X.cmo/X.cmx, X.top, \
     X.otarget, X.o, libX.a/dllX.so and X.docdir/index.html. Check the extension, and add the \
     source's folder with -I if it is in a sub-folder.";

/// ocamlbuild's report of a missing root-level source, then caravan's.
fn missing_source(target: &str, source: &str) -> String {
    format!(
        "Solver failed:\n  Ocamlbuild cannot find or build {source}.  A file with such a name \
         would usually be a source file.  I suspect you have given a wrong target name to \
         Ocamlbuild.\nError: cannot build {target}: its source {source} does not exist in the \
         traversed source tree.\nHint: check the target's name; if the file is in a sub-folder, \
         add that folder with -I, or create a _tags file (or pass -r) so that sub-folders are \
         traversed."
    )
}

// `_tags` errors, exit 8 with ocamlbuild's messages.

#[test]
fn tags_tags_separated_by_blanks() {
    expect(
        &[MAIN, ("_tags", "<main.ml>: debug annot\n")],
        &["main.byte"],
        8,
        "Only ',' separated tags are allowed",
    );
}

#[test]
fn tags_line_without_colon() {
    expect(
        &[MAIN, ("_tags", "<main.ml> debug\n")],
        &["main.byte"],
        8,
        "File \"_tags\", line 1",
    );
}

#[test]
fn tags_pattern_without_brackets() {
    expect(
        &[MAIN, ("_tags", "main.ml: debug\n")],
        &["main.byte"],
        8,
        "Invalid globbing pattern",
    );
}

#[test]
fn tags_trailing_blank() {
    expect(
        &[MAIN, ("_tags", "true: debug \n")],
        &["main.byte"],
        8,
        "line 1",
    );
}

#[test]
fn tags_empty_tag_list() {
    expect(
        &[MAIN, ("_tags", "true:\n")],
        &["main.byte"],
        8,
        "Invalid tag modifier",
    );
}

#[test]
fn tags_ambiguous_double_star() {
    expect(
        &[MAIN, ("_tags", "<**>: debug\n")],
        &["main.byte"],
        8,
        "Invalid globbing pattern \"<**>\"",
    );
}

#[test]
fn tags_error_in_a_sub_folder_names_that_file() {
    expect(
        &[
            MAIN,
            ("_tags", ""),
            ("sub/_tags", "\n\n<x> y z\n"),
            ("sub/x.ml", ""),
        ],
        &["main.byte"],
        8,
        "File \"sub/_tags\", line 3",
    );
}

#[test]
fn tags_error_in_a_tag_line_option() {
    expect(
        &[MAIN],
        &["-tag-line", "<a> b c", "main.byte"],
        8,
        "Command-line",
    );
}

#[test]
fn tags_not_utf8_is_read_as_bytes() {
    let t = Tree::new(&[MAIN]);
    std::fs::write(t.path("_tags"), b"# caf\xe9\n<main.ml>: debug\n").expect("write");
    t.caravan(&["main.byte"]).ok();
}

#[test]
fn unknown_tag_warns_and_builds() {
    let t = expect(
        &[MAIN, ("_tags", "true: dbug\n")],
        &["main.byte"],
        0,
        "the tag \"dbug\" is not used",
    );
    assert!(t.exists("main.byte"));
}

#[test]
fn invalid_tag_parameter() {
    expect(
        &[MAIN, ("_tags", "true: optimize(9)\n")],
        &["main.native"],
        3,
        "optimize",
    );
}

// Targets.

#[test]
fn unknown_target_extension() {
    expect_report(
        &[MAIN],
        &["main.opt"],
        6,
        &no_rule(
            "main.opt",
            &format!("Error: caravan knows no rule that builds main.opt.\n{NO_RULE_HINT}"),
        ),
    );
}

#[test]
fn unknown_target_name() {
    expect_report(
        &[MAIN],
        &["nothere.byte"],
        6,
        &missing_source("nothere.byte", "nothere.ml"),
    );
}

#[test]
fn target_without_extension() {
    expect_report(
        &[MAIN],
        &["main"],
        6,
        &no_rule(
            "main",
            &format!("Error: caravan knows no rule that builds main.\n{NO_RULE_HINT}"),
        ),
    );
}

#[test]
fn target_that_is_a_folder() {
    expect_report(
        &[MAIN, ("lib/x.ml", "")],
        &["lib"],
        6,
        &no_rule(
            "lib",
            &format!("Error: caravan knows no rule that builds lib.\n{NO_RULE_HINT}"),
        ),
    );
}

#[test]
fn target_above_the_project() {
    expect(&[MAIN], &["../x.native"], 2, "outside the project");
}

#[test]
fn absolute_target() {
    expect(&[MAIN], &["/tmp/x.native"], 2, "outside the project");
}

#[test]
fn empty_project_without_targets() {
    let t = expect(&[], &[], 0, "");
    assert!(!t.exists("_build/_log"));
}

#[test]
fn empty_project_with_a_target() {
    expect_report(
        &[],
        &["main.byte"],
        6,
        &missing_source("main.byte", "main.ml"),
    );
}

#[test]
fn same_target_twice() {
    expect(&[MAIN], &["main.byte", "main.byte"], 0, "");
}

// Dependencies between modules.

#[test]
fn cycle_between_modules_names_both() {
    expect_report(
        &[("a.ml", "let x = B.y\n"), ("b.ml", "let y = A.x\n")],
        &["a.byte"],
        5,
        "Circular build detected (a.cmi already seen in [ b.cmi; a.cmi ])\n\
         Error: circular build: a.cmi -> b.cmi -> a.cmi.\n\
         Hint: these files need each other; OCaml modules cannot depend on each other in a \
         cycle. Move what they share into a module of its own.",
    );
}

#[test]
fn implementations_that_use_each_other() {
    expect_report(
        &[
            ("a.mli", "val x : int\n"),
            ("a.ml", "let x = B.y\n"),
            ("b.mli", "val y : int\n"),
            ("b.ml", "let y = 1\nlet _ = A.x\n"),
        ],
        &["a.byte"],
        9,
        "Circular dependencies: \"a.cmo\" already seen in [ \"b.cmo\"; \"a.cmo\" ]\n\
         Error: circular dependencies between modules: a.cmo -> b.cmo -> a.cmo\n\
         Hint: OCaml cannot link compilation units that use each other; move what they share \
         into a module of its own.",
    );
}

#[test]
fn same_module_in_two_folders_is_a_warning_and_command_line_order_decides() {
    // ocamlbuild searches include directories in the order of the file
    // system's readdir, which varies between machines; caravan uses the order
    // of the command line, and says which one it took.
    let t = Tree::new(&[
        ("main.ml", "let () = print_string Util.v\n"),
        ("one/util.ml", "let v = \"one\"\n"),
        ("two/util.ml", "let v = \"two\"\n"),
    ]);
    let r = t.caravan(&["-I", "one", "-I", "two", "main.byte"]).ok();
    assert!(
        r.stdout
            .contains("Warning: module Util is in several include directories"),
        "{}",
        r.stdout
    );
    assert_eq!(t.run("main.byte", &[]).stdout, "one");
    t.caravan(&["-I", "two", "-I", "one", "main.byte"]).ok();
    assert_eq!(t.run("main.byte", &[]).stdout, "two");
}

#[test]
fn a_module_nobody_has() {
    expect(
        &[("main.ml", "let () = Ghost.boo ()\n")],
        &["main.byte"],
        10,
        "Unbound module Ghost",
    );
}

#[test]
fn an_interface_the_implementation_does_not_match() {
    expect(
        &[
            ("a.mli", "val x : string\n"),
            ("a.ml", "let x = 1\n"),
            ("main.ml", "let () = print_string A.x\n"),
        ],
        &["main.byte"],
        10,
        "does not match",
    );
}

// Sources.

#[test]
fn syntax_error() {
    expect(
        &[("main.ml", "let x = (\n")],
        &["main.byte"],
        10,
        "Syntax error",
    );
}

#[test]
fn unterminated_string() {
    expect(
        &[("main.ml", "let s = \"abc\n")],
        &["main.byte"],
        10,
        "String literal not terminated",
    );
}

#[test]
fn unterminated_comment() {
    expect(
        &[("main.ml", "(* never closed\nlet x = 1\n")],
        &["main.byte"],
        10,
        "Comment not terminated",
    );
}

#[test]
fn empty_source() {
    expect(&[("empty.ml", "")], &["empty.byte"], 0, "");
}

#[test]
fn invalid_module_file_name() {
    expect(
        &[("a-b.ml", "let () = ()\n")],
        &["a-b.byte"],
        0,
        "is not a valid module name",
    );
}

#[test]
fn latin1_source_contents() {
    let t = Tree::new(&[]);
    std::fs::write(
        t.path("main.ml"),
        b"let s = \"caf\xe9\"\nlet () = print_int (String.length s)\n",
    )
    .expect("write");
    t.caravan(&["main.byte"]).ok();
    assert_eq!(t.run("main.byte", &[]).stdout, "4");
}

#[test]
fn file_name_that_is_not_utf8() {
    let t = Tree::new(&[MAIN]);
    let name = std::ffi::OsStr::from_bytes(b"notes-\xff.txt");
    std::fs::write(t.root().join(name), "x").expect("write");
    t.caravan(&["main.byte"]).ok();
}

#[test]
fn source_symlink_loop() {
    let t = Tree::new(&[MAIN]);
    std::os::unix::fs::symlink("loop.ml", t.path("loop.ml")).expect("symlink");
    t.caravan(&["main.byte"]).ok();
    let r = t.caravan(&["loop.byte"]);
    assert_eq!(r.code, 6, "{}", r.stdout);
}

#[test]
fn folder_symlink_loop() {
    let t = Tree::new(&[MAIN, ("_tags", "")]);
    std::fs::create_dir_all(t.path("d")).expect("mkdir");
    std::os::unix::fs::symlink("..", t.path("d/up")).expect("symlink");
    t.caravan(&["main.byte"]).ok();
}

#[test]
fn a_source_name_that_is_a_folder() {
    let t = Tree::new(&[("main.ml", "let () = ignore B.x\n")]);
    std::fs::create_dir_all(t.path("b.ml")).expect("mkdir");
    let r = t.caravan(&["main.byte"]);
    assert_eq!(r.code, 10, "{}", r.stdout);
    assert!(r.stdout.contains("Unbound module B"), "{}", r.stdout);
}

#[test]
fn a_huge_source() {
    let mut text = String::from("(*");
    text.push_str(&"caravan ".repeat(10 * 1024 * 1024 / 8));
    text.push_str("*)\nlet () = print_string \"big\"\n");
    let t = Tree::new(&[("main.ml", text.as_str())]);
    t.caravan(&["main.byte"]).ok();
    assert_eq!(t.run("main.byte", &[]).stdout, "big");
}

#[test]
fn five_thousand_files_in_one_folder() {
    let t = Tree::new(&[("main.ml", "let () = print_int M4999.v\n")]);
    for i in 0..5000 {
        std::fs::write(t.path(&format!("m{i}.ml")), format!("let v = {i}\n")).expect("write");
    }
    t.caravan(&["main.byte"]).ok();
    assert_eq!(t.run("main.byte", &[]).stdout, "4999");
}

// The build directory.

#[test]
fn build_dir_is_a_file() {
    let t = Tree::new(&[MAIN, ("_build", "not a directory")]);
    let r = t.caravan(&["main.byte"]);
    assert_eq!(r.code, 4, "{}", r.stdout);
    assert!(r.stdout.contains("_build"), "{}", r.stdout);
}

#[test]
fn corrupted_trace_log() {
    let t = Tree::new(&[MAIN]);
    t.caravan(&["main.byte"]).ok();
    std::fs::write(t.path("_build/.caravan/traces"), b"\x00\xffgarbage").expect("write");
    t.write("main.ml", "let () = print_string \"ok2\"\n");
    t.caravan(&["main.byte"]).ok();
    assert_eq!(t.run("main.byte", &[]).stdout, "ok2");
}

#[test]
fn corrupted_null_build_stamp() {
    let t = Tree::new(&[MAIN]);
    t.caravan(&["main.byte"]).ok();
    std::fs::write(
        t.path("_build/.caravan/null-build"),
        b"caravan-stamp 2 zz\nF x\n",
    )
    .expect("write");
    t.caravan(&["main.byte"]).ok();
}

// The command line.

#[test]
fn jobs_zero_and_negative() {
    expect(&[MAIN], &["-j", "0", "main.byte"], 0, "");
    expect(&[MAIN], &["-j", "-3", "main.byte"], 0, "");
}

#[test]
fn jobs_not_a_number() {
    expect(
        &[MAIN],
        &["-j", "many", "main.byte"],
        1,
        "expects an integer",
    );
}

#[test]
fn option_without_its_argument() {
    expect(&[MAIN], &["main.byte", "-I"], 1, "needs an argument");
}

#[test]
fn unknown_option() {
    expect(&[MAIN], &["--frobnicate"], 1, "unknown option");
}

#[test]
fn absolute_include_dir() {
    expect(&[MAIN], &["-I", "/usr", "main.byte"], 2, "-I /usr");
}

#[test]
fn absolute_log_file() {
    expect(
        &[MAIN],
        &["-log", "/tmp/x.log", "main.byte"],
        2,
        "-log /tmp/x.log",
    );
}

#[test]
fn run_a_non_program() {
    expect(&[MAIN], &["main.cmo", "--"], 1, "only .byte and .native");
}

#[test]
fn leftovers_in_the_tree() {
    expect(
        &[MAIN, ("old.cmo", "")],
        &["main.byte"],
        1,
        "Leftover OCaml compilation files",
    );
}

// Files caravan may not read, and list files naming what does not exist.

/// Sets the mode of a file of the tree.
fn chmod(t: &Tree, path: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(t.path(path), std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[track_caller]
fn expect_unprivileged(t: &Tree, args: &[&str], code: i32, needles: &[&str]) {
    let r = t.caravan_unprivileged(args);
    assert_ne!(r.code, 101, "caravan panicked:\n{}", r.stdout);
    assert_eq!(r.code, code, "{args:?}:\n{}", r.stdout);
    for needle in needles {
        assert!(
            r.stdout.contains(needle),
            "{args:?}: {needle:?} not in\n{}",
            r.stdout
        );
    }
}

#[test]
fn unreadable_source() {
    let t = Tree::new(&[
        ("main.ml", "let () = A.f ()\n"),
        ("a.ml", "let f () = ()\n"),
    ]);
    chmod(&t, "a.ml", 0o000);
    expect_unprivileged(
        &t,
        &["main.native"],
        4,
        &[
            "a.ml: Permission denied",
            "Hint: caravan must be able to read",
        ],
    );
}

#[test]
fn unreadable_tags_file() {
    let t = Tree::new(&[MAIN, ("_tags", "<*.ml>: debug\n")]);
    chmod(&t, "_tags", 0o000);
    expect_unprivileged(
        &t,
        &["main.native"],
        4,
        &["_tags: Permission denied", "check the permissions"],
    );
}

#[test]
fn unreadable_folder() {
    let t = Tree::new(&[MAIN, ("_tags", ""), ("secret/b.ml", "let x = 1\n")]);
    chmod(&t, "secret", 0o000);
    expect_unprivileged(&t, &["main.native"], 4, &["secret: Permission denied"]);
    chmod(&t, "secret", 0o755);
}

#[test]
fn library_listing_a_missing_module() {
    expect(
        &[("a.ml", "let x = 1\n"), ("l.mllib", "A\nNope\n")],
        &["l.cma"],
        6,
        "l.mllib lists the module Nope, which caravan cannot find",
    );
}

#[test]
fn pack_listing_a_missing_module() {
    expect(
        &[("a.ml", "let x = 1\n"), ("p.mlpack", "A\nNope\n")],
        &["p.cmo"],
        6,
        "p.mlpack lists the module Nope",
    );
}

#[test]
fn c_library_listing_a_missing_object() {
    expect(
        &[("libs.clib", "missing.o\n")],
        &["libs.a"],
        6,
        "libs.clib lists missing.o, which caravan cannot build",
    );
}

#[test]
fn target_group_listing_an_unknown_target() {
    expect(
        &[("a.ml", "let x = 1\n"), ("all.itarget", "a.byte\nzzz.qq\n")],
        &["all.otarget"],
        6,
        &no_rule(
            "zzz.qq",
            &format!(
                "Error: caravan knows no rule that builds zzz.qq (needed by all.otarget).\n\
                 {NO_RULE_HINT}"
            ),
        ),
    );
}

#[test]
fn lexer_with_an_unterminated_action() {
    expect(
        &[("lex.mll", "rule token = parse | \"a\" { 1 \n")],
        &["lex.ml"],
        10,
        "unterminated action",
    );
}

#[test]
fn parser_with_an_unterminated_action() {
    expect(
        &[("par.mly", "%token A\n%start main\n%%\nmain: A {  \n")],
        &["par.ml"],
        10,
        "unterminated action",
    );
}
