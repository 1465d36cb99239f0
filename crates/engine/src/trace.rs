//! Traces: what the engine remembers about each action and source file.
//!
//! A [`Trace`] says "the action of task K, whose key was A, read these
//! inputs and wrote these outputs with these digests". On the next build the
//! task recomputes its action's key from the current digests of its inputs; if
//! the key equals the recorded one and every output still has its recorded
//! digest, the action does not run (a *verifying trace* in the terms of
//! "Build Systems à la Carte"). A [`SourceRecord`] remembers the digest of a
//! source file and of its copy in the build directory, keyed by their stats.
//! [`TraceDb`] is the live state, indexed from the trace log at start and
//! decoded record by record when asked.

use serde::{Deserialize, Serialize};

use crate::digest::{Digest, FileStat};
use crate::log_bytes::LogBytes;
use crate::trace_index::{KeyIndex, Payloads, Slot};

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
/// The fields needed to decide "up to date or not" are decoded when the
/// trace is looked up; the description of what the action read
/// ([`TraceDetail`]) stays encoded until something needs it (explaining a
/// rebuild, the critical path, removing stale outputs).
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
///
/// The records stay encoded, as the log holds them: loading indexes each by
/// its key ([`crate::trace_index`]) and a lookup decodes the one it finds.
/// A record whose key reads but whose rest does not decode reads as absent
/// (the action runs again).
#[derive(Default)]
pub struct TraceDb {
    payloads: Payloads,
    /// Completed actions by task.
    traces: KeyIndex,
    /// Sources by path.
    sources: KeyIndex,
    /// Actions started and never completed, by task.
    unfinished: KeyIndex,
}

/// The variant numbers of [`Record`] in its encoding.
const SOURCE: u32 = 0;
const STARTED: u32 = 1;
const TRACE: u32 = 2;
const REMOVED: u32 = 3;
const SOURCE_REMOVED: u32 = 4;

impl TraceDb {
    /// A database over the bytes of a whole log, which
    /// [`TraceDb::index_loaded`] then indexes record by record.
    pub(crate) fn over_log(bytes: LogBytes) -> TraceDb {
        TraceDb {
            payloads: Payloads::new(bytes),
            ..TraceDb::default()
        }
    }

    /// The log given to [`TraceDb::over_log`].
    pub(crate) fn log_bytes(&self) -> &[u8] {
        self.payloads.base()
    }

    /// Makes room for the records of a log holding `counts[v]` records of
    /// variant number `v`.
    pub(crate) fn reserve(&mut self, counts: &[usize]) {
        let count = |v: u32| counts.get(v as usize).copied().unwrap_or(0);
        self.traces.reserve(count(TRACE));
        self.sources.reserve(count(SOURCE));
    }

    /// Indexes the record of `len` bytes at `pos` of the log; false when it
    /// is not one.
    pub(crate) fn index_loaded(&mut self, pos: usize, len: usize) -> bool {
        match self.payloads.base_slot(pos, len) {
            Some(slot) => self.index(slot),
            None => false,
        }
    }

    /// Applies one record.
    pub fn apply(&mut self, record: Record) {
        if let Ok(payload) = postcard::to_stdvec(&record) {
            self.apply_encoded(&payload);
        }
    }

    /// Applies one encoded record; false when it is not one.
    pub(crate) fn apply_encoded(&mut self, payload: &[u8]) -> bool {
        match self.payloads.push(payload) {
            Some(slot) => self.index(slot),
            None => false,
        }
    }

    fn index(&mut self, slot: Slot) -> bool {
        let Some((variant, key)) = self.payloads.key(slot) else {
            return false;
        };
        let p = &self.payloads;
        match variant {
            SOURCE => self.sources.insert(p, key, slot),
            STARTED => self.unfinished.insert(p, key, slot),
            TRACE => {
                if !self.unfinished.is_empty() {
                    self.unfinished.remove(p, key);
                }
                self.traces.insert(p, key, slot);
            }
            REMOVED => {
                if !self.unfinished.is_empty() {
                    self.unfinished.remove(p, key);
                }
                self.traces.remove(p, key);
            }
            SOURCE_REMOVED => self.sources.remove(p, key),
            _ => return false,
        }
        true
    }

    fn decode(&self, slot: Slot) -> Option<Record> {
        postcard::from_bytes(self.payloads.get(slot)).ok()
    }

    /// The trace of `task`.
    pub fn trace(&self, task: &str) -> Option<Trace> {
        self.traces
            .get(&self.payloads, task.as_bytes())
            .and_then(|s| self.decode_trace(s))
    }

    fn decode_trace(&self, slot: Slot) -> Option<Trace> {
        match self.decode(slot)? {
            Record::Trace(t) => Some(t),
            _ => None,
        }
    }

    /// Whether there is a trace of `task` (without decoding it).
    pub fn has_trace(&self, task: &str) -> bool {
        self.traces.get(&self.payloads, task.as_bytes()).is_some()
    }

    /// The record of the source `path`.
    pub fn source(&self, path: &str) -> Option<SourceRecord> {
        match self.decode(self.sources.get(&self.payloads, path.as_bytes())?)? {
            Record::Source(s) => Some(s),
            _ => None,
        }
    }

    /// Every trace, decoded one by one as the iteration goes, in no
    /// particular order.
    pub fn traces(&self) -> impl Iterator<Item = Trace> + '_ {
        self.traces.slots().filter_map(|s| self.decode_trace(s))
    }

    /// The tasks with a trace, in no particular order.
    pub fn traced_tasks(&self) -> impl Iterator<Item = &str> + '_ {
        self.keys(&self.traces)
    }

    /// The paths of the sources recorded, in no particular order.
    pub fn source_paths(&self) -> impl Iterator<Item = &str> + '_ {
        self.keys(&self.sources)
    }

    fn keys<'a>(&'a self, index: &'a KeyIndex) -> impl Iterator<Item = &'a str> + 'a {
        index
            .slots()
            .filter_map(|s| std::str::from_utf8(self.payloads.key(s)?.1).ok())
    }

    /// The actions started and never completed, with their outputs.
    pub fn unfinished(&self) -> Vec<(String, Vec<String>)> {
        self.unfinished
            .slots()
            .filter_map(|s| match self.decode(s)? {
                Record::Started { task, outputs } => Some((task, outputs)),
                _ => None,
            })
            .collect()
    }

    /// The number of records needed to describe the live state.
    pub fn live_records(&self) -> usize {
        self.traces.len() + self.sources.len() + self.unfinished.len()
    }

    /// The encoded records of the live state, for recompaction: sources,
    /// traces, then unfinished actions, each in key order.
    pub(crate) fn live_encoded(&self) -> Vec<&[u8]> {
        let mut out = Vec::with_capacity(self.live_records());
        for index in [&self.sources, &self.traces, &self.unfinished] {
            let mut slots: Vec<(&[u8], Slot)> = index
                .slots()
                .filter_map(|s| self.payloads.key(s).map(|(_, k)| (k, s)))
                .collect();
            slots.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.extend(slots.into_iter().map(|(_, s)| self.payloads.get(s)));
        }
        out
    }

    /// The live state as records: sources, traces, then unfinished
    /// actions, each in key order.
    pub fn to_records(&self) -> Vec<Record> {
        self.live_encoded()
            .into_iter()
            .filter_map(|p| postcard::from_bytes(p).ok())
            .collect()
    }
}

impl std::fmt::Debug for TraceDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceDb")
            .field("bytes", &self.payloads.len())
            .field("traces", &self.traces.len())
            .field("sources", &self.sources.len())
            .field("unfinished", &self.unfinished.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_STAT: FileStat = FileStat {
        size: 0,
        mtime_ns: 0,
        ctime_ns: 0,
        inode: 0,
    };

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
        assert_eq!(
            db.unfinished(),
            vec![("a.cmo".to_string(), vec!["a.cmo".to_string()])]
        );
        db.apply(Record::Trace(trace("a.cmo")));
        assert!(db.unfinished().is_empty());
        let mut t2 = trace("a.cmo");
        t2.duration_ms = 7;
        db.apply(Record::Trace(t2));
        assert_eq!(db.trace("a.cmo").map(|t| t.duration_ms), Some(7));
        db.apply(Record::Removed {
            task: "a.cmo".into(),
        });
        assert_eq!(db.traces().count(), 0);
        assert!(!db.has_trace("a.cmo"));
    }

    #[test]
    fn sources_are_replaced_and_removed() {
        let mut db = TraceDb::default();
        let source = |n: u64| SourceRecord {
            path: "a.ml".into(),
            source_stat: NO_STAT,
            copy_stat: NO_STAT,
            digest: Digest::of_bytes(&n.to_le_bytes()),
        };
        db.apply(Record::Source(source(1)));
        db.apply(Record::Source(source(2)));
        assert_eq!(db.source("a.ml"), Some(source(2)));
        assert_eq!(db.source_paths().collect::<Vec<_>>(), ["a.ml"]);
        db.apply(Record::SourceRemoved {
            path: "a.ml".into(),
        });
        assert_eq!(db.source("a.ml"), None);
        assert_eq!(db.live_records(), 0);
    }

    #[test]
    fn a_started_action_stays_unfinished_until_its_trace() {
        let mut db = TraceDb::default();
        db.apply(Record::Trace(trace("a.cmo")));
        db.apply(Record::Started {
            task: "a.cmo".into(),
            outputs: vec!["a.cmo".into()],
        });
        // The old trace stays, the new run is unfinished.
        assert!(db.has_trace("a.cmo"));
        assert_eq!(db.unfinished().len(), 1);
        assert_eq!(db.live_records(), 2);
        let records = db.to_records();
        assert!(matches!(&records[0], Record::Trace(t) if t.task == "a.cmo"));
        assert!(matches!(&records[1], Record::Started { task, .. } if task == "a.cmo"));
        db.apply(Record::Removed {
            task: "a.cmo".into(),
        });
        assert!(db.unfinished().is_empty() && !db.has_trace("a.cmo"));
    }

    #[test]
    fn every_variant_is_indexed_by_its_key() {
        // The index reads the variant number and the key, not the rest.
        let records = [
            (
                SOURCE,
                Record::Source(SourceRecord {
                    path: "s.ml".into(),
                    source_stat: NO_STAT,
                    copy_stat: NO_STAT,
                    digest: Digest::of_bytes(b"s"),
                }),
            ),
            (
                STARTED,
                Record::Started {
                    task: "t".into(),
                    outputs: vec!["o".into()],
                },
            ),
            (TRACE, Record::Trace(trace("t"))),
            (REMOVED, Record::Removed { task: "t".into() }),
            (
                SOURCE_REMOVED,
                Record::SourceRemoved {
                    path: "s.ml".into(),
                },
            ),
        ];
        for (variant, r) in records {
            let bytes = postcard::to_stdvec(&r).unwrap();
            let key = match &r {
                Record::Source(s) => s.path.as_str(),
                Record::Trace(t) => t.task.as_str(),
                Record::Started { task, .. } | Record::Removed { task } => task.as_str(),
                Record::SourceRemoved { path } => path.as_str(),
            };
            assert_eq!(
                crate::trace_index::key_of(&bytes),
                Some((variant, key.as_bytes())),
                "{r:?}"
            );
        }
    }
}
