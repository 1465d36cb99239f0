//! Reads the saved inputs of a fuzz target, for the crates' regression
//! tests: every file of `fuzz/regressions/<target>/`, in name order.

use std::path::{Path, PathBuf};

/// The inputs saved for `target`, with their paths. Panics (failing the
/// test) when the regression directory cannot be read.
pub fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    assert!(
        root.join("README.md").is_file(),
        "no fuzz/regressions/README.md under {}",
        root.display()
    );
    let dir = root.join(target);
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .map(|e| match e {
                Ok(e) => e.path(),
                Err(err) => panic!("{}: {err}", dir.display()),
            })
            .filter(|p| p.is_file())
            .collect(),
        // No crash saved for this target yet.
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(err) => panic!("{}: {err}", dir.display()),
    };
    paths.sort();
    paths
        .into_iter()
        .map(|p| match std::fs::read(&p) {
            Ok(data) => (p, data),
            Err(err) => panic!("{}: {err}", p.display()),
        })
        .collect()
}

/// Runs `check` on every input saved for `target`, naming each on stderr
/// first so that a failure shows which one.
pub fn replay(target: &str, check: fn(&[u8])) {
    for (path, data) in inputs(target) {
        eprintln!("replaying {}", path.display());
        check(&data);
    }
}
