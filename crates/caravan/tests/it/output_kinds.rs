//! Output kinds: objects and shared libraries for C programs, custom and
//! self-contained executables, runtime variants, toplevels, `.cmt` files.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{SideBySide, Tree};

const OCAML: &str = "let () = Callback.register \"double\" (fun x -> 2 * x)\n\
                     let () = print_endline \"hello from OCaml\"\n";

/// A C program that starts the OCaml code it is linked with and calls it.
const C_MAIN: &str = "#include <stdio.h>\n\
#include <caml/mlvalues.h>\n\
#include <caml/callback.h>\n\
int main(int argc, char **argv) {\n\
  (void) argc;\n\
  caml_startup(argv);\n\
  const value *f = caml_named_value(\"double\");\n\
  printf(\"C got %ld\\n\", Long_val(caml_callback(*f, Val_long(21))));\n\
  return 0;\n\
}\n";

fn ocaml_config(key: &str) -> String {
    let out = Command::new("ocamlc")
        .arg("-config")
        .output()
        .expect("ocamlc -config");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Links `main.c` of the tree with `objects` and extra C flags into
/// `program`, with the system's C compiler, then runs it.
#[track_caller]
fn c_program(t: &Tree, objects: &[&str], libs: &[&str], program: &str) -> String {
    t.write("main.c", C_MAIN);
    let stdlib = ocaml_config("standard_library");
    let mut cc = Command::new("cc");
    cc.current_dir(t.root())
        .arg("main.c")
        .args(objects)
        .arg(format!("-I{stdlib}"))
        .arg(format!("-L{stdlib}"))
        .args(libs)
        .args(["-lm", "-ldl", "-lpthread", "-o", program]);
    let out = cc.output().expect("cc");
    assert!(
        out.status.success(),
        "cc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = t.run(program, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    run.stdout
}

#[test]
fn a_native_object_is_embedded_in_a_c_program() {
    let s = SideBySide::new(&[("m.ml", OCAML), ("_tags", "")], &[]);
    s.build(&["m.native.o", "m.byte.o"]);
    s.same_artifacts(&["m.native.o", "m.byte.o"]);
    let native = s.same_command("m.native.o");
    assert!(
        native.ends_with("-output-obj m.cmx -o m.native.o"),
        "{native}"
    );
    s.same_command("m.byte.o");
    let expected = "hello from OCaml\nC got 42\n";
    for tree in [&s.ours, &s.theirs] {
        let o = c_program(tree, &["_build/m.native.o"], &["-lasmrun"], "from_native");
        assert_eq!(o, expected);
        let b = c_program(tree, &["_build/m.byte.o"], &["-lcamlrun"], "from_byte");
        assert_eq!(b, expected);
    }
}

#[test]
fn a_c_file_of_bytecode_and_shared_libraries() {
    let s = SideBySide::new(
        &[
            ("m.ml", OCAML),
            ("_tags", "<*.so>: runtime_variant(_pic)\n"),
        ],
        &[],
    );
    // ocamlbuild cannot build m.byte.c and m.byte.so in one run (the link of
    // the .so writes m.byte.c as a temporary): one run each.
    s.build(&["m.byte.c", "m.native.so"]);
    s.same_command("m.byte.c");
    let so = s.same_command("m.native.so");
    assert!(so.contains("-output-obj -runtime-variant _pic"), "{so}");
    let other = SideBySide::new(
        &[
            ("m.ml", OCAML),
            ("_tags", "<*.so>: runtime_variant(_pic)\n"),
        ],
        &[],
    );
    other.build(&["m.byte.so"]);
    other.same_command("m.byte.so");
    assert!(s.ours.read("_build/m.byte.c").contains("caml_startup_code"));
    // caravan builds them all together.
    let t = Tree::new(&[
        ("m.ml", OCAML),
        ("_tags", "<*.so>: runtime_variant(_pic)\n"),
    ]);
    t.caravan(&[
        "m.byte.o",
        "m.byte.c",
        "m.byte.so",
        "m.native.o",
        "m.native.so",
    ])
    .ok();
    let o = c_program(&t, &["_build/m.byte.o"], &["-lcamlrun"], "from_byte");
    assert_eq!(o, "hello from OCaml\nC got 42\n");
    // The bytecode shared library holds the runtime's entry points.
    let so = c_program(
        &t,
        &["_build/m.byte.so", "-Wl,-rpath,_build"],
        &[],
        "from_so",
    );
    assert_eq!(so, "hello from OCaml\nC got 42\n");
}

#[test]
fn a_shared_library_without_the_pic_runtime_gets_a_hint() {
    let t = Tree::new(&[("m.ml", OCAML)]);
    let r = t.caravan(&["m.native.so"]);
    if r.code != 0 {
        assert!(r.stdout.contains("runtime_variant(_pic)"), "{}", r.stdout);
    }
}

#[test]
fn complete_objects_need_no_runtime_from_the_c_program() {
    let t = Tree::new(&[("m.ml", OCAML)]);
    t.caravan(&["m.native.complete.o", "m.byte.complete.o"])
        .ok();
    let cmds = t.compiler_commands();
    assert!(
        cmds.iter()
            .any(|c| c.ends_with("-output-complete-obj m.cmx -o m.native.complete.o")),
        "{cmds:#?}"
    );
    let expected = "hello from OCaml\nC got 42\n";
    assert_eq!(
        c_program(&t, &["_build/m.native.complete.o"], &[], "n"),
        expected
    );
    assert_eq!(
        c_program(&t, &["_build/m.byte.complete.o"], &[], "b"),
        expected
    );
}

fn is_elf(path: &Path) -> bool {
    std::fs::read(path)
        .map(|b| b.starts_with(b"\x7fELF"))
        .unwrap_or(false)
}

/// Runs a program with an empty environment: no `PATH`, so no `ocamlrun`.
fn run_without_path(t: &Tree, program: &str) -> String {
    let out = Command::new(t.path(program))
        .env_clear()
        .current_dir(t.root())
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(out.status.success(), "{program}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn custom_and_complete_bytecode_programs_run_without_ocamlrun() {
    let main = "let () = print_endline (String.concat \" \" [\"self\"; \"contained\"])\n";
    let s = SideBySide::new(
        &[("main.ml", main), ("_tags", "<main.byte>: custom\n")],
        &[],
    );
    s.build(&["main.byte"]);
    let link = s.same_command("main.byte");
    assert!(link.contains(" -custom "), "{link}");
    for tree in [&s.ours, &s.theirs] {
        assert!(is_elf(&tree.path("_build/main.byte")));
        assert_eq!(run_without_path(tree, "main.byte"), "self contained\n");
    }
    // caravan's name for -output-complete-exe; linked at the root.
    let t = Tree::new(&[("main.ml", main)]);
    t.caravan(&["main.byte.exe"]).ok();
    assert!(
        t.compiler_commands()
            .iter()
            .any(|c| c.ends_with("-output-complete-exe main.cmo -o main.byte.exe"))
    );
    assert!(is_elf(&t.path("main.byte.exe")));
    assert_eq!(run_without_path(&t, "main.byte.exe"), "self contained\n");
}

#[test]
fn runtime_variants_through_tags() {
    let s = SideBySide::new(
        &[
            ("d.ml", "let () = print_endline \"d\"\n"),
            ("i.ml", "let () = print_endline \"i\"\n"),
            (
                "_tags",
                "<d.*>: runtime_variant(d)\n<i.native>: runtime_variant(i)\n",
            ),
        ],
        &[],
    );
    s.build(&["d.native", "d.byte", "i.native"]);
    let d = s.same_command("d.native");
    assert!(d.contains("-runtime-variant d"), "{d}");
    s.same_command("d.byte");
    s.same_command("i.native");
    // The debug runtime says so when asked to be verbose.
    for p in ["d.native", "d.byte"] {
        let out = s.same_output(p, &[("OCAMLRUNPARAM", "v=1")]);
        assert!(out.contains("OCaml runtime: debug mode"), "{p}: {out}");
    }
    // The instrumented runtime writes an event log when asked to.
    let out = s.same_output("i.native", &[("OCAML_EVENTLOG_ENABLED", "1")]);
    assert_eq!(out, "i\n");
    for tree in [&s.ours, &s.theirs] {
        let logs = std::fs::read_dir(tree.root())
            .expect("read root")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".eventlog"))
            .count();
        assert_eq!(logs, 1);
    }
}

#[test]
fn toplevels_from_mltop() {
    let s = SideBySide::new(
        &[
            ("a.ml", "let hello () = print_endline \"hi\"\n"),
            ("b.ml", "let b = A.hello\n"),
            ("t.mltop", "B\nA\n"),
            ("_tags", ""),
        ],
        &[],
    );
    s.build(&["t.top"]);
    let top = s.same_command("t.top");
    assert!(top.ends_with(" a.cmo b.cmo -o t.top"), "{top}");
    for tree in [&s.ours, &s.theirs] {
        let mut child = Command::new(tree.path("t.top"))
            .args(["-noprompt", "-I", "_build"])
            .current_dir(tree.root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run the toplevel");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"B.b ();;\n")
            .expect("write");
        let out = child.wait_with_output().expect("toplevel output");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("hi"),
            "{out:?}"
        );
    }
}

#[test]
fn ocamlmktop_can_be_given_on_the_command_line() {
    let t = Tree::new(&[("a.ml", "let v = 1\n"), ("t.mltop", "A\n")]);
    t.caravan(&["-ocamlmktop", "ocamlmktop -g", "t.top"]).ok();
    let cmds = t.compiler_commands();
    assert!(
        cmds.iter()
            .any(|c| c.ends_with("/ocamlmktop -g a.cmo -o t.top")),
        "{cmds:#?}"
    );
}

#[test]
fn bin_annot_writes_cmt_and_cmti_files() {
    let files = [
        ("a.mli", "val x : int\n"),
        ("a.ml", "let x = 1\n"),
        ("main.ml", "let () = print_int A.x\n"),
        ("_tags", "true: bin_annot\n"),
    ];
    let s = SideBySide::new(&files, &[]);
    s.build(&["main.byte", "main.native"]);
    s.same_artifacts(&["a.cmt", "a.cmti", "main.cmt"]);
    // As targets (ocamlbuild has no rule for them).
    let t = Tree::new(&files);
    t.caravan(&["a.cmt", "a.cmti", "main.cmt"]).ok();
    assert!(t.exists("_build/a.cmti") && t.exists("_build/main.cmt"));
    t.caravan(&["main.cmt", "main.native"]).ok();
    let t = Tree::new(&[("a.ml", "let x = 1\n")]);
    let r = t.caravan(&["a.cmt"]);
    assert_eq!(r.code, 6, "{}", r.stdout);
    assert!(r.stdout.contains("bin_annot"), "{}", r.stdout);
}
