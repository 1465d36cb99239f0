//! C stubs: C files, C libraries, and a library carrying its stubs, used
//! from bytecode and native programs (`examples/stubs`), against the real
//! ocamlbuild.

use crate::support::{SideBySide, Tree, log_entry, run_with_env};

/// The files of `examples/stubs`.
fn example() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/stubs");
    [
        "_tags",
        "main.ml",
        "counter/counter.ml",
        "counter/counter.mli",
        "counter/counter.mllib",
        "counter/counter_stubs.c",
        "counter/libcounter_stubs.clib",
    ]
    .iter()
    .map(|rel| {
        let text = std::fs::read_to_string(dir.join(rel)).expect("example file");
        (rel.to_string(), text)
    })
    .collect()
}

const EXPECTED: &str = "caravan  fnv1a=e0f4d26e4ada7ed popcount=34\n\
                        ocaml    fnv1a=14009840610254d4 popcount=17\n\
                        stubs    fnv1a=26f4342b69fe7c6c popcount=35\n";

const DLL_PATH: (&str, &str) = ("CAML_LD_LIBRARY_PATH", "_build/counter");

#[test]
fn the_stubs_example_runs_in_bytecode_and_native() {
    let files = example();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let t = Tree::new(&refs);
    t.caravan(&["main.native", "main.byte"]).ok();
    assert_eq!(t.run("main.native", &[]).stdout, EXPECTED);
    assert_eq!(run_with_env(&t, "main.byte", &[DLL_PATH]).stdout, EXPECTED);
    for f in [
        "counter/libcounter_stubs.a",
        "counter/dllcounter_stubs.so",
        "counter/counter.cma",
        "counter/counter.cmxa",
    ] {
        assert!(t.exists(&format!("_build/{f}")), "{f}");
    }
    // Asking for the program alone builds the C library first.
    let t = Tree::new(&refs);
    t.caravan(&["main.byte"]).ok();
    assert_eq!(run_with_env(&t, "main.byte", &[DLL_PATH]).stdout, EXPECTED);
}

/// What caravan does by itself, as an ocamlbuild plugin: the library tag,
/// the `dllib` tag of later ocamlbuild versions, and the dependency of the
/// archives on the C library (a `dep` on program links would add the C
/// library to the link command).
const PLUGIN: &str = "open Ocamlbuild_plugin\n\
let () = dispatch (function\n\
  | After_rules ->\n\
      ocaml_lib ~dir:\"counter\" \"counter/counter\";\n\
      pflag [\"ocaml\"; \"link\"; \"byte\"] \"dllib\" (fun x -> S [A \"-dllib\"; A x]);\n\
      dep [\"ocaml\"; \"link\"; \"library\"]\n\
        [\"counter/libcounter_stubs.a\"; \"counter/dllcounter_stubs.so\"]\n\
  | _ -> ())\n";

#[test]
fn the_stubs_example_matches_ocamlbuild_with_a_plugin() {
    let files = example();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let s = SideBySide::new(&refs, &[("myocamlbuild.ml", PLUGIN)]);
    s.build(&[
        "counter/counter.cma",
        "counter/counter.cmxa",
        "main.native",
        "main.byte",
    ]);
    s.same_artifacts(&[
        "counter/counter_stubs.o",
        "counter/libcounter_stubs.a",
        "counter/dllcounter_stubs.so",
        "counter/counter.cma",
        "counter/counter.cmxa",
        "counter/counter.a",
    ]);
    s.same_command("counter/counter_stubs");
    let cma = s.same_command("counter/counter.cma");
    assert!(
        cma.contains("-cclib -lcounter_stubs -dllib -lcounter_stubs"),
        "{cma}"
    );
    s.same_command("counter/counter.cmxa");
    s.same_command("main.native");
    s.same_command("main.byte");
    assert_eq!(s.same_output("main.native", &[]), EXPECTED);
    assert_eq!(s.same_output("main.byte", &[DLL_PATH]), EXPECTED);
}

#[test]
fn the_stubs_example_with_the_plugin_run_by_both() {
    // The same plugin, run by caravan too: its ocaml_lib, pflag and dep
    // give the commands ocamlbuild runs.
    let mut files = example();
    files.push(("myocamlbuild.ml".to_string(), PLUGIN.to_string()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let s = SideBySide::new(&refs, &[]);
    s.build(&[
        "counter/counter.cma",
        "counter/counter.cmxa",
        "main.native",
        "main.byte",
    ]);
    s.same_command("counter/counter_stubs");
    s.same_command("counter/counter.cma");
    s.same_command("counter/counter.cmxa");
    s.same_command("main.native");
    s.same_command("main.byte");
    assert_eq!(s.same_output("main.native", &[]), EXPECTED);
    assert_eq!(s.same_output("main.byte", &[DLL_PATH]), EXPECTED);
}

#[test]
fn c_files_compile_through_the_ocaml_compiler_with_c_tags() {
    let s = SideBySide::new(
        &[
            ("x.c", "int x_value(void) { return 1; }\n"),
            ("sub/y.c", "int y_value(void) { return Y; }\n"),
            ("z.c", "int z_value(void) { return 3; }\n"),
            (
                "_tags",
                "<x.c>: ccopt(-O2), cc(gcc)\n<sub/y.c>: ccopt(-DY=1)\n<z.c>: native, debug\n",
            ),
        ],
        &[],
    );
    s.build(&["x.o", "sub/y.o", "libx.a", "z.o"]);
    // Tagged native: through ocamlopt.
    let z = s.same_command("z.c");
    assert!(z.contains("ocamlopt") && z.ends_with("-g -c z.c"), "{z}");
    s.same_artifacts(&["x.o", "sub/y.o", "libx.a", "dllx.so"]);
    let x = s.same_command("x.c");
    assert!(x.ends_with("-ccopt -O2 -cc gcc -c x.c"), "{x}");
    // In a folder, ocamlbuild runs `mv y.o sub/y.o` afterwards; caravan
    // writes it in place.
    let (tags, ours) = log_entry(&s.ours, "sub/y.c").expect("compiled");
    let (their_tags, theirs) = log_entry(&s.theirs, "sub/y.c").expect("compiled");
    assert_eq!(tags, their_tags);
    assert_eq!(ours, theirs.replace(" -c ", " -c -o sub/y.o "));
    assert!(s.theirs.read("_build/_log").contains("mv y.o sub/y.o"));
    // libx.a from x.o alone (no libx.clib).
    s.same_command("x");
}

#[test]
fn ocamlmklib_can_be_given_on_the_command_line() {
    let t = Tree::new(&[("x.c", "int x_value(void) { return 1; }\n")]);
    t.caravan(&["-ocamlmklib", "ocamlmklib -verbose", "libx.a"])
        .ok();
    let cmds = t.compiler_commands();
    assert!(
        cmds.iter()
            .any(|c| c.ends_with("/ocamlmklib -verbose -o x x.o")),
        "{cmds:#?}"
    );
    assert!(t.exists("_build/libx.a") && t.exists("_build/dllx.so"));
    let which = t.caravan(&["-ocamlmklib", "mymklib", "-which", "ocamlmklib"]);
    assert_eq!(which.stdout.trim(), "mymklib");
}

#[test]
fn headers_of_the_c_files_folder_are_inputs() {
    let t = Tree::new(&[
        (
            "sub/y.c",
            "#include \"y.h\"\nint y_value(void) { return Y; }\n",
        ),
        ("sub/y.h", "#define Y 2\n"),
    ]);
    t.caravan(&["sub/y.o"]).ok();
    t.caravan(&["sub/y.o"]).ok();
    assert!(t.compiler_commands().is_empty());
    // ocamlbuild does not know the header: its edit would not recompile.
    t.write("sub/y.h", "#define Y 3\n");
    t.caravan(&["sub/y.o"]).ok();
    assert_eq!(t.compiler_commands().len(), 1, "{:#?}", t.commands());
}
