//! What the command line asks of the installation, as data: `-install DIR`,
//! `-uninstall DIR`, `-install-file`, and the destinations
//! `-install-lib-dir` and `-install-bin-dir`.
//!
//! `DIR` may be `-`: the default install root, the seed's (`-mlstatelibs`,
//! else `$MLSTATELIBS`) when given, else findlib's destination (`$OCAMLFIND_DESTDIR`,
//! else the `destdir` of `ocamlfind.conf`), the folder `ocamlfind install`
//! would use.

use std::path::{Path, PathBuf};

use crate::install_error::InstallError;
use crate::install_root;

/// What to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstallAction {
    /// `-install DIR`: build, then copy the libraries under `DIR`.
    Install(String),
    /// `-uninstall DIR`: remove what `-install DIR` wrote.
    Uninstall(String),
    /// `-install-file`: build, then write `<project>.install` (opam's
    /// format) at the root instead of copying.
    File,
}

/// An installation request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstallRequest {
    /// The action, if any: without one, `-install-lib-dir` and
    /// `-install-bin-dir` alone do nothing.
    pub action: Option<InstallAction>,
    /// `-install-lib-dir D`: the libraries go under `D` rather than `DIR`.
    pub lib_dir: Option<String>,
    /// `-install-bin-dir B`: the programs named as targets go in `B`.
    pub bin_dir: Option<String>,
}

impl InstallRequest {
    /// Whether the build installs (or writes an `.install` file) at its end.
    pub fn installs(&self) -> bool {
        matches!(
            self.action,
            Some(InstallAction::Install(_) | InstallAction::File)
        )
    }

    /// The option the action was given with, for messages.
    pub fn option(&self) -> &'static str {
        match self.action {
            Some(InstallAction::Uninstall(_)) => "-uninstall",
            Some(InstallAction::File) => "-install-file",
            _ => "-install",
        }
    }

    /// The install root of `-install DIR` or `-uninstall DIR`, absolute
    /// (relative to `cwd`), `-` resolved (`mlstatelibs` is the
    /// `-mlstatelibs` option); `None` for `-install-file`.
    pub fn root(
        &self,
        cwd: &Path,
        mlstatelibs: Option<&str>,
    ) -> Result<Option<PathBuf>, InstallError> {
        let dir = match &self.action {
            Some(InstallAction::Install(d) | InstallAction::Uninstall(d)) => d,
            _ => return Ok(None),
        };
        let dir = if dir == "-" {
            default_root(mlstatelibs).ok_or(InstallError::NoDefaultRoot {
                action: self.option(),
            })?
        } else {
            PathBuf::from(dir)
        };
        Ok(Some(cwd.join(dir)))
    }

    /// Where the libraries go: `-install-lib-dir`, else the root.
    pub fn lib_root(&self, cwd: &Path, root: &Path) -> PathBuf {
        match &self.lib_dir {
            Some(d) => cwd.join(d),
            None => root.to_path_buf(),
        }
    }

    /// Where the programs go, if anywhere: `-install-bin-dir`.
    pub fn bin_root(&self, cwd: &Path) -> Option<PathBuf> {
        self.bin_dir.as_ref().map(|d| cwd.join(d))
    }
}

/// `-mlstatelibs`, else `$MLSTATELIBS`, else findlib's destination folder.
fn default_root(mlstatelibs: Option<&str>) -> Option<PathBuf> {
    install_root::given(mlstatelibs)
        .map(PathBuf::from)
        .or_else(|| {
            findlib::Config::from_process()
                .ok()
                .map(|c| c.destdir().to_path_buf())
                .filter(|d| !d.as_os_str().is_empty())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_relative_to_the_working_folder_and_libraries_may_go_elsewhere() {
        let r = InstallRequest {
            action: Some(InstallAction::Install("dest".into())),
            lib_dir: Some("/opt/lib".into()),
            bin_dir: None,
        };
        let cwd = Path::new("/p");
        let root = r.root(cwd, None).unwrap().unwrap();
        assert_eq!(root, Path::new("/p/dest"));
        assert_eq!(r.lib_root(cwd, &root), Path::new("/opt/lib"));
        assert_eq!(r.bin_root(cwd), None);
        assert!(r.installs());
        let file = InstallRequest {
            action: Some(InstallAction::File),
            ..InstallRequest::default()
        };
        assert_eq!(file.root(cwd, None).unwrap(), None);
        assert_eq!(file.option(), "-install-file");
    }
}
