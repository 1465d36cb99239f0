//! `-install-file`: the opam `.install` file of the project
//! (`<project>.install` at the root), which tells opam what to copy where,
//! instead of copying.
//!
//! Each library is its own findlib package, so its files are listed in
//! `lib_root:` (opam's `%{lib}%`, the install root of `-install DIR`) under
//! the library's install folder; `dll*.so` go in `stublibs:`, programs in
//! `bin:`. Paths are relative to the root; the `META` files are written in
//! the build folder (`_install/<folder>/META`) for opam to copy. Optional
//! files (`.cmti`) are listed when the build made them.
//!
//! ```text
//! lib_root: [
//!   "_build/counter/counter.cma" {"counter/counter.cma"}
//!   "_build/_install/counter/META" {"counter/META"}
//! ]
//! stublibs: [
//!   "_build/counter/dllcounter_stubs.so"
//! ]
//! bin: [
//!   "_build/main.native" {"main"}
//! ]
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::install_error::InstallError;
use crate::install_plan::{FileKind, InstallPlan};

/// The folder of the build folder where the `META` files are written.
const META_DIR: &str = "_install";

/// Writes the `META` files in the build folder and `<project>.install` at
/// `root`; returns the `.install` file's path.
pub fn write(plan: &InstallPlan, root: &Path, build_dir: &Path) -> Result<PathBuf, InstallError> {
    let prefix = match build_dir.strip_prefix(root) {
        Ok(rel) => rel.to_string_lossy().into_owned(),
        Err(_) => build_dir.to_string_lossy().into_owned(),
    };
    let quoted = |rel: &str| quote(&format!("{prefix}/{rel}"));
    let (mut lib, mut stub, mut bin) = (Vec::new(), Vec::new(), Vec::new());
    for l in &plan.libraries {
        for f in &l.files {
            if !build_dir.join(&f.source).is_file() {
                if f.needed {
                    return Err(InstallError::NotBuilt(build_dir.join(&f.source)));
                }
                continue;
            }
            match f.kind {
                FileKind::Lib => lib.push(format!(
                    "  {} {{{}}}",
                    quoted(&f.source),
                    quote(&format!("{}/{}", l.install_dir, f.name))
                )),
                FileKind::Stublib => stub.push(format!("  {}", quoted(&f.source))),
            }
        }
        let meta = format!("{META_DIR}/{}/META", l.install_dir);
        let meta_path = build_dir.join(&meta);
        if let Some(parent) = meta_path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| InstallError::io("cannot create", parent, e))?;
        }
        std::fs::write(&meta_path, l.meta.render())
            .map_err(|e| InstallError::io("cannot write", &meta_path, e))?;
        lib.push(format!(
            "  {} {{{}}}",
            quoted(&meta),
            quote(&format!("{}/META", l.install_dir))
        ));
    }
    for p in &plan.programs {
        bin.push(format!("  {} {{{}}}", quoted(&p.source), quote(&p.name)));
    }
    let mut text = String::new();
    for (field, lines) in [("lib_root", lib), ("stublibs", stub), ("bin", bin)] {
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(text, "{field}: [");
        for l in lines {
            let _ = writeln!(text, "{l}");
        }
        text.push_str("]\n");
    }
    let path = root.join(format!("{}.install", plan.project.name));
    let tmp = root.join(format!(".{}.install.tmp", plan.project.name));
    std::fs::write(&tmp, text).map_err(|e| InstallError::io("cannot write", &tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| InstallError::io("cannot write", &path, e))?;
    Ok(path)
}

/// An opam string: `"…"` with `"` and `\` escaped.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}
