//! Incremental builds: nothing runs that need not, everything runs that must.

use std::time::{Duration, SystemTime};

use crate::support::Tree;

fn tree() -> Tree {
    Tree::new(&[
        (
            "count.mli",
            "(* Counting. *)\nval count : int -> int\nval base : int\n",
        ),
        (
            "count.ml",
            "let rec count n = if n <= 0 then 0 else 1 + count (n - 1)\nlet base = 10\n",
        ),
        ("show.ml", "let show n = string_of_int (Count.count n)\n"),
        ("main.ml", "let () = print_string (Show.show Count.base)\n"),
    ])
}

fn stats(t: &Tree, args: &[&str]) -> u64 {
    let r = t.caravan_env(args, &[("CARAVAN_STATS", "1")]).ok();
    let line = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("caravan-stats: files-hashed="))
        .expect("stats line");
    line.trim().parse().expect("a number")
}

fn touch(t: &Tree, name: &str) {
    let f = std::fs::File::options()
        .write(true)
        .open(t.path(name))
        .expect("open");
    f.set_modified(SystemTime::now() + Duration::from_secs(5))
        .expect("set mtime");
}

#[test]
fn null_build_runs_nothing_and_hashes_nothing() {
    let t = tree();
    t.caravan(&["main.native", "main.byte"]).ok();
    assert_eq!(stats(&t, &["main.native", "main.byte"]), 0);
    assert!(t.commands().is_empty(), "{:#?}", t.commands());
}

#[test]
fn touching_without_changing_runs_nothing() {
    let t = tree();
    t.caravan(&["main.native", "main.byte"]).ok();
    touch(&t, "count.ml");
    touch(&t, "count.mli");
    assert_eq!(stats(&t, &["main.native", "main.byte"]), 2);
    assert!(t.commands().is_empty(), "{:#?}", t.commands());
    // And the next run does not even hash them again.
    assert_eq!(stats(&t, &["main.native", "main.byte"]), 0);
}

#[test]
fn an_implementation_edit_recompiles_that_module_and_relinks() {
    let t = tree();
    t.caravan(&["main.native", "main.byte"]).ok();
    // A recursive function is never inlined: neither the .cmi nor the .cmx
    // changes, so no dependent recompiles.
    t.write(
        "count.ml",
        "let rec count n = if n <= 0 then 0 else 2 + count (n - 1)\nlet base = 10\n",
    );
    t.caravan(&["main.native", "main.byte"]).ok();
    let mut ran: Vec<String> = t
        .compiler_commands()
        .iter()
        .map(|c| c.rsplit(' ').next().unwrap_or("").to_string())
        .collect();
    ran.sort();
    assert_eq!(
        ran,
        ["count.ml", "count.ml", "main.byte", "main.native"],
        "{:#?}",
        t.commands()
    );
    assert_eq!(t.run("main.native", &[]).stdout, "20");
    assert_eq!(t.run("main.byte", &[]).stdout, "20");
}

#[test]
fn a_changed_cmx_recompiles_native_dependents_only() {
    let t = tree();
    t.caravan(&["main.native", "main.byte"]).ok();
    // A constant is exported in the .cmx: native dependents recompile,
    // bytecode ones do not (the .cmi is unchanged).
    t.write(
        "count.ml",
        "let rec count n = if n <= 0 then 0 else 1 + count (n - 1)\nlet base = 11\n",
    );
    t.caravan(&["main.native", "main.byte"]).ok();
    let cmds = t.compiler_commands();
    assert!(
        cmds.iter()
            .any(|c| c.contains("ocamlopt") && c.ends_with("main.ml")),
        "{cmds:#?}"
    );
    assert!(
        !cmds
            .iter()
            .any(|c| c.contains("ocamlc") && c.ends_with("main.ml")),
        "{cmds:#?}"
    );
    assert_eq!(t.run("main.byte", &[]).stdout, "11");
    assert_eq!(t.run("main.native", &[]).stdout, "11");
}

/// The figures of `-stats`' graph line (`graph-nodes=… taken=…`).
fn graph_figures(t: &Tree, args: &[&str]) -> Vec<(String, String)> {
    let r = t.caravan_env(args, &[("CARAVAN_STATS", "1")]).ok();
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("graph"))
        .map(|l| l.trim_start_matches("caravan-stats: ").to_string())
        .unwrap_or_default();
    line.split_whitespace()
        .filter_map(|w| w.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn after_an_edit_the_graph_visits_only_what_the_changed_file_reaches() {
    let t = tree();
    let args = ["main.native", "main.byte"];
    t.caravan(&args).ok();
    t.write(
        "count.mli",
        "(* Countinq. *)\nval count : int -> int\nval base : int\n",
    );
    let figures = graph_figures(&t, &args);
    let get = |k: &str| {
        figures
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("?")
            .to_string()
    };
    assert_eq!(get("changed-files"), "1", "{figures:?}");
    assert_eq!(get("to-run"), "1", "the source's copy: {figures:?}");
    // Its identical .cmi stops everything above: of the whole graph, only
    // the two tasks the interface's compilation asked for are taken.
    let nodes: usize = get("graph-nodes").parse().expect("a count");
    let taken: usize = get("taken").parse().expect("a count");
    assert!(nodes >= 15, "{figures:?}");
    assert!(taken <= 4, "{figures:?}");
    assert_eq!(t.compiler_commands().len(), 1, "{:#?}", t.commands());
    assert_eq!(t.run("main.native", &[]).stdout, "10");
}

#[test]
fn a_comment_in_an_mli_rebuilds_only_the_cmi() {
    let t = tree();
    t.caravan(&["main.native", "main.byte"]).ok();
    // Same length: the declarations keep their positions, which the .cmi
    // records, so the new .cmi is byte-identical and the rebuild stops there.
    t.write(
        "count.mli",
        "(* Countinq. *)\nval count : int -> int\nval base : int\n",
    );
    t.caravan(&["main.native", "main.byte"]).ok();
    assert_eq!(
        t.compiler_commands()
            .iter()
            .map(|c| c.rsplit(' ').next().unwrap_or(""))
            .collect::<Vec<_>>(),
        ["count.mli"],
        "{:#?}",
        t.commands()
    );
}

#[test]
fn an_interface_change_recompiles_the_dependents() {
    let t = tree();
    t.caravan(&["main.byte"]).ok();
    t.write(
        "count.mli",
        "val count : int -> int\nval base : int\nval extra : int\n",
    );
    t.write(
        "count.ml",
        "let rec count n = if n <= 0 then 0 else 1 + count (n - 1)\nlet base = 10\nlet extra = 0\n",
    );
    t.caravan(&["main.byte"]).ok();
    let cmds = t.compiler_commands();
    for f in ["count.mli", "count.ml", "show.ml", "main.ml"] {
        assert!(
            cmds.iter().any(|c| c.ends_with(&format!(" {f}"))),
            "{f} not rebuilt: {cmds:#?}"
        );
    }
}

#[test]
fn a_deleted_module_leaves_no_stale_cmi_behind() {
    let t = Tree::new(&[
        ("b.ml", "let v = 1\n"),
        ("a.ml", "let () = print_int B.v\n"),
    ]);
    t.caravan(&["a.byte", "a.native"]).ok();
    assert!(t.exists("_build/.caravan/scan/b.ml.depends"));
    t.remove("b.ml");
    let r = t.caravan(&["a.byte"]);
    assert_eq!(r.code, 10, "{}", r.stdout);
    assert!(r.stdout.contains("Unbound module B"), "{}", r.stdout);
    for gone in [
        "b.ml",
        "b.cmi",
        "b.cmo",
        "b.cmx",
        "b.o",
        "b.ml.depends",
        ".caravan/scan/b.ml.depends",
    ] {
        assert!(
            !t.exists(&format!("_build/{gone}")),
            "_build/{gone} survived"
        );
    }
}

#[test]
fn a_renamed_module_is_followed() {
    let t = Tree::new(&[
        ("b.ml", "let v = 1\n"),
        ("a.ml", "let () = print_int B.v\n"),
    ]);
    t.caravan(&["a.native"]).ok();
    t.remove("b.ml");
    t.write("c.ml", "let v = 2\n");
    t.write("a.ml", "let () = print_int C.v\n");
    t.caravan(&["a.native"]).ok();
    assert_eq!(t.run("a.native", &[]).stdout, "2");
    assert!(!t.exists("_build/b.cmx"));
}

#[test]
fn adding_and_removing_an_mli_switches_who_writes_the_cmi() {
    let t = Tree::new(&[
        ("b.ml", "let v = 1\nlet hidden = 2\n"),
        ("a.ml", "let () = print_int B.v\n"),
    ]);
    t.caravan(&["a.byte", "a.native"]).ok();
    t.write("b.mli", "val v : int\n");
    t.caravan(&["a.byte", "a.native"]).ok();
    assert_eq!(t.run("a.native", &[]).stdout, "1");
    t.remove("b.mli");
    t.caravan(&["a.byte", "a.native"]).ok();
    assert!(!t.exists("_build/b.mli"));
    assert_eq!(t.run("a.byte", &[]).stdout, "1");
    assert!(t.caravan(&["a.byte", "a.native"]).ok().stdout.is_empty());
}

#[test]
fn a_modified_output_in_build_dir_is_rebuilt() {
    let t = tree();
    t.caravan(&["main.byte"]).ok();
    std::fs::write(t.path("_build/show.cmo"), b"garbage").expect("write");
    t.caravan(&["main.byte"]).ok();
    assert!(t.compiler_commands().iter().any(|c| c.ends_with("show.ml")));
    assert_eq!(t.run("main.byte", &[]).stdout, "10");
}

#[test]
fn switching_between_byte_and_native_only_builds_converges() {
    let t = tree();
    t.caravan(&["main.native"]).ok();
    t.caravan(&["main.byte"]).ok();
    t.caravan(&["main.native"]).ok();
    assert!(t.commands().is_empty(), "{:#?}", t.commands());
    t.caravan(&["main.byte"]).ok();
    assert!(t.commands().is_empty(), "{:#?}", t.commands());
}

#[test]
fn a_changed_flag_is_not_mistaken_for_a_null_build() {
    let t = tree();
    t.caravan(&["main.byte"]).ok();
    t.caravan(&["-cflag", "-g", "main.byte"]).ok();
    assert!(
        t.compiler_commands().iter().any(|c| c.contains(" -g ")),
        "{:#?}",
        t.commands()
    );
    t.caravan(&["main.byte"]).ok();
    assert!(
        !t.compiler_commands().is_empty(),
        "flags went back: recompile"
    );
}

#[test]
fn a_null_build_still_links_the_programs() {
    let t = tree();
    t.caravan(&["main.native"]).ok();
    std::fs::remove_file(t.path("main.native")).expect("remove link");
    t.caravan(&["main.native"]).ok();
    assert_eq!(t.run("main.native", &[]).stdout, "10");
}

#[test]
fn after_a_failure_the_next_run_is_not_a_null_build() {
    let t = tree();
    t.caravan(&["main.byte"]).ok();
    t.write("show.ml", "let show n = string_of_int (Count.count n) +\n");
    assert_eq!(t.caravan(&["main.byte"]).code, 10);
    assert_eq!(
        t.caravan(&["main.byte"]).code,
        10,
        "the error is reported again"
    );
    t.write("show.ml", "let show n = string_of_int (Count.count n)\n");
    t.caravan(&["main.byte"]).ok();
    assert_eq!(t.run("main.byte", &[]).stdout, "10");
}

/// A library (`lib.mllib`) of modules with and without an `.mli`, and a
/// program using it.
fn library_tree() -> Tree {
    Tree::new(&[
        ("lib.mllib", "Count\nShow\nScale\n"),
        ("count.mli", "val count : int -> int\n"),
        (
            "count.ml",
            "let rec count n = if n <= 0 then 0 else 1 + count (n - 1)\n",
        ),
        ("show.ml", "let show n = string_of_int (Count.count n)\n"),
        (
            "scale.ml",
            "let factor = 2\nlet scale n = Count.count n * factor\n",
        ),
        (
            "main.ml",
            "let () = print_string (Show.show (Scale.scale 5) ^ Extra.suffix)\n",
        ),
        ("extra.ml", "let suffix = \"!\"\n"),
    ])
}

/// The compilations in the last build's `_log` (cached ones excluded), as
/// compiler and source: `ocamlopt show.ml`.
fn compilations(t: &Tree) -> Vec<String> {
    t.compiler_commands()
        .iter()
        .filter(|c| c.split(' ').any(|w| w == "-c"))
        .map(|c| {
            let compiler = c.split(' ').next().unwrap_or("");
            let compiler = compiler.rsplit('/').next().unwrap_or(compiler);
            let compiler = compiler.trim_end_matches(".opt");
            let source = c.rsplit(' ').next().unwrap_or("");
            format!("{compiler} {source}")
        })
        .collect()
}

/// Runs the builds of `steps` in order on an unchanged tree and asserts
/// that no compilation ran twice over the whole sequence, and that every
/// target works.
fn assert_each_compile_runs_once(steps: &[&[&str]]) {
    let t = library_tree();
    let mut seen: Vec<String> = Vec::new();
    for step in steps {
        t.caravan(step).ok();
        for c in compilations(&t) {
            assert!(
                !seen.contains(&c),
                "`{c}` ran again in `caravan {}` (steps {steps:?}); it ran \
                 before: {seen:#?}",
                step.join(" ")
            );
            seen.push(c);
        }
        for target in step.iter() {
            if target.ends_with(".native") || target.ends_with(".byte") {
                assert_eq!(t.run(target, &[]).stdout, "10!", "{target}");
            } else {
                assert!(t.exists(&format!("_build/{target}")), "{target}");
            }
        }
    }
    // Each module was compiled by each compiler, and once only.
    for source in ["show.ml", "scale.ml", "extra.ml", "count.ml"] {
        for compiler in ["ocamlc", "ocamlopt"] {
            let c = format!("{compiler} {source}");
            assert!(seen.contains(&c), "{c} never ran: {seen:#?}");
        }
    }
}

#[test]
fn switching_targets_runs_each_compilation_once() {
    assert_each_compile_runs_once(&[
        &["main.native"],
        &["main.byte"],
        &["main.native", "main.byte"],
        &["lib.cma"],
        &["lib.cmxa"],
        &["main.native"],
        &["main.byte"],
    ]);
}

#[test]
fn switching_targets_from_a_mixed_build_runs_each_compilation_once() {
    assert_each_compile_runs_once(&[
        &["main.native", "main.byte"],
        &["main.native"],
        &["lib.cmxa"],
        &["main.byte"],
        &["lib.cma"],
        &["main.native", "main.byte"],
        &["main.native"],
    ]);
}

#[test]
fn switching_targets_from_a_byte_build_runs_each_compilation_once() {
    assert_each_compile_runs_once(&[
        &["main.byte"],
        &["lib.cmxa"],
        &["main.native", "main.byte"],
        &["main.native"],
        &["lib.cma"],
    ]);
}

#[test]
fn after_switching_targets_an_edit_rebuilds_both_programs() {
    let t = library_tree();
    t.caravan(&["main.native"]).ok();
    t.caravan(&["main.byte"]).ok();
    t.caravan(&["main.native", "main.byte"]).ok();
    // An interface change of a module without .mli, in a native-only build.
    t.write("extra.ml", "let suffix = \"?\"\nlet more = 1\n");
    t.caravan(&["main.native"]).ok();
    assert_eq!(t.run("main.native", &[]).stdout, "10?");
    t.caravan(&["main.native", "main.byte"]).ok();
    assert_eq!(t.run("main.native", &[]).stdout, "10?");
    assert_eq!(t.run("main.byte", &[]).stdout, "10?");
    // And an implementation-only change, in a byte-only build.
    t.write(
        "scale.ml",
        "let factor = 3\nlet scale n = Count.count n * factor\n",
    );
    t.caravan(&["main.byte"]).ok();
    assert_eq!(t.run("main.byte", &[]).stdout, "15?");
    t.caravan(&["main.native"]).ok();
    assert_eq!(t.run("main.native", &[]).stdout, "15?");
    t.caravan(&["main.native", "main.byte"]).ok();
    assert!(compilations(&t).is_empty(), "{:#?}", t.commands());
}

/// A project whose modules are preprocessed by a `.byte` it builds itself
/// (`dep` on the tag and `-pp boot/pp.byte`), as camlp4 is with
/// `camlp4boot.byte`; every module also has a tag whose `dep` names a file
/// (camlp4's `use_import`). Of the preprocessor's modules, `subst.ml` has
/// no `.mli` and is used by `pp.ml`.
fn preprocessed_tree() -> Tree {
    let plugin = r#"open Ocamlbuild_plugin
let () =
  dispatch (function
    | After_rules ->
        dep ["mypp"] ["boot/pp.byte"];
        flag ["ocaml"; "pp"; "mypp"] (P "boot/pp.byte");
        dep ["ocaml"; "compile"; "use_extra"] ["extra.txt"]
    | _ -> ())
"#;
    let subst = r#"let greeting = "GREETING"
let replace l =
  let n = String.length greeting in
  let b = Buffer.create (String.length l) in
  let i = ref 0 in
  while !i < String.length l do
    if !i + n <= String.length l && String.sub l !i n = greeting then (
      Buffer.add_string b "\"hello\"";
      i := !i + n)
    else (
      Buffer.add_char b l.[!i];
      incr i)
  done;
  Buffer.contents b
"#;
    let pp = r#"let () =
  let ic = open_in Sys.argv.(1) in
  (try
     while true do
       print_endline (Subst.replace (input_line ic))
     done
   with End_of_file -> ());
  close_in ic
"#;
    Tree::new(&[
        ("myocamlbuild.ml", plugin),
        ("boot/subst.ml", subst),
        ("boot/pp.ml", pp),
        ("extra.txt", "extra\n"),
        ("greet.ml", "let greet () = GREETING\n"),
        ("shout.mli", "val shout : string -> string\n"),
        (
            "shout.ml",
            "let shout s = String.uppercase_ascii s ^ GREETING\n",
        ),
        (
            "main.ml",
            "let () = print_string (Shout.shout (Greet.greet ()))\n",
        ),
        (
            "_tags",
            "<**/*.ml> or <**/*.mli>: use_extra\n<*.ml> or <*.mli>: mypp\n",
        ),
    ])
}

#[test]
fn a_native_build_after_a_byte_one_reuses_the_preprocessor_and_its_outputs() {
    let t = preprocessed_tree();
    t.caravan(&["main.byte"]).ok();
    assert_eq!(t.run("main.byte", &[]).stdout, "HELLOhello");
    let byte = compilations(&t);
    t.caravan(&["main.native"]).ok();
    assert_eq!(t.run("main.native", &[]).stdout, "HELLOhello");
    let native = compilations(&t);
    for c in &native {
        assert!(
            !byte.contains(c),
            "`{c}` ran again in the native build: {native:#?}"
        );
        // The preprocessor is a `.byte`: its modules have no use for a `.cmx`.
        assert!(
            !c.contains(" boot/"),
            "`{c}` ran in the native build: {native:#?}"
        );
    }
    // Only ocamlopt ran, once per module of the program.
    let mut expected = vec!["ocamlopt greet.ml", "ocamlopt main.ml", "ocamlopt shout.ml"];
    let mut got: Vec<&str> = native.iter().map(String::as_str).collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected, "{native:#?}");
    let links: Vec<String> = t
        .compiler_commands()
        .into_iter()
        .filter(|c| c.contains("boot/pp.byte") && !c.contains(" -c ") && !c.contains("-pp"))
        .collect();
    assert!(
        links.is_empty(),
        "the preprocessor was relinked: {links:#?}"
    );
}
