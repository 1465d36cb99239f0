//! The OCaml sources of a folder tree, for the tests, the benchmark and
//! the examples (which include this file with `#[path]`).

use std::path::{Path, PathBuf};

/// Every `.ml` and `.mli` file under `root`, relative to it, sorted.
pub fn ocaml_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                stack.push(path);
            } else if file_type.is_file()
                && matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("ml" | "mli")
                )
                && let Ok(relative) = path.strip_prefix(root)
            {
                files.push(relative.to_path_buf());
            }
        }
    }
    files.sort();
    files
}
