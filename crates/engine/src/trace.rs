//! Traces: what the engine remembers about each action and source file.
//!
//! A [`Trace`] says "the action of task K, whose key was A, read these
//! inputs and wrote these outputs with these digests". On the next build the
//! task recomputes its action's key from the current digests of its inputs; if
//! the key equals the recorded one and every output still has its recorded
//! digest, the action does not run (a *verifying trace* in the terms of
//! "Build Systems à la Carte"). A [`SourceRecord`] remembers the digest of a
//! source file and of its copy in the build directory, keyed by their stats.
//! [`TraceDb`] is the in-memory view, rebuilt from the trace log at start.

use rustc_hash::FxHashMap as HashMap;

use serde::{Deserialize, Serialize};

use crate::digest::{Digest, FileStat};

/// One output of a recorded action.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OutputRecord {
    /// Path relative to the build directory.
    pub path: String,
    /// Its stat right after the action (or the last verification).
    pub stat: FileStat,
    /// Its content digest.
    pub digest: Digest,
}

/// One input of a recorded action.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct InputRecord {
    /// Path relative to the build directory.
    pub path: String,
    /// Its digest when the action ran; `None` for an input whose presence
    /// only matters (`Input::Exists`).
    pub digest: Option<Digest>,
}

/// The record of one successful action.
///
/// The fields needed to decide "up to date or not" are decoded at start; the
/// description of what the action read ([`TraceDetail`]) stays encoded until
/// something needs it (explaining a rebuild, the critical path, removing
/// stale outputs), which keeps loading the log cheap.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Trace {
    /// The task that ran it (its primary target).
    pub task: String,
    /// The action key it ran with.
    pub action_key: Digest,
    /// The files it wrote.
    pub outputs: Vec<OutputRecord>,
    /// How long it took, in milliseconds.
    pub duration_ms: u32,
    /// The value an internal step returned.
    pub value: Vec<u8>,
    /// The encoded [`TraceDetail`].
    pub detail: Vec<u8>,
}

/// What an action was given: command, environment and inputs with digests.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
pub struct TraceDetail {
    /// The command: argv of a process, or name and arguments of an internal
    /// step.
    pub command: Vec<String>,
    /// The environment variables given to it.
    pub env: Vec<(String, String)>,
    /// The files it read, declared and discovered, with their digests.
    pub inputs: Vec<InputRecord>,
    /// Digests of the input groups it read (transitive closures).
    pub groups: Vec<Digest>,
}

impl TraceDetail {
    /// The encoded form stored in a [`Trace`].
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }
}

impl Trace {
    /// Decodes the detail; an undecodable detail reads as empty (the action
    /// key still protects correctness).
    pub fn detail(&self) -> TraceDetail {
        postcard::from_bytes(&self.detail).unwrap_or_default()
    }
}

/// What is known about one source file and its copy in the build directory.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SourceRecord {
    /// Path relative to the source root (and to the build directory).
    pub path: String,
    /// Stat of the source when it was last hashed.
    pub source_stat: FileStat,
    /// Stat of the copy in the build directory when it was written or checked.
    pub copy_stat: FileStat,
    /// Content digest (of both).
    pub digest: Digest,
}

/// One entry of the trace log.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub enum Record {
    /// A source file was hashed or copied.
    Source(SourceRecord),
    /// An action is about to write these outputs; if no [`Record::Trace`]
    /// follows, the outputs may be partial and are deleted at the next start.
    Started {
        /// The task.
        task: String,
        /// Its declared outputs.
        outputs: Vec<String>,
    },
    /// An action completed.
    Trace(Trace),
    /// A task's trace and outputs were removed.
    Removed {
        /// The task.
        task: String,
    },
    /// A source disappeared and its copy was removed.
    SourceRemoved {
        /// The source path.
        path: String,
    },
}

/// The live state described by a sequence of records: the latest record for
/// a task or source wins.
#[derive(Default, Debug)]
pub struct TraceDb {
    /// Completed actions by task.
    pub traces: HashMap<String, Trace>,
    /// Sources by path.
    pub sources: HashMap<String, SourceRecord>,
    /// Actions started and never completed, by task, with their outputs.
    pub unfinished: HashMap<String, Vec<String>>,
}

impl TraceDb {
    /// Applies one record.
    pub fn apply(&mut self, record: Record) {
        match record {
            Record::Source(s) => {
                self.sources.insert(s.path.clone(), s);
            }
            Record::Started { task, outputs } => {
                self.unfinished.insert(task, outputs);
            }
            Record::Trace(t) => {
                self.unfinished.remove(&t.task);
                self.traces.insert(t.task.clone(), t);
            }
            Record::Removed { task } => {
                self.unfinished.remove(&task);
                self.traces.remove(&task);
            }
            Record::SourceRemoved { path } => {
                self.sources.remove(&path);
            }
        }
    }

    /// The number of records needed to describe the live state.
    pub fn live_records(&self) -> usize {
        self.traces.len() + self.sources.len() + self.unfinished.len()
    }

    /// The live state as records, for recompaction.
    pub fn to_records(&self) -> Vec<Record> {
        let mut out = Vec::with_capacity(self.live_records());
        let mut sources: Vec<&SourceRecord> = self.sources.values().collect();
        sources.sort_by(|a, b| a.path.cmp(&b.path));
        out.extend(sources.into_iter().cloned().map(Record::Source));
        let mut traces: Vec<&Trace> = self.traces.values().collect();
        traces.sort_by(|a, b| a.task.cmp(&b.task));
        out.extend(traces.into_iter().cloned().map(Record::Trace));
        let mut unfinished: Vec<(&String, &Vec<String>)> = self.unfinished.iter().collect();
        unfinished.sort();
        out.extend(unfinished.into_iter().map(|(t, o)| Record::Started {
            task: t.clone(),
            outputs: o.clone(),
        }));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(task: &str) -> Trace {
        Trace {
            task: task.into(),
            action_key: Digest::of_bytes(task.as_bytes()),
            outputs: vec![],
            duration_ms: 1,
            value: vec![],
            detail: vec![],
        }
    }

    #[test]
    fn latest_record_wins_and_completion_clears_unfinished() {
        let mut db = TraceDb::default();
        db.apply(Record::Started {
            task: "a.cmo".into(),
            outputs: vec!["a.cmo".into()],
        });
        assert!(db.unfinished.contains_key("a.cmo"));
        db.apply(Record::Trace(trace("a.cmo")));
        assert!(db.unfinished.is_empty());
        let mut t2 = trace("a.cmo");
        t2.duration_ms = 7;
        db.apply(Record::Trace(t2));
        assert_eq!(db.traces["a.cmo"].duration_ms, 7);
        db.apply(Record::Removed {
            task: "a.cmo".into(),
        });
        assert!(db.traces.is_empty());
    }
}
