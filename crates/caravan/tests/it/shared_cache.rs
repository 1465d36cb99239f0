//! The shared local cache through the binary: a fresh clone restores what
//! another clone built, the final line counts it, `-no-cache`,
//! `-cache-dir`, `-cache-stats`, `-cache-trim`, a damaged content, and
//! what is never cached.

use std::process::Command;

use crate::support::{Tree, caravan_bin};

fn project() -> Tree {
    Tree::new(&[
        ("_tags", "true: bin_annot\n"),
        ("a.mli", "val x : int\n"),
        ("a.ml", "let x = 20\n"),
        ("b.ml", "let y = A.x + 1\n"),
        (
            "main.ml",
            "let () = print_int (B.y * 2); print_newline ()\n",
        ),
    ])
}

/// Runs caravan on a pseudo-terminal (so that it prints its final line)
/// with the cache in `cache`.
fn on_terminal(t: &Tree, args: &str, cache: &std::path::Path) -> String {
    let cmd = format!("{} {args}", caravan_bin());
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(t.root())
        .env("TERM", "xterm")
        .env("CARAVAN_CACHE_DIR", cache)
        .output()
        .expect("script (util-linux)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    text
}

fn restored(t: &Tree) -> Vec<String> {
    t.read("_build/_log")
        .lines()
        .filter(|l| l.ends_with(" # from the local cache"))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_fresh_clone_restores_every_compilation_and_says_so() {
    let cache = tempfile::tempdir().unwrap();
    let one = project();
    let first = on_terminal(&one, "main.native main.byte", cache.path());
    assert!(first.contains("(0 cached) in"), "{first}");

    let two = one.copy_sources();
    let second = on_terminal(&two, "main.native main.byte", cache.path());
    // 2 interfaces... every process action: a.cmi, a.cmo, a.cmx, b.cmo,
    // b.cmx, main.cmo, main.cmx and the two links.
    assert!(second.contains("(0 cached, 9 from cache) in"), "{second}");
    assert_eq!(restored(&two).len(), 9, "{}", two.read("_build/_log"));
    assert!(
        two.compiler_commands()
            .iter()
            .all(|c| c.contains("ocamldep")
                || restored(&two).iter().any(|r| r.starts_with(c.as_str()))),
        "no compiler ran"
    );
    for file in [
        "main.native",
        "main.byte",
        "a.cmi",
        "b.cmx",
        "b.o",
        "a.cmti",
        "b.cmt",
    ] {
        assert_eq!(
            std::fs::read(one.path(&format!("_build/{file}"))).unwrap(),
            std::fs::read(two.path(&format!("_build/{file}"))).unwrap(),
            "{file}"
        );
    }
    assert_eq!(two.run("./main.native", &[]).ok().stdout, "42\n");
    // Up to date by its own records now: the null build's fast path.
    let third = on_terminal(&two, "main.native main.byte", cache.path());
    assert!(third.contains("everything is up to date"), "{third}");
}

#[test]
fn an_edit_then_its_undoing_in_another_clone_restores_the_old_results() {
    let cache = tempfile::tempdir().unwrap();
    let env = [("CARAVAN_CACHE_DIR", cache.path().to_str().unwrap())];
    let one = project();
    one.caravan_env(&["main.native"], &env).ok();
    one.write("b.ml", "let y = A.x + 2\n");
    one.caravan_env(&["main.native"], &env).ok();
    assert_eq!(one.run("./main.native", &[]).ok().stdout, "44\n");
    // The edit made b.cmx, b.o and the link anew: they ran.
    assert!(restored(&one).is_empty());
    one.write("b.ml", "let y = A.x + 1\n");
    one.caravan_env(&["main.native"], &env).ok();
    let back: Vec<String> = restored(&one);
    // b.cmx, main.cmx (it read b.cmx's inlining data) and the link.
    assert_eq!(back.len(), 3, "{back:?}");
    assert_eq!(one.run("./main.native", &[]).ok().stdout, "42\n");
}

#[test]
fn no_cache_cache_dir_and_the_environment_choose_the_folder() {
    let env_cache = tempfile::tempdir().unwrap();
    let opt_cache = tempfile::tempdir().unwrap();
    let env = [("CARAVAN_CACHE_DIR", env_cache.path().to_str().unwrap())];
    let one = project();
    one.caravan_env(&["-no-cache", "main.byte"], &env).ok();
    assert!(
        std::fs::read_dir(env_cache.path())
            .unwrap()
            .next()
            .is_none(),
        "-no-cache writes nothing"
    );
    let dir = opt_cache.path().to_str().unwrap();
    let two = one.copy_sources();
    two.caravan_env(&["-cache-dir", dir, "main.byte"], &env)
        .ok();
    assert!(
        std::fs::read_dir(env_cache.path())
            .unwrap()
            .next()
            .is_none()
    );
    let stats = two
        .caravan_env(&["-cache-dir", dir, "-cache-stats"], &env)
        .ok();
    assert!(
        stats
            .stdout
            .contains(&format!("Local cache: {dir}\n  5 actions")),
        "{}",
        stats.stdout
    );
    // -cache-trim to a size smaller than anything empties it.
    let trim = two
        .caravan_env(
            &["-cache-dir", dir, "-cache-size", "1", "-cache-trim"],
            &env,
        )
        .ok();
    assert!(trim.stdout.contains("removed 5 actions"), "{}", trim.stdout);
    let stats = two
        .caravan_env(&["-cache-dir", dir, "-cache-stats"], &env)
        .ok();
    assert!(stats.stdout.contains("  0 actions"), "{}", stats.stdout);
    let off = two.caravan_env(&["-no-cache", "-cache-stats"], &env);
    assert_eq!(off.code, 2, "{}", off.stdout);
    assert!(
        off.stdout.contains("the local cache is off"),
        "{}",
        off.stdout
    );
}

#[test]
fn a_damaged_content_is_reported_once_and_rebuilt() {
    let cache = tempfile::tempdir().unwrap();
    let env = [("CARAVAN_CACHE_DIR", cache.path().to_str().unwrap())];
    let one = project();
    one.caravan_env(&["main.byte"], &env).ok();
    let cas = cache.path().join("cas");
    for sub in std::fs::read_dir(&cas).unwrap() {
        for f in std::fs::read_dir(sub.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            std::fs::remove_file(&p).unwrap();
            std::fs::write(&p, "damaged").unwrap();
        }
    }
    let two = one.copy_sources();
    let run = two.caravan_env(&["main.byte"], &env).ok();
    assert_eq!(
        run.stdout
            .matches("Warning: the local cache held a damaged file")
            .count(),
        1,
        "{}",
        run.stdout
    );
    assert!(restored(&two).is_empty());
    assert_eq!(two.run("./main.byte", &[]).ok().stdout, "42\n");
}

#[test]
fn a_plugin_rule_is_never_cached() {
    let cache = tempfile::tempdir().unwrap();
    let env = [("CARAVAN_CACHE_DIR", cache.path().to_str().unwrap())];
    let plugin = r#"open Ocamlbuild_plugin
let () = dispatch (function
  | After_rules ->
      rule "gen" ~prod:"gen.ml" (fun _ _ ->
        Cmd (S [A "sh"; A "-c"; A "echo 'let v = 7' > gen.ml; touch side-effect"]))
  | _ -> ())
"#;
    let one = Tree::new(&[
        ("myocamlbuild.ml", plugin),
        ("main.ml", "let () = print_int Gen.v\n"),
    ]);
    one.caravan_env(&["main.byte"], &env).ok();
    let two = one.copy_sources();
    two.caravan_env(&["main.byte"], &env).ok();
    let log = two.read("_build/_log");
    let gen_line = log
        .lines()
        .find(|l| l.contains("touch side-effect"))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(!gen_line.ends_with("# from the local cache"), "{log}");
    assert!(two.exists("_build/side-effect"), "the rule's command ran");
    assert!(
        restored(&two).iter().any(|l| l.contains("main.cmo")),
        "{log}"
    );
}

/// What a `-g` compilation or link writes does not depend on where the
/// build folder is (the compilers record `/caravan-build` instead), so a
/// cached result is what this clone would have made.
#[test]
fn debug_information_does_not_name_the_build_folder() {
    let one = project();
    let two = one.copy_sources();
    let args = [
        "-no-cache",
        "-cflag",
        "-g",
        "-lflag",
        "-g",
        "main.byte",
        "main.native",
    ];
    one.caravan(&args).ok();
    two.caravan(&args).ok();
    for file in ["a.cmo", "b.cmo", "main.byte", "b.cmx", "b.o", "main.native"] {
        let bytes = std::fs::read(one.path(&format!("_build/{file}"))).unwrap();
        assert_eq!(
            bytes,
            std::fs::read(two.path(&format!("_build/{file}"))).unwrap(),
            "{file}"
        );
        let root = one.root().to_string_lossy().into_owned();
        assert!(
            !bytes.windows(root.len()).any(|w| w == root.as_bytes()),
            "{file} names {root}"
        );
    }
}
