//! `-clean`: remove the build directory and the links into it.

use std::path::Path;

use crate::error::Error;
use crate::links;

/// Removes `build_dir` and, when links are made, the root's symlinks that
/// point into it. Prints nothing, like ocamlbuild.
pub fn clean(root: &Path, build_dir: &Path, links_enabled: bool) -> Result<(), Error> {
    if links_enabled {
        let mut names = Vec::new();
        if let Ok(entries) = std::fs::read_dir(root) {
            for e in entries.flatten() {
                if e.file_type().map(|t| t.is_symlink()).unwrap_or(false) {
                    names.push(e.file_name().to_string_lossy().into_owned());
                }
            }
        }
        links::remove(root, build_dir, &names, false)
            .map_err(|e| Error::System(format!("Error: cannot remove links: {e}")))?;
    }
    match std::fs::remove_dir_all(build_dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::System(format!(
            "Error: cannot remove {}: {e}",
            build_dir.display()
        ))),
    }
}
