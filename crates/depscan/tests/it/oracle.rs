//! Runs the real `ocamldep -modules` on files, in batches.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What `ocamldep` said about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It printed these modules.
    Modules(BTreeSet<String>),
    /// It rejected the file.
    Rejected,
}

fn run(root: &Path, files: &[PathBuf]) -> (bool, String) {
    let output = Command::new("ocamldep")
        .arg("-modules")
        .args(files)
        .current_dir(root)
        .output()
        .expect("cannot run ocamldep (is OCaml installed?)");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// Parses `file: A B C` lines.
fn parse_lines(stdout: &str) -> BTreeMap<String, BTreeSet<String>> {
    stdout
        .lines()
        .filter_map(|line| {
            let (file, deps) = line.split_once(':')?;
            Some((
                file.to_owned(),
                deps.split_whitespace().map(str::to_owned).collect(),
            ))
        })
        .collect()
}

/// `ocamldep -modules` on each of `files` (relative to `root`), run on
/// batches of files; files of a failing batch that got no modules are run
/// alone to know whether they were the ones rejected.
pub fn ocamldep(root: &Path, files: &[PathBuf]) -> BTreeMap<PathBuf, Verdict> {
    let mut verdicts = BTreeMap::new();
    for batch in files.chunks(150) {
        let (ok, stdout) = run(root, batch);
        let lines = parse_lines(&stdout);
        for file in batch {
            let key = file.to_string_lossy().into_owned();
            let modules = lines.get(&key).cloned().unwrap_or_default();
            let verdict = if !ok && modules.is_empty() {
                let (alone_ok, alone) = run(root, std::slice::from_ref(file));
                if alone_ok {
                    Verdict::Modules(parse_lines(&alone).remove(&key).unwrap_or_default())
                } else {
                    Verdict::Rejected
                }
            } else {
                Verdict::Modules(modules)
            };
            verdicts.insert(file.clone(), verdict);
        }
    }
    verdicts
}
