//! The trace log: the on-disk form of [`TraceDb`], safe to kill at any instant.
//!
//! Format (little-endian):
//!
//! ```text
//! header:  b"caravan-traces\n\0" (16 bytes), u32 format version
//! record:  u32 payload length, u32 CRC-32 of the payload, payload (postcard-encoded Record)
//! ```
//!
//! Records are only ever appended, each with a single `write` call, so a
//! process killed at any moment leaves at most one torn record at the end. On
//! load, the log is read up to the last whole record with a valid checksum and
//! truncated there; a wrong magic or version discards the whole log (every
//! action reruns, nothing wrong is trusted). Loading checks each frame and
//! reads only the variant and key at the start of its payload: the bytes are
//! kept and a record is decoded when its key is looked up ([`TraceDb`]). The
//! latest record for a task or source wins, so updates are appends; when the
//! file holds more than one and a half times as many records as the live
//! state needs, it is rewritten ("recompacted") from the live records' bytes
//! into a temporary file that replaces it by rename.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::log_bytes::LogBytes;
use crate::trace::{Record, TraceDb};

const MAGIC: &[u8; 16] = b"caravan-traces\n\0";
/// The version of the record encoding; bump on any change to [`Record`].
pub const FORMAT_VERSION: u32 = 4;
const HEADER_LEN: u64 = 20;
const MAX_RECORD: u32 = 64 << 20;

/// An open trace log, appended to during a build.
pub struct TraceLog {
    path: PathBuf,
    file: Mutex<File>,
    records: Mutex<usize>,
}

/// What loading found, for diagnostics.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LoadReport {
    /// Whole records read.
    pub records: usize,
    /// Bytes of a torn or corrupt tail that were cut off.
    pub truncated_bytes: u64,
    /// The log was unreadable (bad magic or version) and was started afresh.
    pub discarded: bool,
}

impl TraceLog {
    /// Opens (or creates) the log at `path` and indexes it.
    pub fn open(path: &Path) -> Result<(TraceLog, TraceDb, LoadReport)> {
        let io_err = |e| Error::io(path, e);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io_err)?;
        let len = file.metadata().map_err(io_err)?.len();
        let bytes = LogBytes::load(&mut file, len).map_err(io_err)?;
        let mut report = LoadReport::default();
        let valid_header = bytes
            .as_slice()
            .get(..20)
            .is_some_and(|h| &h[..16] == MAGIC && h[16..20] == FORMAT_VERSION.to_le_bytes());
        let (db, good_len) = if valid_header {
            let mut db = TraceDb::over_log(bytes);
            let (records, end) = replay(&mut db);
            report.records = records;
            report.truncated_bytes = db.log_bytes().len() as u64 - end;
            (db, end)
        } else {
            report.discarded = !bytes.as_slice().is_empty();
            drop(bytes);
            file.set_len(0).map_err(io_err)?;
            file.seek(SeekFrom::Start(0)).map_err(io_err)?;
            file.write_all(&header()).map_err(io_err)?;
            (TraceDb::default(), HEADER_LEN)
        };
        if report.truncated_bytes > 0 {
            // The bytes stay mapped; none past `good_len` is read again.
            file.set_len(good_len).map_err(io_err)?;
        }
        file.seek(SeekFrom::Start(good_len)).map_err(io_err)?;
        let log = TraceLog {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            records: Mutex::new(report.records),
        };
        Ok((log, db, report))
    }

    /// Appends one record with a single write.
    pub fn append(&self, record: &Record) -> Result<()> {
        self.append_encoded(&encode(record)?)
    }

    /// Appends one encoded record ([`encode`]) with a single write.
    pub fn append_encoded(&self, payload: &[u8]) -> Result<()> {
        let frame = frame(payload);
        let mut file = self
            .file
            .lock()
            .map_err(|_| Error::internal("trace log lock poisoned"))?;
        file.write_all(&frame)
            .map_err(|e| Error::io(&self.path, e))?;
        if let Ok(mut n) = self.records.lock() {
            *n += 1;
        }
        Ok(())
    }

    /// Rewrites the log from the live state when it holds more than one and
    /// a half times the records it needs (and at least `min_records`): every
    /// action that ran left a `Started` record behind, which the next start
    /// would read for nothing.
    pub fn compact_if_needed(&self, db: &TraceDb, min_records: usize) -> Result<bool> {
        let records = self.records.lock().map(|n| *n).unwrap_or(0);
        let live = db.live_records();
        if records < min_records || 2 * records <= 3 * live {
            return Ok(false);
        }
        self.compact(db)?;
        Ok(true)
    }

    /// Rewrites the log from the live state.
    pub fn compact(&self, db: &TraceDb) -> Result<()> {
        let tmp = self.path.with_extension("recompact");
        let io_err = |e| Error::io(&tmp, e);
        let mut buf = header();
        let live = db.live_encoded();
        for payload in &live {
            buf.extend_from_slice(&frame(payload));
        }
        {
            let mut f = File::create(&tmp).map_err(io_err)?;
            f.write_all(&buf).map_err(io_err)?;
            f.sync_all().map_err(io_err)?;
        }
        let mut file = self
            .file
            .lock()
            .map_err(|_| Error::internal("trace log lock poisoned"))?;
        fs::rename(&tmp, &self.path).map_err(|e| Error::io(&self.path, e))?;
        let mut reopened = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(|e| Error::io(&self.path, e))?;
        reopened
            .seek(SeekFrom::End(0))
            .map_err(|e| Error::io(&self.path, e))?;
        *file = reopened;
        if let Ok(mut n) = self.records.lock() {
            *n = live.len();
        }
        Ok(())
    }
}

fn header() -> Vec<u8> {
    let mut h = MAGIC.to_vec();
    h.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    h
}

/// The encoding of a record in the log (and in [`TraceDb`]).
pub fn encode(record: &Record) -> Result<Vec<u8>> {
    postcard::to_stdvec(record)
        .map_err(|e| Error::internal(format!("cannot encode trace record: {e}")))
}

fn frame(payload: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(payload.len() + 8);
    frame.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    frame.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    frame.extend_from_slice(payload);
    frame
}

/// Indexes every whole, valid record of the log `db` holds; returns how
/// many and where they end.
fn replay(db: &mut TraceDb) -> (usize, u64) {
    db.reserve(&count_variants(db.log_bytes()));
    let mut pos = HEADER_LEN as usize;
    let mut count = 0;
    loop {
        let bytes = db.log_bytes();
        let Some(head) = bytes.get(pos..pos + 8) else {
            break;
        };
        let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        let crc = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        if len > MAX_RECORD {
            break;
        }
        let start = pos + 8;
        let end = start + len as usize;
        let Some(payload) = bytes.get(start..end) else {
            break;
        };
        if crc32fast::hash(payload) != crc || !db.index_loaded(start, len as usize) {
            break;
        }
        count += 1;
        pos = end;
    }
    (count, pos as u64)
}

/// How many frames of each of the first variants a log holds (unchecked, a
/// bound to size the index with).
fn count_variants(bytes: &[u8]) -> [usize; 8] {
    let mut counts = [0; 8];
    let mut pos = HEADER_LEN as usize;
    while let Some(head) = bytes.get(pos..pos + 9) {
        let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
        if let Some(n) = counts.get_mut(head[8] as usize) {
            *n += 1;
        }
        pos += 8 + len;
    }
    counts
}

impl std::fmt::Debug for TraceLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceLog")
            .field("path", &self.path)
            .finish()
    }
}

/// Reads a log without modifying it (for the debug dump).
pub fn read_records(path: &Path) -> io::Result<Vec<Record>> {
    let bytes = fs::read(path)?;
    if bytes.len() < HEADER_LEN as usize || &bytes[..16] != MAGIC {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a caravan trace log",
        ));
    }
    let mut out = Vec::new();
    let mut pos = HEADER_LEN as usize;
    while pos + 8 <= bytes.len() {
        let len = u32::from_le_bytes([bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]])
            as usize;
        let end = pos + 8 + len;
        if end > bytes.len() {
            break;
        }
        match postcard::from_bytes::<Record>(&bytes[pos + 8..end]) {
            Ok(r) => out.push(r),
            Err(_) => break,
        }
        pos = end;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Digest;
    use crate::trace::Trace;

    fn trace(task: &str, n: u32) -> Record {
        Record::Trace(Trace {
            task: task.into(),
            action_key: Digest::of_bytes(task.as_bytes()),
            detail: vec![],
            outputs: vec![],
            duration_ms: n,
            value: vec![],
        })
    }

    /// A log at `traces` in a fresh folder, holding `records`.
    fn log_of(records: &[Record]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("traces");
        let (log, _, _) = TraceLog::open(&p).unwrap();
        for r in records {
            log.append(r).unwrap();
        }
        (dir, p)
    }

    #[test]
    fn records_survive_reopen() {
        let (_dir, p) = log_of(&[trace("a", 1), trace("b", 2)]);
        let (_, db, report) = TraceLog::open(&p).unwrap();
        assert_eq!(report.records, 2);
        assert_eq!(db.trace("b").map(|t| t.duration_ms), Some(2));
    }

    #[test]
    fn torn_tail_is_truncated_and_appends_continue() {
        let (_dir, p) = log_of(&[trace("a", 1), trace("b", 2)]);
        let len = fs::metadata(&p).unwrap().len();
        // Cut the last record in the middle, as a kill during write would.
        OpenOptions::new()
            .write(true)
            .open(&p)
            .unwrap()
            .set_len(len - 3)
            .unwrap();
        let (log, db, report) = TraceLog::open(&p).unwrap();
        assert_eq!(report.records, 1);
        assert!(report.truncated_bytes > 0);
        assert!(db.has_trace("a") && !db.has_trace("b"));
        log.append(&trace("c", 3)).unwrap();
        drop(log);
        let (_, db, report) = TraceLog::open(&p).unwrap();
        assert_eq!(report.truncated_bytes, 0);
        assert!(db.has_trace("c"));
    }

    #[test]
    fn corrupt_checksum_stops_replay() {
        let (_dir, p) = log_of(&[trace("a", 1), trace("b", 2)]);
        let mut bytes = fs::read(&p).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        fs::write(&p, &bytes).unwrap();
        let (_, db, _) = TraceLog::open(&p).unwrap();
        assert!(db.has_trace("a") && !db.has_trace("b"));
    }

    #[test]
    fn wrong_version_discards_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("traces");
        fs::write(&p, b"caravan-traces\n\0\x63\0\0\0garbage").unwrap();
        let (_, db, report) = TraceLog::open(&p).unwrap();
        assert!(report.discarded);
        assert_eq!(db.traces().count(), 0);
    }

    #[test]
    fn compaction_keeps_only_live_state() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("traces");
        let (log, mut db, _) = TraceLog::open(&p).unwrap();
        for i in 0..20 {
            let r = trace("a", i);
            log.append(&r).unwrap();
            db.apply(r);
        }
        assert!(log.compact_if_needed(&db, 10).unwrap());
        log.append(&trace("b", 1)).unwrap();
        drop(log);
        let (_, db2, report) = TraceLog::open(&p).unwrap();
        assert_eq!(report.records, 2);
        assert_eq!(db2.trace("a").map(|t| t.duration_ms), Some(19));
    }

    #[test]
    fn latest_record_removal_and_unfinished_survive_reopen() {
        let (_dir, p) = log_of(&[
            trace("a", 1),
            trace("b", 1),
            trace("a", 2),
            Record::Removed { task: "b".into() },
            Record::Started {
                task: "c".into(),
                outputs: vec!["c.o".into()],
            },
            Record::Started {
                task: "a".into(),
                outputs: vec!["a.o".into()],
            },
            trace("a", 3),
        ]);
        let (_, db, report) = TraceLog::open(&p).unwrap();
        assert_eq!(report.records, 7);
        assert_eq!(db.trace("a").map(|t| t.duration_ms), Some(3));
        assert!(!db.has_trace("b"));
        assert_eq!(db.unfinished(), vec![("c".into(), vec!["c.o".into()])]);
        assert_eq!(db.live_records(), 2);
    }

    #[test]
    fn an_appended_record_reads_back_in_the_same_build() {
        let (_dir, p) = log_of(&[trace("a", 1)]);
        let (log, mut db, _) = TraceLog::open(&p).unwrap();
        let payload = encode(&trace("a", 5)).unwrap();
        log.append_encoded(&payload).unwrap();
        assert!(db.apply_encoded(&payload));
        assert_eq!(db.trace("a").map(|t| t.duration_ms), Some(5));
        let payload = encode(&trace("b", 6)).unwrap();
        log.append_encoded(&payload).unwrap();
        assert!(db.apply_encoded(&payload));
        assert_eq!(db.trace("b").map(|t| t.duration_ms), Some(6));
        let mut tasks: Vec<&str> = db.traced_tasks().collect();
        tasks.sort();
        assert_eq!(tasks, ["a", "b"]);
        drop(log);
        let (_, db, _) = TraceLog::open(&p).unwrap();
        assert_eq!(db.trace("a").map(|t| t.duration_ms), Some(5));
        assert_eq!(db.trace("b").map(|t| t.duration_ms), Some(6));
    }

    #[test]
    fn compaction_copies_the_live_records() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("traces");
        let (log, _, _) = TraceLog::open(&p).unwrap();
        for i in 0..20 {
            log.append(&trace(&format!("t{}", i % 4), i)).unwrap();
        }
        log.append(&Record::Removed { task: "t0".into() }).unwrap();
        drop(log);
        let (log, db, _) = TraceLog::open(&p).unwrap();
        let before = db.to_records();
        assert_eq!(before.len(), 3);
        assert!(log.compact_if_needed(&db, 10).unwrap());
        drop(log);
        let (_, db2, report) = TraceLog::open(&p).unwrap();
        assert_eq!(report.records, 3);
        assert_eq!(db2.to_records(), before);
        assert_eq!(db2.trace("t3").map(|t| t.duration_ms), Some(19));
    }
}
