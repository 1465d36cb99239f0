//! Applying the hygiene check before a build: print ocamlbuild's report,
//! write `sanitize.sh`, and stop on a failing law.

use std::path::{Path, PathBuf};

use ocaml::hygiene;
use ocaml::project::Project;

use crate::error::Error;
use crate::request::Request;

/// Checks the project; `Err` when a failing law is broken.
/// `exempt` says whether a path is tagged `not_hygienic` or `precious`.
pub fn check(
    request: &Request,
    root: &Path,
    build_dir: &Path,
    project: &Project,
    exempt: &dyn Fn(&str) -> bool,
) -> Result<(), Error> {
    let report = hygiene::check(project, exempt);
    if report.is_clean() {
        return Ok(());
    }
    let script: Option<PathBuf> = request
        .sanitize
        .then(|| build_dir.join(&request.sanitization_script));
    if let Some(script) = &script {
        let text = report.sanitize_script(root, script);
        let written = std::fs::create_dir_all(build_dir)
            .and_then(|_| std::fs::write(script, text))
            .and_then(|_| {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(script, std::fs::Permissions::from_mode(0o777))
            });
        if let Err(e) = written {
            println!("Warning: cannot write {}: {e}", script.display());
        }
    }
    print!("{}", report.render(script.as_deref()));
    if report.failed() {
        return Err(Error::Hygiene);
    }
    Ok(())
}
