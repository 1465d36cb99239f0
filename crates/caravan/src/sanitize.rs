//! Applying the hygiene check before a build: print ocamlbuild's report,
//! write `sanitize.sh`, and stop on a failing law.

use std::path::{Path, PathBuf};

use ocaml::hygiene;
use ocaml::project::Project;

use crate::cli::Cli;
use crate::driver::Stop;
use crate::exit_code;

/// Checks the project; `Err` (exit 1) when a failing law is broken.
/// `exempt` says whether a path is tagged `not_hygienic` or `precious`.
pub fn check(
    cli: &Cli,
    root: &Path,
    build_dir: &Path,
    project: &Project,
    exempt: &dyn Fn(&str) -> bool,
) -> Result<(), Stop> {
    let report = hygiene::check(project, exempt);
    if report.is_clean() {
        return Ok(());
    }
    let script: Option<PathBuf> = cli
        .sanitize
        .then(|| build_dir.join(&cli.sanitization_script));
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
        return Err(Stop::new(exit_code::USAGE, ""));
    }
    Ok(())
}
