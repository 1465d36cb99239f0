//! Links at the project root to built programs (`main.native ->
//! /abs/_build/main.native`), and their removal by `-clean`.
//!
//! Like ocamlbuild, a link is made for targets ending in `.byte`, `.native`
//! and `.top` (and caravan's `.byte.exe`), named after the target's file
//! name, for every target an `x.otarget` lists, and for `.html` targets to
//! their directory (`doc.docdir -> /abs/_build/doc.docdir`); symlinks into
//! the build directory whose target disappeared are removed at start. Unlike
//! `ln -sf`, an existing file that is not a symlink is never replaced.

use std::fs;
use std::io;
use std::path::Path;

use engine::Target;

/// What a target links at the root, if anything: the target itself for
/// programs, its directory for an HTML page.
pub fn linked_path(target: &str) -> Option<&str> {
    if [".byte", ".native", ".top", ".byte.exe"]
        .iter()
        .any(|ext| target.ends_with(ext))
    {
        return Some(target);
    }
    if target.ends_with(".html") {
        return target.rsplit_once('/').map(|(dir, _)| dir);
    }
    None
}

/// The targets to link after a successful build of `targets`: the linked
/// kinds, and what each `x.otarget` lists (read from the `x.itarget` copied
/// into the build directory).
pub fn to_make(build_dir: &Path, targets: &[Target]) -> Vec<String> {
    let mut out = Vec::new();
    for t in targets {
        if let Some(stem) = t.as_str().strip_suffix(".otarget") {
            let itarget = format!("{stem}.itarget");
            if let Ok(text) = fs::read_to_string(build_dir.join(&itarget)) {
                out.extend(
                    ocaml::rules::itarget::targets_of(&itarget, &text)
                        .into_iter()
                        .map(|t| t.to_string()),
                );
            }
        } else if let Some(linked) = linked_path(t.as_str()) {
            out.push(linked.to_string());
        }
    }
    out
}

/// Makes `<root>/<file name>` a symlink to `<build_dir>/<target>`. Returns a
/// warning when a regular file is in the way.
pub fn make(root: &Path, build_dir: &Path, target: &str) -> io::Result<Option<String>> {
    let name = target.rsplit('/').next().unwrap_or(target);
    let link = root.join(name);
    let dest = build_dir.join(target);
    match fs::symlink_metadata(&link) {
        Ok(m) if m.file_type().is_symlink() => {
            if fs::read_link(&link)? == dest {
                return Ok(None);
            }
            fs::remove_file(&link)?;
        }
        Ok(_) => {
            return Ok(Some(format!(
                "Warning: {} exists and is not a link; {target} was built in {} but not linked.",
                link.display(),
                build_dir.display()
            )));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    std::os::unix::fs::symlink(&dest, &link)?;
    Ok(None)
}

/// Removes the given root symlinks when they point into `build_dir`, either
/// all of them (`-clean`) or only those whose target is gone.
pub fn remove(
    root: &Path,
    build_dir: &Path,
    links: &[String],
    only_dangling: bool,
) -> io::Result<()> {
    for l in links {
        let path = root.join(l);
        let Ok(dest) = fs::read_link(&path) else {
            continue;
        };
        let dest = if dest.is_absolute() {
            dest
        } else {
            path.parent().unwrap_or(root).join(dest)
        };
        if !dest.starts_with(build_dir) {
            continue;
        }
        if only_dangling && dest.exists() {
            continue;
        }
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
