//! `Notices`: messages said once, however many actions run into the same
//! problem (a server that went away, a reason to run locally).

use std::collections::HashSet;
use std::sync::Mutex;

use engine::{Event, EventSink};

/// The kinds of message already said.
#[derive(Default)]
pub struct Notices {
    said: Mutex<HashSet<String>>,
}

impl Notices {
    /// Says `message` through `events` unless something of the same
    /// `kind` was said before.
    pub fn once(&self, events: &dyn EventSink, kind: &str, message: &str) {
        self.say(events, kind, message, true);
    }

    /// [`Notices::once`] for information asked for (`-verbose`), not a
    /// problem.
    pub fn once_info(&self, events: &dyn EventSink, kind: &str, message: &str) {
        self.say(events, kind, message, false);
    }

    fn say(&self, events: &dyn EventSink, kind: &str, message: &str, warning: bool) {
        let first = self
            .said
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(kind.to_string());
        if first {
            events.event(&Event::Notice { message, warning });
        }
    }
}
