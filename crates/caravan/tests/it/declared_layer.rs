//! The declared layer of seed 001 (issue 17): `build_libs`, `build_tools`
//! and `build_rules.ml`, through the binary with the real compilers.

use crate::support::Tree;

/// A preprocessor program: prints its file argument with `MARK` replaced
/// by the string `VERSION`.
fn generator(version: &str) -> String {
    format!(
        "let () =\n  let file = Sys.argv.(Array.length Sys.argv - 1) in\n  \
         let ic = open_in_bin file in\n  \
         let text = really_input_string ic (in_channel_length ic) in\n  \
         let b = Buffer.create 100 in\n  \
         let n = String.length text in\n  \
         let i = ref 0 in\n  \
         while !i < n do\n    \
         if !i + 4 <= n && String.sub text !i 4 = \"MARK\" then (Buffer.add_string b \"\\\"{version}\\\"\"; i := !i + 4)\n    \
         else (Buffer.add_char b text.[!i]; incr i)\n  \
         done;\n  print_string (Buffer.contents b)\n"
    )
}

/// An external library, built by caravan in a tree of its own:
/// `ext/ext.cma`/`.cmxa` in its `_build`.
fn external_library() -> Tree {
    let t = Tree::new(&[
        ("ext/ext.mllib", "Ext\n"),
        ("ext/ext.ml", "let bang = \"!\"\n"),
        ("_tags", ""),
    ]);
    t.caravan(&["ext/ext.cma", "ext/ext.cmxa"]).ok();
    t
}

/// Two internal libraries (one using the other, a private sub-folder
/// shared with `shared_namespace_dir`), an external one under the
/// install root, a generator tool in a `_tags` `pp(...)`.
fn code_base() -> Vec<(&'static str, String)> {
    vec![
        (
            "build_libs",
            "# the code base's libraries\ninternal base\ninternal extra libs/extra\n\
             external ext\n"
                .into(),
        ),
        (
            "build_tools",
            "# tools\ninternal gen gen/gen.native\n".into(),
        ),
        ("build_rules.ml", "shared_namespace_dir \"base\"\n".into()),
        (
            "_tags",
            "<libs/extra/*.ml>: use_base\n<prog/*.ml>: pp(%{gen} -x), use_extra, use_ext\n\
             <prog/*.{byte,native}>: use_base, use_extra, use_ext\n"
                .into(),
        ),
        ("base/base.mllib", "Basic\nimpl/Impl\n".into()),
        ("base/basic.ml", "let greet n = Impl.hello ^ n\n".into()),
        ("base/impl/impl.ml", "let hello = \"hello \"\n".into()),
        ("libs/extra/extra.mllib", "Extra\n".into()),
        (
            "libs/extra/extra.ml",
            "let shout s = String.uppercase_ascii (Basic.greet s)\n".into(),
        ),
        ("gen/gen.ml", generator("v1")),
        (
            "prog/main.ml",
            "let () = print_endline (Extra.shout \"world\" ^ \" \" ^ MARK ^ Ext.bang)\n".into(),
        ),
    ]
}

fn tree(files: &[(&'static str, String)]) -> Tree {
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    Tree::new(&borrowed)
}

#[test]
fn declared_libraries_and_a_tool_build_a_program() {
    let ext = external_library();
    let install_root = ext.path("_build");
    let root = install_root.to_string_lossy().into_owned();
    let t = tree(&code_base());
    let env = [("MLSTATELIBS", root.as_str())];
    let r = t.caravan_env(&["prog/main.native", "prog/main.byte"], &env);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(t.run("main.native", &[]).stdout, "HELLO WORLD v1!\n");
    assert_eq!(t.run("main.byte", &[]).stdout, "HELLO WORLD v1!\n");
    let log = t.read("_build/_log");
    // use_base on extra's modules: -I of the library's main folder (the
    // folders after the module's own are those of the interfaces it
    // reads, which caravan adds to every compilation).
    assert!(
        log.lines()
            .any(|l| l.contains("-c -I base -I libs/extra") && l.contains("libs/extra/extra.ml")),
        "{log}"
    );
    // The external library: -I under the install root and its archive.
    assert!(log.contains(&format!("-I {root}/ext ext.cmxa")), "{log}");
    // The generator runs as the preprocessor, built first.
    assert!(log.contains("-pp 'gen/gen.native -x'"), "{log}");

    // Nothing changed: a null build.
    let again = t.caravan_env(&["prog/main.native", "prog/main.byte"], &env);
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert!(t.commands().is_empty(), "{:?}", t.commands());

    // The tool's source changes: the tool is rebuilt and what it
    // preprocessed is compiled again.
    t.write("gen/gen.ml", &generator("v2"));
    let r = t.caravan_env(&["prog/main.native"], &env);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(t.run("main.native", &[]).stdout, "HELLO WORLD v2!\n");
    let ran = t.commands();
    assert!(
        ran.iter()
            .any(|c| c.contains("gen/gen.native") && c.contains("-o gen/gen.native")),
        "{ran:?}"
    );
    assert!(ran.iter().any(|c| c.contains("prog/main.ml")), "{ran:?}");
    assert!(!ran.iter().any(|c| c.contains("base/basic.ml")), "{ran:?}");
}

#[test]
fn a_library_sub_folder_is_private_to_the_library() {
    let mut files = code_base();
    files.push(("prog/peek.ml", "let () = print_string Impl.hello\n".into()));
    files.push(("ext/ext.ml", "let bang = \"!\"\n".into()));
    files.retain(|(p, _)| *p != "build_libs");
    files.push((
        "build_libs",
        "internal base\ninternal extra libs/extra\n".into(),
    ));
    let t = tree(&files);
    let r = t.caravan(&["prog/peek.native"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("Unbound module Impl"), "{}", r.stdout);
    // Inside the library, the shared folder is seen.
    t.caravan(&["base/base.cmxa"]).ok();
}

#[test]
fn errors_point_at_the_declaration_files() {
    let t = Tree::new(&[("build_libs", "# libs\ninternal nope\n"), ("a.ml", "")]);
    let r = t.caravan(&["a.cmo"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "File \"build_libs\", line 2, characters 0-13:\nError: the library `nope` needs the \
             file nope/nope.mllib."
        ),
        "{}",
        r.stdout
    );

    t.write("build_libs", "internal a .\ninterna b\n");
    t.write("a.mllib", "A\n");
    let r = t.caravan(&["a.cmo"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "File \"build_libs\", line 2, characters 0-7:\nError: `interna` is not a kind of library"
        ),
        "{}",
        r.stdout
    );

    t.write("build_libs", "internal a .\n");
    t.write("build_tools", "internal gen gen.byte\n");
    t.write("_tags", "true: debug\n<a.ml>: pp(%{nope} -x)\n");
    let r = t.caravan(&["a.cmo"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "File \"_tags\", line 2, characters 11-18:\nError: no tool `nope` is declared in \
             build_tools.\nHint: the declared tools are gen"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn a_type_error_in_build_rules_is_reported_at_its_line() {
    let t = Tree::new(&[
        (
            "build_rules.ml",
            "(* rules *)\ninclude_subdirs \"src\";\nshared_namespace_dir 3\n",
        ),
        ("a.ml", ""),
    ]);
    let r = t.caravan(&["a.cmo"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("File \"build_rules.ml\", line 3, characters 21-22:"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("while compiling build_rules.ml"),
        "{}",
        r.stdout
    );
}

const STUB_C: &str = "#include <caml/mlvalues.h>\n\
value cstub_twice(value n) { return Val_long(2 * Long_val(n)); }\n";

/// build_rules.ml with include_subdirs, def_stubs, get_tool/tool_deps in a
/// rule, mlstatelibs; a myocamlbuild.ml beside it with its own dispatch
/// and a helper build_rules.ml uses.
fn rules_project() -> Vec<(&'static str, String)> {
    vec![
        (
            "build_tools",
            "internal gen gen/gen.native\nexternal sh /bin/sh\n".into(),
        ),
        (
            "build_rules.ml",
            "(* the project's rules *)\n\
             include_subdirs \"src\";\n\
             def_stubs ~dir:\"stubs\" \"cstub\";\n\
             rule \"data\" ~prod:\"src/data.ml\" ~deps:(tool_deps \"gen\" @ [\"src/data.in\"])\n  \
             (fun _ _ -> Cmd (S [get_tool \"gen\"; P \"src/data.in\"; Sh \">\"; P \"src/data.ml\"]));\n\
             rule \"copy\" ~prod:\"copy.ml\" ~deps:[\"src/data.in\"]\n  \
             (fun _ _ -> Cmd (S [A \"%{gen}\"; P \"src/data.in\"; Sh \"> copy.ml\"]));\n\
             rule \"where\" ~prod:\"where.txt\"\n  \
             (fun _ _ -> Echo ([mlstatelibs; \" \"; helper; \" \"; String.concat \",\" (tool_deps \"sh\")], \"where.txt\"))\n"
                .into(),
        ),
        (
            "myocamlbuild.ml",
            "open Ocamlbuild_plugin\nlet helper = \"helped\"\n\
             let () = dispatch (function\n  \
             | After_rules -> rule \"mine\" ~prod:\"mine.txt\" (fun _ _ -> Echo ([\"mine\"], \"mine.txt\"))\n  \
             | _ -> ())\n"
                .into(),
        ),
        ("_tags", "<src/main.{native,byte}>: use_cstub\n".into()),
        ("gen/gen.ml", generator("v1")),
        ("src/data.in", "let v = MARK\n".into()),
        (
            "src/main.ml",
            "let () = print_endline (Sub.x ^ Data.v ^ \" \" ^ string_of_int (Stub.twice 21))\n"
                .into(),
        ),
        ("src/stub.ml", "external twice : int -> int = \"cstub_twice\"\n".into()),
        ("src/sub/sub.ml", "let x = \"sub \"\n".into()),
        ("stubs/libcstub.clib", "cstub.o\n".into()),
        ("stubs/cstub.c", STUB_C.into()),
    ]
}

#[test]
fn build_rules_runs_with_the_plugins_dispatch_and_the_seeds_functions() {
    let t = tree(&rules_project());
    let r = t.caravan_env(
        &["src/main.native", "src/main.byte", "where.txt", "mine.txt"],
        &[("MLSTATELIBS", "/opt/mlstate")],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(t.run("main.native", &[]).stdout, "sub v1 42\n");
    assert_eq!(t.run("main.byte", &[]).stdout, "sub v1 42\n");
    assert_eq!(t.read("_build/where.txt"), "/opt/mlstate helped ");
    assert_eq!(t.read("_build/mine.txt"), "mine");

    // -mlstatelibs wins over the environment.
    let r = t.caravan_env(
        &["-mlstatelibs", "/elsewhere", "where.txt"],
        &[("MLSTATELIBS", "/opt/mlstate")],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(t.read("_build/where.txt"), "/elsewhere helped ");

    // %{gen} in a rule's command: the tool is built first.
    let r = t.caravan(&["copy.ml"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(t.read("_build/copy.ml"), "let v = \"v1\"\n");

    // The generator changes: the rules that ran it run again.
    t.write("gen/gen.ml", &generator("v2"));
    let r = t.caravan(&["src/main.native", "copy.ml"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(t.run("main.native", &[]).stdout, "sub v2 42\n");
    assert_eq!(t.read("_build/copy.ml"), "let v = \"v2\"\n");
}

#[test]
fn build_rules_alone_is_a_plugin() {
    let t = Tree::new(&[
        (
            "build_rules.ml",
            "rule \"r\" ~prod:\"r.txt\" (fun _ _ -> Echo ([\"ok\"], \"r.txt\"))\n",
        ),
        ("a.ml", ""),
    ]);
    let r = t.caravan(&["r.txt"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(t.read("_build/r.txt"), "ok");
    // Compared with ocamlbuild, which knows no build_rules.ml.
    let theirs = t.copy_sources();
    let b = theirs.ocamlbuild(&["r.txt"]);
    assert_ne!(b.code, 0, "{}", b.stdout);
}

#[test]
fn the_install_root_is_part_of_the_null_build_key() {
    let ext = external_library();
    let first = ext.path("_build").to_string_lossy().into_owned();
    let moved = ext.copy_sources();
    moved.caravan(&["ext/ext.cma", "ext/ext.cmxa"]).ok();
    let second = moved.path("_build").to_string_lossy().into_owned();
    let t = tree(&code_base());
    let r = t.caravan_env(&["prog/main.native"], &[("MLSTATELIBS", first.as_str())]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // Only the environment changes: the command line is the same.
    let r = t.caravan_env(&["prog/main.native"], &[("MLSTATELIBS", second.as_str())]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let ran = t.commands();
    assert!(
        ran.iter()
            .any(|c| c.contains(&format!("-I {second}/ext ext.cmxa"))),
        "{ran:?}"
    );
}

#[test]
fn an_undeclared_tool_in_a_rule_fails_the_rule() {
    let t = Tree::new(&[
        ("build_tools", "external sh /bin/sh\n"),
        (
            "build_rules.ml",
            "rule \"r\" ~prod:\"r.txt\" (fun _ _ -> Cmd (S [A \"%{nope}\"; Sh \"> r.txt\"]))\n",
        ),
    ]);
    let r = t.caravan(&["r.txt"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "the command names %{nope}, but no tool `nope` is declared in build_tools (declared: sh)."
        ),
        "{}",
        r.stdout
    );
}

/// `build_libs` and `shared_namespace_dir` against the ocamlbuild plugin
/// the seed's code base would have written for them.
#[test]
fn compat_declared_libraries_match_ocaml_lib_in_a_plugin() {
    use crate::support::SideBySide;
    let files = [
        ("build_libs", "internal base\ninternal extra libs/extra\n"),
        ("build_rules.ml", "shared_namespace_dir \"base\"\n"),
        (
            "_tags",
            "<libs/extra/*.ml>: use_base\n<prog/*.ml>: use_extra\n\
             <prog/*.{byte,native}>: use_base, use_extra\n",
        ),
        ("base/base.mllib", "Basic\nimpl/Impl\n"),
        ("base/basic.ml", "let greet n = Impl.hello ^ n\n"),
        ("base/impl/impl.ml", "let hello = \"hello \"\n"),
        ("libs/extra/extra.mllib", "Extra\n"),
        (
            "libs/extra/extra.ml",
            "let shout s = String.uppercase_ascii (Basic.greet s)\n",
        ),
        (
            "prog/main.ml",
            "let () = print_endline (Extra.shout \"world\")\n",
        ),
    ];
    // The seed's internal_lib: ocaml_lib ~dir, and the archive built
    // before whatever uses it.
    let plugin = "open Ocamlbuild_plugin\n\
        let internal_lib dir name =\n  \
        let lib = dir ^ \"/\" ^ name in\n  \
        ocaml_lib ~dir lib;\n  \
        dep [\"use_\" ^ name; \"byte\"] [lib ^ \".cma\"];\n  \
        dep [\"use_\" ^ name; \"native\"] [lib ^ \".cmxa\"]\n\
        let () = dispatch (function\n  \
        | After_rules ->\n      \
        internal_lib \"base\" \"base\";\n      \
        internal_lib \"libs/extra\" \"extra\";\n      \
        Pathname.define_context \"base\" [\"base\"; \"base/impl\"];\n      \
        Pathname.define_context \"base/impl\" [\"base/impl\"; \"base\"]\n  \
        | _ -> ())\n";
    let s = SideBySide::new(&files, &[("myocamlbuild.ml", plugin)]);
    s.build(&["prog/main.native", "prog/main.byte"]);
    assert_eq!(s.same_output("main.native", &[]), "HELLO WORLD\n");
    s.same_output("main.byte", &[]);
    s.same_artifacts(&["base/base.cmxa", "libs/extra/extra.cmxa"]);
}

/// `namespace(Module)` in `build_libs` makes a namespaced library: its
/// modules compile as `Foo__A`, users write `Foo.A`.
#[test]
fn a_namespace_declaration_namespaces_the_library() {
    let t = Tree::new(&[
        ("build_libs", "internal foo namespace(Foo)\n"),
        ("_tags", "<main.*>: use_foo\n"),
        ("foo/foo.mllib", "A\nB\n"),
        ("foo/a.ml", "let x = 1\n"),
        ("foo/b.ml", "let y = A.x + 1\n"),
        ("main.ml", "let () = print_int (Foo.A.x + Foo.B.y)\n"),
    ]);
    let r = t.caravan(&["-show-tags", "foo/foo.mllib"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("namespace(Foo)"), "{}", r.stdout);
    assert!(!r.stdout.contains("is not used"), "{}", r.stdout);
    let r = t.caravan(&["main.native", "main.byte"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        !r.stdout.contains("does not expect a parameter"),
        "{}",
        r.stdout
    );
    assert!(t.exists("_build/foo/foo__A.cmx"), "{}", r.stdout);
    assert!(t.exists("_build/foo/foo__B.cmo"), "{}", r.stdout);
    assert_eq!(t.run("main.native", &[]).stdout, "3");
    assert_eq!(t.run("main.byte", &[]).stdout, "3");
    // Outside the library, its modules are reached through Foo only.
    t.write("main.ml", "let () = print_int A.x\n");
    let r = t.caravan(&["main.native"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("Unbound module A"), "{}", r.stdout);
}
