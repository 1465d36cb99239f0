//! Targets with ocamlbuild's meaning, module lookup and link order.

use crate::support::Tree;

fn hello() -> Tree {
    Tree::new(&[
        ("util.mli", "val greet : string -> string\n"),
        ("util.ml", "let greet n = \"Hello, \" ^ n\n"),
        ("lib/shapes.ml", "let area r = 3.0 *. r *. r\n"),
        (
            "main.ml",
            "let () = print_endline (Util.greet \"world\"); Printf.printf \"%.1f\\n\" (Shapes.area 1.0)\n",
        ),
    ])
}

#[test]
fn native_and_byte_programs_link_and_run() {
    let t = hello();
    t.caravan(&["-I", "lib", "main.native", "main.byte"]).ok();
    for p in ["main.native", "main.byte"] {
        assert_eq!(t.run(p, &[]).stdout, "Hello, world\n3.0\n");
    }
}

#[test]
fn every_single_unit_target_is_built() {
    let t = hello();
    let targets = [
        "util.cmi",
        "util.cmo",
        "util.cmx",
        "util.o",
        "main.cmo",
        "main.cmx",
        "main.ml.depends",
        "util.mli.depends",
        "main.inferred.mli",
        "lib/shapes.cmo",
    ];
    let mut args = vec!["-I", "lib"];
    args.extend(targets);
    t.caravan(&args).ok();
    for target in targets {
        assert!(t.exists(&format!("_build/{target}")), "{target} missing");
    }
    assert_eq!(
        t.read("_build/main.ml.depends"),
        "main.ml: Printf Shapes Util\n"
    );
    assert_eq!(t.read("_build/util.mli.depends"), "util.mli:\n");
    let t2 = Tree::new(&[("f.ml", "let f x = x + 1\nlet s = \"a\"\n")]);
    t2.caravan(&["f.inferred.mli"]).ok();
    assert_eq!(
        t2.read("_build/f.inferred.mli"),
        "val f : int -> int\nval s : string\n"
    );
}

#[test]
fn a_module_without_mli_gets_its_cmi_from_compiling_the_ml() {
    let t = Tree::new(&[
        ("a.ml", "let x = 1\n"),
        ("b.ml", "let () = print_int A.x\n"),
    ]);
    t.caravan(&["b.byte"]).ok();
    assert!(t.exists("_build/a.cmi"));
    assert_eq!(t.run("b.byte", &[]).stdout, "1");
}

#[test]
fn a_native_build_runs_one_compiler_per_module_without_mli() {
    let t = Tree::new(&[
        ("a.ml", "let x = 1\n"),
        ("b.ml", "let () = print_int A.x\n"),
    ]);
    t.caravan(&["b.native"]).ok();
    let cmds = t.compiler_commands();
    assert!(cmds.iter().all(|c| !c.contains("ocamlc")), "{cmds:#?}");
    assert_eq!(cmds.len(), 3, "two compilations and a link: {cmds:#?}");
    assert_eq!(t.run("b.native", &[]).stdout, "1");
}

#[test]
fn byte_and_native_share_one_cmi_written_once() {
    let t = Tree::new(&[
        ("a.ml", "let x = 1\n"),
        ("b.ml", "let () = print_int A.x\n"),
    ]);
    t.caravan(&["b.native", "b.byte"]).ok();
    let writers: Vec<String> = t
        .compiler_commands()
        .into_iter()
        .filter(|c| c.contains(" -c ") && !c.contains("-intf-suffix") && c.ends_with(" a.ml"))
        .collect();
    assert_eq!(writers.len(), 1, "a.cmi must have one writer: {writers:#?}");
    assert_eq!(t.run("b.native", &[]).stdout, "1");
    assert_eq!(t.run("b.byte", &[]).stdout, "1");
}

#[test]
fn modules_are_found_in_include_dirs_own_dir_first() {
    let t = Tree::new(&[
        ("src/main.ml", "let () = print_string (Name.v ^ Other.v)\n"),
        ("src/name.ml", "let v = \"src\"\n"),
        ("lib/name.ml", "let v = \"lib\"\n"),
        ("lib/other.ml", "let v = \"+other\"\n"),
    ]);
    t.caravan(&["-I", "lib", "src/main.byte"]).ok();
    assert_eq!(t.run("main.byte", &[]).stdout, "src+other");
}

#[test]
fn a_target_named_without_its_folder_is_looked_up_in_include_dirs() {
    let t = Tree::new(&[("src/main.ml", "let () = print_string \"ok\"\n")]);
    t.caravan(&["-I", "src", "main.byte"]).ok();
    assert!(t.exists("_build/src/main.byte"));
}

/// Modules are looked up in include folders only, as ocamlbuild does: a
/// traversed sub-folder is not searched (the compile fails as ocamlbuild's
/// does) unless `-search-all-dirs` asks for it.
#[test]
fn sub_folders_are_searched_for_modules_only_with_search_all_dirs() {
    let files = [
        ("_tags", ""),
        ("main.ml", "let () = print_string Shapes.name\n"),
        ("geometry/shapes.ml", "let name = \"shapes\"\n"),
    ];
    let t = Tree::new(&files);
    let ours = t.caravan(&["main.native"]);
    let theirs = t.copy_sources().ocamlbuild(&["main.native"]);
    assert_eq!(theirs.code, 10, "{}", theirs.stdout);
    assert_eq!(ours.code, theirs.code, "{}", ours.stdout);
    assert!(
        ours.stdout.contains("Unbound module Shapes"),
        "{}",
        ours.stdout
    );
    t.caravan(&["-search-all-dirs", "main.native"]).ok();
    assert_eq!(t.run("main.native", &[]).stdout, "shapes");
    let t = Tree::new(&files[1..]);
    t.caravan(&["-r", "-search-all-dirs", "main.native"]).ok();
    assert_eq!(t.run("main.native", &[]).stdout, "shapes");
}

/// A module of a test folder does not shadow an installed package's module
/// of the same name (`test/fmt.ml` against package `fmt`): the program
/// links the package, as with ocamlbuild.
#[test]
fn a_test_folder_module_does_not_shadow_a_package() {
    let files = [
        ("_tags", "true: package(fmt)\n"),
        ("main.ml", "let () = Fmt.pr \"%a@.\" Fmt.int 42\n"),
        ("test/fmt.ml", "let pr = `not_the_package\n"),
        ("test/test.ml", "let _ = Fmt.pr\n"),
    ];
    let t = Tree::new(&files);
    let theirs = t.copy_sources();
    theirs.ocamlbuild(&["-use-ocamlfind", "main.native"]).ok();
    assert_eq!(theirs.run("main.native", &[]).stdout, "42\n");
    t.caravan(&["main.native"]).ok();
    assert_eq!(t.run("main.native", &[]).stdout, "42\n");
}

#[test]
fn modules_not_found_are_left_to_the_compiler() {
    let t = Tree::new(&[(
        "main.ml",
        "let () = print_string (String.concat \",\" [Sys.os_type])\n",
    )]);
    t.caravan(&["main.byte"]).ok();
    let t = Tree::new(&[("main.ml", "let () = Nowhere.f ()\n")]);
    let r = t.caravan(&["main.byte"]);
    assert_eq!(r.code, 10);
    assert!(r.stdout.contains("Unbound module Nowhere"), "{}", r.stdout);
}

#[test]
fn link_order_is_dependencies_first_then_path_order() {
    let t = Tree::new(&[
        ("main.ml", "let () = Z.f (); Y.f (); A.f ()\n"),
        ("a.ml", "let f () = print_string \"a\"\n"),
        ("y.ml", "let f () = B.f (); print_string \"y\"\n"),
        ("b.ml", "let f () = print_string \"b\"\n"),
        ("z.ml", "let f () = A.f (); print_string \"z\"\n"),
    ]);
    t.caravan(&["main.byte"]).ok();
    let link = t
        .compiler_commands()
        .into_iter()
        .find(|c| c.ends_with("-o main.byte"))
        .expect("link command");
    assert!(
        link.ends_with("a.cmo b.cmo y.cmo z.cmo main.cmo -o main.byte"),
        "{link}"
    );
}

#[test]
fn the_example_project_builds_and_runs() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hello");
    let t = Tree::new(&[]);
    for rel in [
        "_tags",
        "main.ml",
        "greeting.ml",
        "greeting.mli",
        "stats.ml",
        "geometry/shapes.ml",
    ] {
        t.write(
            rel,
            &std::fs::read_to_string(example.join(rel)).expect("example file"),
        );
    }
    t.caravan(&["main.native", "main.byte"]).ok();
    let expected =
        "Hello, world!\na circle of area 3.14\na square of area 4.00\ntotal area: 7.14\n";
    assert_eq!(t.run("main.native", &[]).stdout, expected);
    assert_eq!(t.run("main.byte", &[]).stdout, expected);
}
