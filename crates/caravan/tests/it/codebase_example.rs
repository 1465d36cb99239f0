//! `examples/codebase` and `examples/platform`, the code base shaped like
//! seed 001's: the platform's library installed into an install root with
//! `-install`, then the code base built against it as an external library,
//! with its declared libraries, its tool (built first, then run by a rule
//! of `build_rules.ml`), a shared namespace folder, a private folder and a
//! C stub library.

use crate::support::{Tree, run_with_env};

const OUTPUT: &str = "libraries  3\ncompiled   2\ntools      2\nbase       1\nbuild      1\n";

/// The platform installed into a fresh root; the code base's tree.
fn installed() -> (Tree, Tree, String) {
    let platform = Tree::from_example("platform");
    let root = Tree::new(&[]);
    let root_path = root.root().to_string_lossy().into_owned();
    platform.caravan(&["-install", &root_path]).ok();
    assert!(root.exists("logkit/META"), "logkit installed");
    (root, Tree::from_example("codebase"), root_path)
}

#[test]
fn the_code_base_builds_against_the_installed_platform() {
    let (_root, cb, root) = installed();
    let env = [("MLSTATELIBS", root.as_str())];
    let r = cb
        .caravan_env(&["app/main.native", "app/main.byte"], &env)
        .ok();
    // The tool is built, then run by the rule; the stubs are built with ocamlmklib.
    assert!(
        r.stdout.contains("-o tools/tablegen/tablegen.native"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("tablegen.native libs/textkit/stopwords.tbl"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("ocamlmklib"), "{}", r.stdout);
    // store is namespaced: its members compile under the prefix.
    assert!(
        cb.exists("_build/libs/store/store__Counter.cmx"),
        "{}",
        r.stdout
    );
    assert!(
        cb.exists("_build/libs/store/private/store__Hashing.cmx"),
        "{}",
        r.stdout
    );
    let native = cb.run("main.native", &[]);
    assert_eq!(native.code, 0, "{}", native.stdout);
    // Run::stdout holds the standard output, then the error output.
    assert_eq!(
        native.stdout,
        format!("{OUTPUT}[info] counting 179 characters\n")
    );
    let dll = [("CAML_LD_LIBRARY_PATH", "_build/libs/store/stubs")];
    let byte = run_with_env(&cb, "main.byte", &dll);
    assert_eq!(byte.stdout, native.stdout);
}

#[test]
fn editing_the_tool_or_its_input_regenerates_the_module() {
    let (_root, cb, root) = installed();
    let env = [("MLSTATELIBS", root.as_str())];
    cb.caravan_env(&["app/main.native"], &env).ok();

    // A new stop word: the table is generated again, the count changes.
    let tbl = cb.read("libs/textkit/stopwords.tbl");
    cb.write("libs/textkit/stopwords.tbl", &format!("{tbl}libraries\n"));
    cb.caravan_env(&["app/main.native"], &env).ok();
    let out = cb.run("main.native", &[]).stdout;
    assert!(!out.contains("libraries"), "{out}");

    // The tool changes what it writes: it is rebuilt and run again.
    let gen_src = cb.read("tools/tablegen/tablegen.ml");
    cb.write(
        "tools/tablegen/tablegen.ml",
        &gen_src.replace(
            "Array.mem word entries",
            "Array.mem word entries || word = \\\"tools\\\"",
        ),
    );
    let r = cb.caravan_env(&["app/main.native"], &env).ok();
    assert!(
        r.stdout.contains("-o tools/tablegen/tablegen.native"),
        "{}",
        r.stdout
    );
    let out = cb.run("main.native", &[]).stdout;
    assert!(!out.contains("tools"), "{out}");
}

#[test]
fn private_modules_stay_private() {
    let (_root, cb, root) = installed();
    let env = [("MLSTATELIBS", root.as_str())];
    // Hashing is a member of the namespaced store in its private/ folder:
    // the program can name it neither alone nor through Store.
    cb.write("app/main.ml", "let () = print_int (Hashing.fnv1a \"x\")\n");
    let r = cb.caravan_env(&["app/main.native"], &env);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("Unbound module Hashing"), "{}", r.stdout);
    cb.write(
        "app/main.ml",
        "let () = print_int (Store.Hashing.fnv1a \"x\")\n",
    );
    let r = cb.caravan_env(&["app/main.native"], &env);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("Store.Hashing"), "{}", r.stdout);
    // Fold_case, in textkit's shared namespace folder, is private too.
    cb.write(
        "app/main.ml",
        "let () = print_string (Fold_case.fold \"X\")\n",
    );
    let r = cb.caravan_env(&["app/main.native"], &env);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("Unbound module Fold_case"),
        "{}",
        r.stdout
    );
}

#[test]
fn without_the_install_root_the_external_library_is_missing() {
    let cb = Tree::from_example("codebase");
    let empty = Tree::new(&[]);
    let env = [(
        "MLSTATELIBS",
        empty.root().to_str().unwrap_or("/nonexistent"),
    )];
    let r = cb.caravan_env(&["app/main.native"], &env);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("Log"), "{}", r.stdout);
}
