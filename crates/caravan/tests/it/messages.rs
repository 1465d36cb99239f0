//! ocamlbuild's messages first: scripts and CI logs grep for them, so a
//! failed solve, a cycle and a tag warning open with ocamlbuild's exact
//! lines (compared with the real ocamlbuild on the same tree), and
//! caravan's explanation and hint follow.

use crate::support::Tree;

/// The first `n` lines of a run's output.
fn head(text: &str, n: usize) -> Vec<&str> {
    text.lines().take(n).collect()
}

#[test]
fn compat_solver_failures_open_with_ocamlbuilds_lines() {
    let files = [("a.ml", "let x = 1\n"), ("sub/c.ml", "let y = 2\n")];
    let targets = [
        "a.opt",
        "b",
        "b.native",
        "sub/b.native",
        "b.cmi",
        "b.ml",
        "b.mli",
        "sub/b.mli",
        "sub/b.cmx",
        "b.ml.depends",
        "b.mli.depends",
        "b.inferred.mli",
        "sub/b.inferred.mli",
        "b.pp.ml",
        "b.cma",
        "b.cmxs",
        "libb.a",
        "b.otarget",
        "b.top",
        "b.docdir/index.html",
        "b.o",
        "sub/b.o",
        "b.c",
        "a.cmt",
        "b.cmt",
        "dllb.so",
        "sub/dllb.so",
        "b.byte.o",
        "sub/b.byte.o",
        "b.native.o",
        "sub/b.native.o",
        "b.byte.c",
        "sub/b.byte.c",
        "b.byte.so",
    ];
    let ours = Tree::new(&files);
    let theirs = ours.copy_sources();
    for target in targets {
        let b = theirs.ocamlbuild(&["-quiet", target]);
        let a = ours.caravan(&["-quiet", target]);
        assert_eq!(b.code, 6, "ocamlbuild {target}:\n{}", b.stdout);
        assert_eq!(a.code, b.code, "{target}:\n{}", a.stdout);
        assert_eq!(head(&b.stdout, 1), ["Solver failed:"], "{target}");
        assert_eq!(
            head(&a.stdout, 2),
            head(&b.stdout, 2),
            "{target}: caravan said\n{}",
            a.stdout
        );
    }
}

/// Interfaces that need each other: the same cycle, entered at the same
/// place, as ocamlbuild's solver.
#[test]
fn compat_a_cycle_between_interfaces_is_a_circular_build() {
    let files = [
        ("a.mli", "val x : B.t\n"),
        ("a.ml", "let x = 1\n"),
        ("b.mli", "type t = int\nval y : A.t\n"),
    ];
    let ours = Tree::new(&files);
    let theirs = ours.copy_sources();
    let b = theirs.ocamlbuild(&["-quiet", "a.byte"]);
    let a = ours.caravan(&["-quiet", "a.byte"]);
    assert_eq!(
        b.stdout,
        "Circular build detected (a.cmi already seen in [ b.cmi; a.cmi ])\n"
    );
    assert_eq!((a.code, b.code), (5, 5));
    assert_eq!(
        a.stdout,
        "Circular build detected (a.cmi already seen in [ b.cmi; a.cmi ])\n\
         Error: circular build: a.cmi -> b.cmi -> a.cmi.\n\
         Hint: these files need each other; OCaml modules cannot depend on each other in a \
         cycle. Move what they share into a module of its own.\n"
    );
}

/// Implementations without interfaces that use each other: ocamlbuild
/// meets the cycle one step later (its `a.cmo` and `a.cmi` are two
/// resources, caravan's one task), so only the heading is the same.
#[test]
fn compat_modules_that_use_each_other_are_a_circular_build() {
    let files = [("a.ml", "let x = B.x\n"), ("b.ml", "let x = A.x\n")];
    let ours = Tree::new(&files);
    let theirs = ours.copy_sources();
    let b = theirs.ocamlbuild(&["-quiet", "a.byte"]);
    assert_eq!(
        b.stdout,
        "Circular build detected (b.cmi already seen in [ a.cmi; b.cmi ])\n"
    );
    for _ in 0..3 {
        let a = ours.caravan(&["-quiet", "a.byte"]);
        assert_eq!((a.code, b.code), (5, 5));
        assert_eq!(
            a.stdout,
            "Circular build detected (a.cmi already seen in [ b.cmi; a.cmi ])\n\
             Error: circular build: a.cmi -> b.cmi -> a.cmi.\n\
             Hint: these files need each other; OCaml modules cannot depend on each other in \
             a cycle. Move what they share into a module of its own.\n"
        );
    }
}

/// Implementations that use each other through interfaces compile, and
/// cannot be linked: ocamlbuild's `Circular dependencies`, exit 9.
#[test]
fn compat_objects_that_need_each_other_are_circular_dependencies() {
    let files = [
        ("a.mli", "val x : int\n"),
        ("a.ml", "let x = B.y + 1\n"),
        ("b.mli", "val y : int\n"),
        ("b.ml", "let y = 2\nlet z () = A.x\n"),
    ];
    let ours = Tree::new(&files);
    let theirs = ours.copy_sources();
    let b = theirs.ocamlbuild(&["-quiet", "a.byte"]);
    let a = ours.caravan(&["-quiet", "a.byte"]);
    let heading = "Circular dependencies: \"a.cmo\" already seen in [ \"b.cmo\"; \"a.cmo\" ]";
    assert_eq!(b.stdout, format!("{heading}\n\n"));
    assert_eq!((a.code, b.code), (9, 9));
    assert_eq!(
        a.stdout,
        format!(
            "{heading}\n\
             Error: circular dependencies between modules: a.cmo -> b.cmo -> a.cmo\n\
             Hint: OCaml cannot link compilation units that use each other; move what they \
             share into a module of its own.\n"
        )
    );
}

const TOTO_PLUGIN: &str =
    "open Ocamlbuild_plugin;;\npflag [\"link\"] \"toto\" (fun arg -> A arg);;\n";

/// Runs `args` with both tools on copies of `files`; both must succeed
/// with the same output. Returns the two trees (caravan's first).
fn same_output(files: &[(&str, &str)], args: &[&str], expected: &str) -> (Tree, Tree) {
    let ours = Tree::new(files);
    let theirs = ours.copy_sources();
    let b = theirs.ocamlbuild(args);
    let a = ours.caravan(args);
    assert_eq!((b.code, b.stdout.as_str()), (0, expected), "ocamlbuild");
    assert_eq!((a.code, a.stdout.as_str()), (0, expected), "caravan");
    (ours, theirs)
}

/// ocamlbuild's `ModularPlugin3` (testsuite/internal.ml): a parametrised
/// plugin tag that only the plugin declares warns while the plugin is
/// compiled (the plugin is not there to declare it yet), and only then.
#[test]
fn compat_plugin_tag_with_a_parameter_nothing_declares_warns() {
    let args = [
        "-no-ocamlfind",
        "-quiet",
        "-plugin-tag",
        "toto(-g)",
        "main.byte",
    ];
    let (ours, theirs) = same_output(
        &[("main.ml", "let x = 1\n"), ("myocamlbuild.ml", TOTO_PLUGIN)],
        &args,
        "Warning: tag \"toto\" does not expect a parameter, but is used with parameter \"-g\"\n",
    );
    assert!(ours.exists("_build/main.byte") && theirs.exists("_build/main.byte"));
    // The plugin is up to date: no compile, no warning.
    assert_eq!(theirs.ocamlbuild(&args).stdout, "");
    assert_eq!(ours.caravan(&args).stdout, "");
}

/// Several plugin tags: the warnings in ocamlbuild's order (parametrised
/// tags first), `pp` without its parameter included.
#[test]
fn compat_plugin_tag_warnings_come_in_ocamlbuilds_order() {
    same_output(
        &[("main.ml", "let x = 1\n"), ("myocamlbuild.ml", TOTO_PLUGIN)],
        &[
            "-no-ocamlfind",
            "-quiet",
            "-plugin-tags",
            "toto(-g), warn(+a), package(str), use_str, debug(x), pp",
            "main.byte",
        ],
        "Warning: tag \"debug\" does not expect a parameter, but is used with parameter \"x\"\n\
         Warning: tag \"package\" does not expect a parameter, but is used with parameter \"str\"\n\
         Warning: tag \"toto\" does not expect a parameter, but is used with parameter \"-g\"\n\
         Warning: tag \"pp\" expects a parameter\n",
    );
}

/// ocamlbuild's `ModularPlugin2`: the same tag in `_tags`, declared by the
/// plugin, does not warn at all.
#[test]
fn compat_a_parametrised_tag_the_plugin_declares_does_not_warn() {
    same_output(
        &[
            ("main.ml", "let x = 1\n"),
            ("_tags", "<main.*>: toto(-g)\n"),
            ("myocamlbuild.ml", TOTO_PLUGIN),
        ],
        &["-no-ocamlfind", "-quiet", "main.byte"],
        "",
    );
}

/// ocamlbuild's `PluginTagsWarning`: plugin tags without a plugin.
#[test]
fn compat_plugin_tags_without_a_plugin_warn() {
    let args = ["-no-ocamlfind", "-plugin-tag", "use_str", "main.cmo"];
    let ours = Tree::new(&[("main.ml", "")]);
    let theirs = ours.copy_sources();
    let b = theirs.ocamlbuild(&args);
    let a = ours.caravan(&args);
    let warning = "Warning: option -plugin-tag(s) has no effect in absence of plugin file \"myocamlbuild.ml\"";
    assert_eq!(
        (b.code, head(&b.stdout, 1)),
        (0, vec![warning]),
        "{}",
        b.stdout
    );
    assert_eq!(
        (a.code, head(&a.stdout, 1)),
        (0, vec![warning]),
        "{}",
        a.stdout
    );
    assert!(ours.exists("_build/main.cmo") && theirs.exists("_build/main.cmo"));
}

/// An unbound module gets a hint only when the project explains it: a
/// sub-folder not searched that holds it, or a close name; a name the
/// project does not have gets none.
#[test]
fn unbound_module_hints_say_where_the_module_is_or_what_was_meant() {
    let t = Tree::new(&[
        ("util.ml", "let x = 1\n"),
        ("geometry/shapes.ml", "let name = \"s\"\n"),
        ("main.ml", "let () = print_string Shapes.name\n"),
    ]);
    let r = t.caravan(&["main.native"]);
    assert_eq!(r.code, 10, "{}", r.stdout);
    assert!(
        r.stdout.trim_end().ends_with(
            "Hint: a module `Shapes` is in geometry/, a folder that is not searched (as with \
             ocamlbuild, modules are looked up in include folders only): add `<geometry>: \
             include` to _tags or pass -I geometry (or -r -search-all-dirs to traverse and \
             search every folder)."
        ),
        "{}",
        r.stdout
    );
    t.write("main.ml", "let () = print_int Utl.x\n");
    let r = t.caravan(&["main.native"]);
    assert_eq!(r.code, 10, "{}", r.stdout);
    assert!(
        r.stdout.trim_end().ends_with("Hint: did you mean `Util`?"),
        "{}",
        r.stdout
    );
    t.write("main.ml", "let () = print_int Nowhere.x\n");
    let r = t.caravan(&["main.native"]);
    assert_eq!(r.code, 10, "{}", r.stdout);
    assert!(
        r.stdout.contains("Unbound module Nowhere") && !r.stdout.contains("Hint"),
        "{}",
        r.stdout
    );
}
