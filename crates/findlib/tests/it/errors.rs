//! Every kind of mistake gives an error that names the package and the
//! META file and line; none panics.

use std::fs;
use std::path::Path;

use findlib::{Compiler, Config, Findlib, Request};

fn db(files: &[(&str, &str)]) -> (tempfile::TempDir, Findlib) {
    let t = tempfile::tempdir().expect("temporary directory");
    for (name, text) in files {
        let p = t.path().join(name);
        fs::create_dir_all(p.parent().expect("parent")).expect("directory");
        fs::write(p, text).expect("META");
    }
    let dir = t.path().to_string_lossy().into_owned();
    let f = Findlib::new(Config::from_parts(&[&dir], "/usr/lib/ocaml"));
    (t, f)
}

fn error(f: &Findlib, packages: &[&str]) -> String {
    let e = f
        .resolve(&Request::new(Compiler::Ocamlopt, packages))
        .expect_err("an error");
    let text = e.to_string();
    println!("findlib: error example:\n{text}\n");
    text
}

fn assert_located(text: &str, meta: &Path, line: usize) {
    let head = format!("File \"{}\", line {line}, characters ", meta.display());
    assert!(text.starts_with(&head), "expected `{head}...' in:\n{text}");
}

#[test]
fn unknown_package_suggests_a_near_name() {
    let (_t, f) = db(&[("yojson/META", "version = \"2\"")]);
    let text = error(&f, &["yojsn"]);
    assert!(
        text.contains("package `yojsn' not found; did you mean `yojson'?"),
        "{text}"
    );
}

#[test]
fn unknown_requirement_points_at_the_requires_line() {
    let (t, f) = db(&[
        ("app/META", "version = \"1\"\nrequires = \"yojson lwt\"\n"),
        ("yojson/META", ""),
        ("lwtt/META", ""),
    ]);
    let text = error(&f, &["app"]);
    assert_located(&text, &t.path().join("app/META"), 2);
    assert!(text.contains("characters 19-22:"), "{text}");
    assert!(
        text.contains("package `lwt' not found (required by `app'); did you mean `lwtt'?"),
        "{text}"
    );
}

#[test]
fn missing_sub_package_names_the_parent_block() {
    let (t, f) = db(&[(
        "lwt/META",
        "version = \"5\"\npackage \"unix\" (\n  version = \"5\"\n)\n",
    )]);
    let text = error(&f, &["lwt.unix.extra"]);
    assert_located(&text, &t.path().join("lwt/META"), 2);
    assert!(
        text.contains("no sub-package `extra' in `lwt.unix'"),
        "{text}"
    );
    let text = error(&f, &["lwt.unx"]);
    assert!(text.contains("did you mean `lwt.unix'?"), "{text}");
}

#[test]
fn cycle_shows_the_chain_and_the_closing_requires() {
    let (t, f) = db(&[
        ("a/META", "requires = \"b\""),
        ("b/META", "requires = \"c\""),
        ("c/META", "version = \"1\"\nrequires = \"a\""),
    ]);
    let text = error(&f, &["a"]);
    assert_located(&text, &t.path().join("c/META"), 2);
    assert!(
        text.ends_with("packages require each other in a cycle: a -> b -> c -> a"),
        "{text}"
    );
}

#[test]
fn syntax_error_is_located_in_the_meta_file() {
    let (t, f) = db(&[("bad/META", "version = \"1\"\narchive(byte) \"bad.cma\"\n")]);
    let text = error(&f, &["bad"]);
    assert_located(&text, &t.path().join("bad/META"), 2);
    assert!(text.contains("characters 14-23:"), "{text}");
    assert!(text.contains("expected `=' or `+='"), "{text}");
}

#[test]
fn missing_exists_if_file_hides_the_package() {
    let (t, f) = db(&[(
        "opt/META",
        "package \"gtk\" (\n  exists_if = \"opt_gtk.cma\"\n  archive(byte) = \"opt_gtk.cma\"\n)\n",
    )]);
    let text = error(&f, &["opt.gtk"]);
    assert_located(&text, &t.path().join("opt/META"), 2);
    assert!(
        text.contains("package `opt.gtk' is not installed"),
        "{text}"
    );
    assert!(text.contains("opt_gtk.cma"), "{text}");
}

#[test]
fn error_variable_is_reported_with_its_line() {
    let (t, f) = db(&[(
        "old/META",
        "version = \"0\"\nerror(native) = \"no native code\"\n",
    )]);
    let text = error(&f, &["old"]);
    assert_located(&text, &t.path().join("old/META"), 2);
    assert!(
        text.ends_with("Error: package `old' reports an error: no native code"),
        "{text}"
    );
}
