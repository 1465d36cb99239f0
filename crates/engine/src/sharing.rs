//! `Sharing`: whether an action's result may be shared through a cache, and
//! whether it may run on another machine.
//!
//! The rule that builds an action knows what the command really does; the
//! engine only obeys. An action that reads or writes files it does not
//! declare can be neither cached nor sent away: its outputs would be
//! restored without what it wrote outside them, or it would fail on a
//! worker that holds its declared inputs only.

/// Where an action's result may go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sharing {
    /// Cached, and may run on a remote worker.
    #[default]
    Anywhere,
    /// Cached, but runs on this machine; the reason is shown once in
    /// `-verbose` mode when a remote executor is in use.
    LocalOnly(&'static str),
    /// Never cached, and runs on this machine: the reason says what the
    /// command does outside its declared files.
    Private(&'static str),
}

impl Sharing {
    /// Whether a cache may store and restore the action's outputs.
    pub fn cacheable(self) -> bool {
        !matches!(self, Sharing::Private(_))
    }

    /// Whether the action may run on a remote worker.
    pub fn remote(self) -> bool {
        matches!(self, Sharing::Anywhere)
    }

    /// Why the action runs locally, if it must.
    pub fn local_reason(self) -> Option<&'static str> {
        match self {
            Sharing::Anywhere => None,
            Sharing::LocalOnly(why) | Sharing::Private(why) => Some(why),
        }
    }
}
