//! Why a session stops: every failure of a run except the command line's,
//! typed, with its cause kept as the error's source until the binary
//! renders it and picks the exit code.

use std::path::PathBuf;

use plugin::PluginError;

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request cannot be built as given (a bad `-I`, a target outside
    /// the project, a tool that cannot be found, a plugin setting caravan
    /// does not support). The message is complete.
    #[error("{0}")]
    Refused(String),
    /// `--` cannot run what was built. The message is complete.
    #[error("{0}")]
    Usage(String),
    /// A failing hygiene law (the report is already printed).
    #[error("the hygiene check failed")]
    Hygiene,
    /// A `_tags` file, a tag option or a flag declaration is wrong.
    #[error("{0}")]
    Tags(#[source] tags::Error),
    /// `build_libs` or `build_tools` is wrong, or names what the project
    /// lacks (the message names the file, line and characters).
    #[error("{0}")]
    Declared(#[source] declare::Error),
    /// A findlib package asked for by `-pkg` cannot be used.
    #[error("{message}")]
    Findlib {
        /// findlib's explanation, with caravan's hint.
        message: String,
        /// findlib's error.
        #[source]
        source: findlib::Error,
    },
    /// The project's `myocamlbuild.ml` failed (to compile, or while it ran).
    #[error("{0}")]
    Plugin(PluginError),
    /// Reading or writing a file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The system refused something the run needs (the current folder,
    /// the build folder, its lock). The message is complete.
    #[error("{0}")]
    System(String),
    /// A build error (failed commands were shown as they failed).
    #[error("{0}")]
    Build(#[source] engine::Error),
    /// Several build errors, each once, ordered by the target that failed
    /// (a build that kept going after a failure).
    #[error("{} build errors", .0.len())]
    Builds(Vec<engine::Error>),
    /// Commands failed; their output was shown as they failed.
    #[error("commands failed")]
    CommandsFailed,
    /// An installation or uninstallation failed. The message is complete.
    #[error(transparent)]
    Install(#[from] crate::install_error::InstallError),
    /// A bug in caravan.
    #[error("{0}")]
    Internal(String),
}

impl From<PluginError> for Error {
    fn from(e: PluginError) -> Error {
        Error::Plugin(e)
    }
}

impl Error {
    /// What to print for the error (on stdout, like ocamlbuild); empty
    /// when everything was already shown.
    pub fn report(&self) -> String {
        match self {
            Error::Hygiene | Error::CommandsFailed => String::new(),
            Error::Io { path, source } => crate::report::io_message(path, source),
            Error::Build(b) => crate::report::describe_build_error(b, None),
            Error::Builds(all) => crate::report::describe_build_errors(all, None),
            other => other.to_string(),
        }
    }

    /// A refusal with a complete message.
    pub fn refused(message: impl Into<String>) -> Error {
        Error::Refused(message.into())
    }

    /// An error of the OCaml layer, before the build.
    pub fn of_ocaml(e: ocaml::Error) -> Error {
        match e {
            ocaml::Error::Tags(t) => Error::Tags(t),
            ocaml::Error::Io { path, source } => Error::Io { path, source },
            ocaml::Error::TagsText(e) => match e.downcast::<declare::Error>() {
                Ok(d) => Error::Declared(*d),
                Err(other) => Error::System(format!("Error: {other}")),
            },
            other => Error::System(format!("Error: {other}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ocaml::rule_error::{Category, RuleError};

    #[test]
    fn a_build_error_keeps_the_rules_cause_down_its_source_chain() {
        let cause = std::io::Error::other("ocamlfind.conf is unreadable");
        let rule = RuleError::new(Category::Findlib, "cannot read the findlib configuration")
            .with_source(cause);
        let e = Error::Build(engine::Error::from(rule));
        assert_eq!(e.report(), "Error: cannot read the findlib configuration");
        let mut chain = Vec::new();
        let mut next: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(err) = next {
            chain.push(err.to_string());
            next = err.source();
        }
        assert_eq!(
            chain.last().map(String::as_str),
            Some("ocamlfind.conf is unreadable")
        );
        assert!(
            std::error::Error::source(&e)
                .and_then(|s| s.downcast_ref::<engine::Error>())
                .and_then(RuleError::of)
                .is_some_and(|r| r.category() == Category::Findlib)
        );
    }
}
