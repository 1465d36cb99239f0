//! Why an installation (`-install`, `-install-file`) or an uninstallation
//! (`-uninstall`) stops: each failure with the folder or file it concerns.

use std::path::PathBuf;

/// Why an installation or an uninstallation stopped.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The project has no library to install and names no program.
    #[error(
        "Error: {action}: there is nothing to install: the project has no library (no \
         build_libs `internal` line, no .mllib file) and no program was named.\nHint: add a \
         library (`foo.mllib`), or name programs as targets (`caravan -install DIR \
         -install-bin-dir BIN main.native`)."
    )]
    NothingToInstall {
        /// `-install` or `-install-file`.
        action: &'static str,
    },
    /// `-install -` without a default install root.
    #[error(
        "Error: {action} -: no default install root: MLSTATELIBS and OCAMLFIND_DESTDIR are not \
         set and findlib's configuration names no destdir.\nHint: give the folder (`{action} \
         DIR`)."
    )]
    NoDefaultRoot {
        /// `-install` or `-uninstall`.
        action: &'static str,
    },
    /// A folder the installation writes in cannot be created or written.
    #[error(
        "Error: -install: cannot write in {}: {source}\nHint: choose a folder you can write \
         (`-install DIR`), or fix its permissions.",
        .dir.display()
    )]
    NotWritable {
        /// The folder.
        dir: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// `-uninstall` of a folder where this project installed nothing.
    #[error(
        "Error: -uninstall {}: caravan installed nothing of project {project} there (no {}); \
         nothing was removed.",
        .dir.display(),
        .manifest.display()
    )]
    NoManifest {
        /// The folder.
        dir: PathBuf,
        /// The project's name.
        project: String,
        /// The manifest looked for.
        manifest: PathBuf,
    },
    /// A manifest that caravan did not write, or not in this format.
    #[error(
        "Error: {}, line {line}: not a manifest of caravan's installation format: {problem}",
        .path.display()
    )]
    BadManifest {
        /// The manifest.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// Two libraries would be installed in the same folder.
    #[error(
        "Error: -install: the libraries {first} and {second} would both be installed in \
         {dir}.\nHint: rename one library, or give one another install folder in build_libs \
         (`internal NAME DIR INSTALLDIR`)."
    )]
    SameFolder {
        /// The first library (its `.mllib`).
        first: String,
        /// The second library (its `.mllib`).
        second: String,
        /// The install folder both would use.
        dir: String,
    },
    /// A library's `.mllib` cannot be read.
    #[error("Error: -install: cannot read {mllib}: {source}")]
    Mllib {
        /// The `.mllib`.
        mllib: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A library's `.mllib` lists a module caravan cannot find.
    #[error("Error: -install: {0}")]
    Modules(#[source] engine::Error),
    /// Two files of a library would have one name once installed.
    #[error(
        "Error: -install: {first} and {second} would both be installed as {name} in {dir}.\n\
         Hint: rename one of the modules."
    )]
    SameName {
        /// The first file (in the build folder).
        first: String,
        /// The second file.
        second: String,
        /// The name both would take.
        name: String,
        /// The library's install folder.
        dir: String,
    },
    /// A file the plan installs was not built.
    #[error(
        "Error: -install: {} was not built; the installation stopped before copying anything.",
        .0.display()
    )]
    NotBuilt(PathBuf),
    /// Reading, copying, writing or removing a file failed.
    #[error("Error: {what} {}: {source}", .path.display())]
    Io {
        /// What was being done (`cannot copy to`, `cannot remove`...).
        what: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl InstallError {
    /// An I/O failure on `path`.
    pub(crate) fn io(what: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        InstallError::Io {
            what,
            path: path.into(),
            source,
        }
    }
}
