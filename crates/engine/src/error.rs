//! The engine's error type.
//!
//! Errors are cheap to clone because one failure can be reported to every
//! task that was waiting for the failed target.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use crate::explain::Reason;
use crate::target::Target;

/// Why a build (or one target of it) failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    /// No rule produces the target and it is not a source file.
    #[error("no rule builds {target}")]
    NoRule {
        /// The target nobody can build.
        target: Target,
        /// The targets whose building asked for it, innermost first.
        via: Vec<Target>,
    },
    /// A target depends on itself.
    #[error("circular build: {}", render_cycle(.cycle))]
    Cycle {
        /// The targets of the cycle as its tasks asked for them, in request
        /// order: the task of each asks for the next, and the last one's
        /// for the first again. It starts at the task the build started
        /// first, whichever request found the cycle.
        cycle: Vec<Target>,
    },
    /// An external command exited with a non-zero status or was killed.
    #[error("command failed: {}", .0.command)]
    CommandFailed(Arc<CommandFailure>),
    /// A command succeeded but did not write one of its declared outputs.
    #[error("the command for {action} succeeded but did not produce {missing}")]
    MissingOutput {
        /// The primary output of the action.
        action: Target,
        /// The declared output that is absent.
        missing: Target,
    },
    /// A rule reported a problem with the project (bad input, unknown file...).
    ///
    /// The engine does not know the rule's error type: it keeps it whole,
    /// and the binary downcasts it (to choose an exit code and render it).
    #[error("{error}")]
    Rule {
        /// The rule's own error; its `Display` is the message for the user,
        /// complete, and its `source()` the underlying cause, if any. It is
        /// this error's source, so the chain goes on to the cause.
        #[source]
        error: Arc<dyn std::error::Error + Send + Sync + 'static>,
        /// Whether it says that a source the rule needs does not exist
        /// (see [`Error::is_inapplicable`]).
        inapplicable: bool,
    },
    /// A source file was there when the build started and is gone now.
    #[error("the source file {} disappeared during the build", .path.display())]
    SourceVanished {
        /// The source file, in the source tree.
        path: PathBuf,
    },
    /// An action would run under `-nothing-should-be-rebuilt`.
    #[error("-nothing-should-be-rebuilt: {target} would be rebuilt ({reason}) by: {command}")]
    MustNotRebuild {
        /// The target of the task whose action is out of date.
        target: Target,
        /// Why it is out of date.
        reason: Reason,
        /// The action's command, as a shell would show it.
        command: Arc<str>,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: Arc<io::Error>,
    },
    /// The build stopped before this target because another one failed.
    #[error("build stopped after an earlier failure")]
    Stopped,
    /// An invariant of the engine was broken by a rule.
    #[error("internal error: {0}")]
    Internal(Arc<str>),
}

/// The details of a failed command.
#[derive(Debug)]
pub struct CommandFailure {
    /// The target the command was building (its log target).
    pub target: Target,
    /// The command as a shell would show it.
    pub command: String,
    /// The exit code, when it exited.
    pub exit_code: Option<i32>,
    /// The signal that killed it, when it was killed.
    pub signal: Option<i32>,
    /// What it printed on stdout and stderr, interleaved as captured.
    pub output: String,
}

impl Error {
    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source: Arc::new(source),
        }
    }

    /// Whether the error says that what a task is made from cannot be built
    /// (no rule for a target it needed, or a missing source): another rule
    /// for the same target may still apply.
    pub fn is_inapplicable(&self) -> bool {
        match self {
            Error::NoRule { .. } | Error::SourceVanished { .. } => true,
            Error::Rule { inapplicable, .. } => *inapplicable,
            _ => false,
        }
    }

    /// A project error from a rule, `error` being the rule's own.
    pub fn rule(error: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::Rule {
            error: Arc::new(error),
            inapplicable: false,
        }
    }

    /// A project error from a rule saying that a source it needs does not
    /// exist: another rule for the same target may still apply.
    pub fn inapplicable_rule(error: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::Rule {
            error: Arc::new(error),
            inapplicable: true,
        }
    }

    /// The target the error is about, when it names one: the target of a
    /// failed command, the one no rule builds...
    pub fn target(&self) -> Option<&Target> {
        match self {
            Error::NoRule { target, .. } | Error::MustNotRebuild { target, .. } => Some(target),
            Error::CommandFailed(f) => Some(&f.target),
            Error::MissingOutput { action, .. } => Some(action),
            Error::Cycle { cycle } => cycle.first(),
            _ => None,
        }
    }

    /// Whether `self` and `other` report the same failure: a task that
    /// failed because a target it needed failed has that target's error
    /// (a clone, or for a missing rule the same target reached another
    /// way).
    pub fn same_failure(&self, other: &Error) -> bool {
        match (self, other) {
            (Error::CommandFailed(a), Error::CommandFailed(b)) => {
                Arc::ptr_eq(a, b) || (a.target == b.target && a.command == b.command)
            }
            (Error::Rule { error: a, .. }, Error::Rule { error: b, .. }) => {
                Arc::ptr_eq(a, b) || a.to_string() == b.to_string()
            }
            (Error::NoRule { target: a, .. }, Error::NoRule { target: b, .. }) => a == b,
            (Error::Cycle { cycle: a }, Error::Cycle { cycle: b }) => {
                let mut a = a.clone();
                let mut b = b.clone();
                a.sort();
                b.sort();
                a == b
            }
            (a, b) => {
                std::mem::discriminant(a) == std::mem::discriminant(b)
                    && a.to_string() == b.to_string()
            }
        }
    }

    /// An internal error.
    pub fn internal(message: impl Into<String>) -> Error {
        Error::Internal(Arc::from(message.into()))
    }
}

fn render_cycle(cycle: &[Target]) -> String {
    let names: Vec<&str> = cycle.iter().map(|t| t.as_str()).collect();
    names.join(" -> ")
}

/// The engine's result type.
pub type Result<T> = std::result::Result<T, Error>;
