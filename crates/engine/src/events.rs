//! Progress events: how the engine tells the outside world what it does.
//!
//! The engine never prints. It reports to an [`EventSink`] supplied by the
//! caller, which renders a status line, a log file, or nothing.

use std::time::Duration;

use crate::action::Action;
use crate::error::CommandFailure;
use crate::explain::Reason;
use crate::target::Target;

/// Something that happened during a build.
#[derive(Debug)]
pub enum Event<'a> {
    /// A task was created for a target (it may still find nothing to do).
    TaskStarted {
        /// The task's key.
        task: &'a Target,
    },
    /// A task finished, successfully or not.
    TaskFinished {
        /// The task's key.
        task: &'a Target,
    },
    /// An action was up to date and did not run.
    ActionCached {
        /// The action.
        action: &'a Action,
    },
    /// An action's outputs were restored from a cache instead of running.
    ActionRestored {
        /// The action.
        action: &'a Action,
        /// What the command printed when it ran.
        output: &'a str,
        /// The cache that answered.
        origin: &'static str,
    },
    /// Something the user should know that is not a failure (a cache
    /// that cannot be reached, a corrupt cache entry); said once.
    Notice {
        /// The message, one line.
        message: &'a str,
        /// A problem the user should act on (a cache that fails), rather
        /// than information asked for with `-verbose`.
        warning: bool,
    },
    /// An action started running.
    ActionStarted {
        /// A number unique within the build.
        id: u64,
        /// The action.
        action: &'a Action,
        /// Why it runs.
        reason: &'a Reason,
    },
    /// An action completed successfully.
    ActionFinished {
        /// Its number.
        id: u64,
        /// The action.
        action: &'a Action,
        /// What it printed (stdout and stderr), possibly empty.
        output: &'a str,
        /// How long it ran.
        duration: Duration,
    },
    /// An action failed.
    ActionFailed {
        /// Its number.
        id: u64,
        /// The action.
        action: &'a Action,
        /// The failure.
        failure: &'a CommandFailure,
    },
}

/// Receives events; called from many threads.
pub trait EventSink: Send + Sync {
    /// Handles one event.
    fn event(&self, event: &Event<'_>);
}

/// A sink that ignores everything.
pub struct NoEvents;

impl EventSink for NoEvents {
    fn event(&self, _: &Event<'_>) {}
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Action({self})")
    }
}
