//! Small files exercising tricky constructs (scoping, attributes and
//! extensions, syntax errors...), kept in `snippets.txt` as `==== name`
//! headers followed by the file's text: `scan` must agree with
//! `ocamldep -modules` on each.

use crate::compare::compare;
use std::fs;
use std::path::{Path, PathBuf};

/// Writes the snippets into a fresh directory; returns it and the files.
fn write_snippets() -> (PathBuf, Vec<PathBuf>) {
    let text = include_str!("snippets.txt");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("depscan-snippets-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("cannot create the snippets directory");
    let mut files = Vec::new();
    for chunk in text.split("==== ").filter(|c| !c.is_empty()) {
        let (name, source) = chunk.split_once('\n').expect("a snippet without a name");
        fs::write(dir.join(name), source).expect("cannot write a snippet");
        files.push(PathBuf::from(name));
    }
    (dir, files)
}

#[test]
fn snippets_agree_with_ocamldep() {
    let (dir, files) = write_snippets();
    assert!(files.len() > 300, "only {} snippets", files.len());
    let report = compare(&dir, &files);
    report.print("snippets");
    let _ = fs::remove_dir_all(&dir);
    assert!(
        report.disagreements.is_empty() && report.excluded.is_empty(),
        "{} disagreements, {} excluded",
        report.disagreements.len(),
        report.excluded.len()
    );
}
