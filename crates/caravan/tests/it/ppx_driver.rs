//! ppx rewriters from packages through one linked driver: the driver is
//! linked once, runs once per source, `ocamldep` scans and the compilers
//! compile the AST it writes, and what comes out is what the compiler's
//! `-ppx` path gives.

use std::process::Command;

use crate::support::Tree;

/// The variable that turns the pipeline off.
const OFF: (&str, &str) = ("CARAVAN_PPX_DRIVER", "0");

/// `a.ml` uses `[@@deriving show]` and `B`; `b.ml` has an `.mli`.
fn show_tree() -> Tree {
    Tree::new(&[
        (
            "a.ml",
            "type color = Red | Green of int [@@deriving show]\n\
             let () = print_string (show_color (Green B.n))\n",
        ),
        ("b.mli", "val n : int\n"),
        ("b.ml", "let n = 3\n"),
        ("_tags", "true: package(ppx_deriving.show)\n"),
    ])
}

fn is_driver_link(c: &str) -> bool {
    c.contains(" -linkall -o .caravan/ppx/") && c.ends_with("ppxlib_runner.cmxa")
}

/// The sources the driver ran on, in the order of the log.
fn driver_runs(t: &Tree) -> Vec<String> {
    t.commands()
        .iter()
        .filter(|c| c.starts_with(".caravan/ppx/") && c.contains(" --dump-ast "))
        .map(|c| c.rsplit(' ').next().unwrap_or_default().to_string())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn a_ppx_project_builds_and_runs_through_one_driver() {
    let t = show_tree();
    t.caravan(&["a.native", "a.byte"]).ok();
    assert_eq!(t.run("a.native", &[]).stdout, "(A.Green 3)");
    assert_eq!(t.run("a.byte", &[]).stdout, "(A.Green 3)");
    let commands = t.commands();
    assert_eq!(
        commands.iter().filter(|c| is_driver_link(c)).count(),
        1,
        "{commands:#?}"
    );
    // One driver run per source, for both compilers and the scan.
    assert_eq!(sorted(driver_runs(&t)), ["a.ml", "b.ml", "b.mli"]);
    // The scan and the compilers read the AST, without -ppx.
    for c in commands
        .iter()
        .filter(|c| c.contains(" -c ") || c.contains("ocamldep"))
    {
        assert!(!c.contains("-ppx"), "{c}");
        assert!(c.contains(".ml.ast") || c.contains(".mli.ast"), "{c}");
    }
    // The scan sees what the rewriter mentions.
    let deps = t.read("_build/a.ml.depends");
    assert!(deps.contains("Ppx_deriving_runtime"), "{deps}");
    assert!(deps.contains(" B"), "{deps}");
    // A null build runs nothing.
    t.caravan(&["a.native", "a.byte"]).ok();
    assert!(t.commands().is_empty(), "{:#?}", t.commands());
}

#[test]
fn a_type_error_in_a_rewritten_file_names_its_file_and_line() {
    let t = show_tree();
    t.write(
        "a.ml",
        "type color = Red | Green of int [@@deriving show]\n\
         let () = print_string (show_color (Green B.n))\n\
         \n\
         let wrong : string = 1 + 2\n",
    );
    let r = t.caravan(&["a.native"]);
    assert_eq!(r.code, 10, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("File \"a.ml\", line 4, characters 21-26:"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("let wrong : string = 1 + 2"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("-impl a.ml.ast"), "{}", r.stdout);
}

#[test]
fn an_edit_reruns_only_its_driver_run_and_compilation() {
    let t = show_tree();
    t.write("c.ml", "let unused = 0\n");
    t.caravan(&["a.byte"]).ok();
    // A new body for b.ml: its AST, scan and compilation run again; a.cmo
    // reads b.cmi, which did not change, so it does not.
    t.write("b.ml", "let n = 4\n");
    t.caravan(&["a.byte"]).ok();
    assert_eq!(driver_runs(&t), ["b.ml"]);
    let ran = t.commands();
    assert!(!ran.iter().any(|c| is_driver_link(c)), "{ran:#?}");
    assert!(ran.iter().any(|c| c.contains("-o b.cmo")), "{ran:#?}");
    assert!(!ran.iter().any(|c| c.contains("-o a.cmo")), "{ran:#?}");
    assert_eq!(t.run("a.byte", &[]).stdout, "(A.Green 4)");
    // A comment at the end leaves the AST as it was: only the driver runs.
    t.write("b.ml", "let n = 4\n(* four *)\n");
    t.caravan(&["a.byte"]).ok();
    assert_eq!(driver_runs(&t), ["b.ml"]);
    assert_eq!(t.commands().len(), 1, "{:#?}", t.commands());
}

#[test]
fn the_pipeline_can_be_turned_off() {
    let t = show_tree();
    t.caravan_env(&["a.native"], &[OFF]).ok();
    assert_eq!(t.run("a.native", &[]).stdout, "(A.Green 3)");
    let commands = t.commands();
    assert!(driver_runs(&t).is_empty(), "{commands:#?}");
    assert!(
        commands
            .iter()
            .any(|c| c.contains("-ppx") && c.ends_with(" a.ml")),
        "{commands:#?}"
    );
    // Turning it on again changes the commands, even after a null build.
    t.caravan(&["a.native"]).ok();
    assert_eq!(sorted(driver_runs(&t)), ["a.ml", "b.ml", "b.mli"]);
}

/// Rewrites `[%extra]` into `Extra.value`: a plain `-ppx` executable.
const EXTRA_PPX: &str = "open Parsetree\n\
let expr mapper e =\n\
  match e.pexp_desc with\n\
  | Pexp_extension ({ txt = \"extra\"; _ }, _) ->\n\
    Ast_helper.Exp.ident ~loc:e.pexp_loc\n\
      { txt = Longident.Ldot (Longident.Lident \"Extra\", \"value\"); loc = e.pexp_loc }\n\
  | _ -> Ast_mapper.default_mapper.expr mapper e\n\
let () = Ast_mapper.run_main (fun _ -> { Ast_mapper.default_mapper with expr })\n";

#[test]
fn a_package_whose_ppx_cannot_be_linked_into_a_driver_falls_back() {
    // Package `extra_ppx` has a `ppx` executable and no ppx_driver archive.
    let installed = tempfile::tempdir().expect("tmp");
    let pkg = installed.path().join("extra_ppx");
    std::fs::create_dir_all(&pkg).expect("mkdir");
    std::fs::write(pkg.join("ppx_extra.ml"), EXTRA_PPX).expect("write");
    let built = Command::new("ocamlfind")
        .args([
            "ocamlopt",
            "-package",
            "compiler-libs.common",
            "-linkpkg",
            "ppx_extra.ml",
            "-o",
            "ppx_extra.exe",
        ])
        .current_dir(&pkg)
        .output()
        .expect("ocamlfind");
    assert!(built.status.success(), "{built:?}");
    std::fs::write(
        pkg.join("META"),
        "description = \"[%extra]\"\nppx = \"./ppx_extra.exe\"\n",
    )
    .expect("META");
    let ocamlpath = installed.path().to_string_lossy().into_owned();
    let t = Tree::new(&[
        ("base.ml", "let v = 40\n"),
        ("extra.ml", "let value = Base.v + 2\n"),
        (
            "main.ml",
            "type t = A [@@deriving show]\nlet () = print_int [%extra]; print_string (show A)\n",
        ),
        (
            "_tags",
            "true: package(extra_ppx), package(ppx_deriving.show)\n",
        ),
    ]);
    t.caravan_env(&["main.native"], &[("OCAMLPATH", ocamlpath.as_str())])
        .ok();
    assert_eq!(t.run("main.native", &[]).stdout, "42Main.A");
    // Both rewriters run as -ppx, on the scan and the compilation; the
    // scan saw `Extra`, which only the rewriter mentions.
    assert!(driver_runs(&t).is_empty(), "{:#?}", t.commands());
    let commands = t.commands();
    let of = |needle: &str| {
        commands
            .iter()
            .find(|c| c.contains(needle))
            .unwrap_or_else(|| panic!("no {needle} in {commands:#?}"))
            .clone()
    };
    for c in [of("main.ml.depends"), of("-o main.cmx")] {
        assert!(c.contains("ppx_extra.exe"), "{c}");
        assert!(c.contains("package:ppx_deriving.show"), "{c}");
    }
    assert!(of("-o main.native").contains("base.cmx extra.cmx main.cmx"));
}

/// Modules like those of the benchmark: three rewriters on each file.
fn sexp_tree(n: usize) -> Tree {
    let mut files = vec![(
        "_tags".to_string(),
        "true: package(ppx_sexp_conv), package(ppx_compare), package(ppx_hash), package(base)\n"
            .to_string(),
    )];
    for i in 0..n {
        let mut text = format!(
            "open Base\n\
             type t = {{ a : int; b : string; c : float list; d : (int * string) option }} \
             [@@deriving sexp, compare, hash]\n\
             type u = A | B of t | C of {{ x : int; y : t list }} [@@deriving sexp, compare, hash]\n\
             let v = {{ a = {i}; b = \"m{i}\"; c = [1.0; 2.0]; d = Some ({i}, \"x\") }}\n\
             let s () = Sexp.to_string (sexp_of_t v)\n"
        );
        if i > 0 {
            text.push_str(&format!("let use_prev = M{}.compare_u\n", i - 1));
        }
        files.push((format!("m{i}.ml"), text));
    }
    files.push((
        "main.ml".to_string(),
        format!("let () = Stdlib.print_endline (M{}.s ())\n", n - 1),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    Tree::new(&refs)
}

/// The source the compiler sees, as `-dsource` prints it, for the
/// compilation of `object` in the tree's last build: its command again,
/// stopped after parsing. The `ocaml.ppx.context` attribute that a driver
/// leaves at the top of its AST (the compiler drops it after a `-ppx`) is
/// left out.
fn dsource(t: &Tree, object: &str) -> String {
    let log = t.read("_build/_log");
    let command = log
        .lines()
        .find(|l| l.contains(&format!(" -o {object} ")) && l.contains(" -c "))
        .unwrap_or_else(|| panic!("no compilation of {object} in {log}"));
    let argv = shlex::split(command.trim_end_matches(" # cached")).expect("words");
    let out = Command::new(&argv[0])
        .args(&argv[1..])
        .args(["-dsource", "-stop-after", "parsing"])
        .current_dir(t.path("_build"))
        .output()
        .expect("compiler");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut kept = Vec::new();
    let mut in_context = false;
    for line in text.lines() {
        if line.starts_with("[@@@ocaml.ppx.context") {
            in_context = true;
        } else if in_context {
            in_context = line != "  }]";
        } else {
            kept.push(line);
        }
    }
    kept.join("\n")
}

#[test]
fn the_driver_gives_the_source_and_program_of_the_ppx_path() {
    let fast = sexp_tree(4);
    let slow = fast.copy_sources();
    fast.caravan(&["main.native"]).ok();
    slow.caravan_env(&["main.native"], &[OFF]).ok();
    assert_eq!(driver_runs(&fast).len(), 5);
    assert!(driver_runs(&slow).is_empty());
    let output = fast.run("main.native", &[]).stdout;
    assert_eq!(output, "((a 3)(b m3)(c(1 2))(d((3 x))))\n");
    assert_eq!(slow.run("main.native", &[]).stdout, output);
    for m in ["m0", "m1", "m2", "m3", "main"] {
        let object = format!("{m}.cmx");
        let (a, b) = (dsource(&fast, &object), dsource(&slow, &object));
        if m != "main" {
            assert!(a.contains("sexp_of_t"), "{a}");
        }
        assert_eq!(a, b, "{m}");
    }
}

/// Installs `myppx` in `dir` as dune installs a ppxlib rewriter: a
/// `ppx_driver` archive and, for the `-ppx` path, its own `ppx.exe
/// --as-ppx`. It rewrites `[%myval]` into `value`.
fn install_rewriter(dir: &std::path::Path, value: i32) {
    let pkg = dir.join("myppx");
    std::fs::create_dir_all(&pkg).expect("mkdir");
    std::fs::write(
        pkg.join("myppx.ml"),
        format!(
            "open Ppxlib\n\
             let ext = Extension.declare \"myval\" Extension.Context.expression \
             Ast_pattern.(pstr nil) (fun ~loc ~path:_ -> Ast_builder.Default.eint ~loc {value})\n\
             let () = Driver.register_transformation \"myppx\" ~rules:[Context_free.Rule.extension ext]\n"
        ),
    )
    .expect("write");
    std::fs::write(pkg.join("run.ml"), "let () = Ppxlib.Driver.standalone ()\n").expect("write");
    for cmd in [
        "ocamlfind ocamlopt -package ppxlib -c myppx.ml",
        "ocamlfind ocamlopt -a myppx.cmx -o myppx.cmxa",
        "ocamlfind ocamlopt -package ppxlib -linkpkg -linkall myppx.cmxa run.ml -o ppx.exe",
    ] {
        let out = Command::new("sh")
            .args(["-c", cmd])
            .current_dir(&pkg)
            .output()
            .expect("sh");
        assert!(out.status.success(), "{cmd}: {out:?}");
    }
    std::fs::write(
        pkg.join("META"),
        "requires(ppx_driver) = \"ppxlib\"\n\
         archive(ppx_driver,native) = \"myppx.cmxa\"\n\
         ppx(-ppx_driver,-custom_ppx) = \"./ppx.exe --as-ppx\"\n",
    )
    .expect("META");
}

#[test]
fn an_upgraded_rewriter_relinks_the_driver() {
    let installed = tempfile::tempdir().expect("tmp");
    install_rewriter(installed.path(), 1);
    let ocamlpath = installed.path().to_string_lossy().into_owned();
    let env = [("OCAMLPATH", ocamlpath.as_str())];
    let t = Tree::new(&[
        ("a.ml", "let () = print_int [%myval]\n"),
        ("_tags", "true: package(myppx)\n"),
    ]);
    t.caravan_env(&["a.native"], &env).ok();
    assert_eq!(t.run("a.native", &[]).stdout, "1");
    assert_eq!(driver_runs(&t), ["a.ml"]);
    std::thread::sleep(std::time::Duration::from_millis(10));
    install_rewriter(installed.path(), 2);
    t.caravan_env(&["a.native"], &env).ok();
    assert!(
        t.commands().iter().any(|c| is_driver_link(c)),
        "{:#?}",
        t.commands()
    );
    assert_eq!(driver_runs(&t), ["a.ml"]);
    assert_eq!(t.run("a.native", &[]).stdout, "2");
}
