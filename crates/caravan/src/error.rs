//! The binary's one error type: the command line's refusals and the
//! session's errors, each with its exit code (ocamlbuild's, so that scripts
//! keep working) and the text printed for it.

use crate::cli::CliError;
use crate::exit_code;

/// Why caravan stops.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The command line was refused.
    #[error("{0:?}")]
    Cli(CliError),
    /// The session stopped.
    #[error(transparent)]
    Session(#[from] session::Error),
    /// The build stopped; its message, with the hints only the build's
    /// project can give, is already written.
    #[error("{message}")]
    Build {
        /// The session's error, which gives the exit code.
        error: Box<session::Error>,
        /// What to print.
        message: String,
    },
    /// Ctrl-C or SIGTERM.
    #[error("interrupted")]
    Interrupted,
}

impl Failure {
    /// The exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Cli(CliError::Usage(_)) => exit_code::USAGE,
            Failure::Cli(CliError::NotSupported { .. }) => exit_code::FAILURE,
            Failure::Interrupted => exit_code::INTERRUPTED,
            Failure::Session(e) => session_code(e),
            Failure::Build { error, .. } => session_code(error),
        }
    }

    /// What to print (on stdout, like ocamlbuild); empty when everything
    /// was already shown.
    pub fn message(&self) -> String {
        match self {
            // One line and where to look, as `git` and `dune` do: the full
            // usage would scroll the one useful line away.
            Failure::Cli(CliError::Usage(msg)) => format!("caravan: {msg}\nTry -help.\n"),
            Failure::Cli(CliError::NotSupported { option, feature }) => format!(
                "Error: option {option} is not supported yet: it belongs to {feature}, which \
                 caravan does not implement yet.\nHint: run ocamlbuild for this project until \
                 then, or remove the option."
            ),
            Failure::Interrupted => "caravan: interrupted; the commands under way were \
                                     stopped. The next build redoes them."
                .to_string(),
            Failure::Session(e) => e.report(),
            Failure::Build { message, .. } => message.clone(),
        }
    }
}

fn session_code(e: &session::Error) -> u8 {
    use session::Error as E;
    match e {
        E::Refused(_) | E::Findlib { .. } | E::Declared(_) => exit_code::FAILURE,
        E::Usage(_) | E::Hygiene => exit_code::USAGE,
        E::Tags(t) => t.exit_code() as u8,
        E::Plugin(p) => p.code,
        E::Io { .. } | E::System(_) => exit_code::SYSTEM,
        E::Build(b) => exit_code::of_error(b),
        E::Builds(all) => exit_code::of_errors(all),
        E::CommandsFailed => exit_code::COMMAND_FAILED,
        E::Install(session::InstallError::Io { .. }) => exit_code::SYSTEM,
        E::Install(_) => exit_code::FAILURE,
        E::Internal(_) => exit_code::INTERNAL,
    }
}
