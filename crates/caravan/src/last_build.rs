//! `_build/.caravan/last-build`: the actions the last build ran and why,
//! for `-explain`.
//!
//! The reasons are decided by the engine's rebuilder as each action starts
//! and arrive in its `ActionStarted` event; the trace log keeps what an
//! action read, not why it ran. This sink keeps them and, when the build
//! ends (successfully, failed or interrupted; a build with nothing to do
//! writes an empty list), replaces the file. Format, JSON, written to a
//! temporary file then renamed, so a kill leaves the previous file or the
//! new one whole:
//!
//! ```text
//! {"version": 1,
//!  "actions": [{"outputs": ["a.cmo", "a.cmi"],
//!               "command": "/usr/bin/ocamlc.opt -c -o a.cmo a.ml",
//!               "reason": "a.ml changed"}, ...]}
//! ```
//!
//! Actions are listed in the order they started; outputs are relative to
//! the build directory; `reason` is the engine's `Reason` as `-verbose`
//! prints it. A missing, unreadable or other-version file reads as "no
//! build recorded".

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use engine::{Event, EventSink};
use serde::{Deserialize, Serialize};

const VERSION: u32 = 1;

/// The actions of one build and why they ran.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct LastBuild {
    version: u32,
    /// In the order they started.
    pub actions: Vec<RanAction>,
}

/// One action that ran.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RanAction {
    /// Its outputs, relative to the build directory.
    pub outputs: Vec<String>,
    /// Its command, as the log shows it.
    pub command: String,
    /// Why it ran.
    pub reason: String,
}

/// The file of `build_dir`.
fn file(build_dir: &Path) -> PathBuf {
    engine::state_dir(build_dir).join("last-build")
}

impl LastBuild {
    /// Reads the record of the last build of `build_dir`; `None` when there
    /// is none (or it cannot be read).
    pub fn read(build_dir: &Path) -> Option<LastBuild> {
        let text = std::fs::read(file(build_dir)).ok()?;
        let last: LastBuild = serde_json::from_slice(&text).ok()?;
        (last.version == VERSION).then_some(last)
    }
}

/// Records the actions of a build as they start.
pub struct LastBuildRecorder {
    path: PathBuf,
    actions: Mutex<Vec<RanAction>>,
}

impl LastBuildRecorder {
    /// A recorder for a build of `build_dir`.
    pub fn new(build_dir: &Path) -> LastBuildRecorder {
        LastBuildRecorder {
            path: file(build_dir),
            actions: Mutex::new(Vec::new()),
        }
    }

    /// Replaces the file with the actions recorded so far.
    pub fn finish(&self) -> std::io::Result<()> {
        let actions = match self.actions.lock() {
            Ok(a) => a.clone(),
            Err(p) => p.into_inner().clone(),
        };
        let text = serde_json::to_vec(&LastBuild {
            version: VERSION,
            actions,
        })
        .map_err(std::io::Error::other)?;
        engine::write_atomic(&self.path, &text, 0)
            .map(|_| ())
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

impl EventSink for LastBuildRecorder {
    fn event(&self, event: &Event<'_>) {
        if let Event::ActionStarted { action, reason, .. } = event {
            let ran = RanAction {
                outputs: action.outputs.iter().map(|o| o.to_string()).collect(),
                command: action.to_string(),
                reason: reason.to_string(),
            };
            match self.actions.lock() {
                Ok(mut a) => a.push(ran),
                Err(p) => p.into_inner().push(ran),
            }
        }
    }
}
