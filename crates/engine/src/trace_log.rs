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
//! action reruns, nothing wrong is trusted). The latest record for a task or
//! source wins, so updates are appends; when the file holds more than one and
//! a half times as many records as the live state needs, it is rewritten
//! ("recompacted") into a temporary file that replaces it by rename.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};
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
    /// Opens (or creates) the log at `path` and replays it.
    pub fn open(path: &Path) -> Result<(TraceLog, TraceDb, LoadReport)> {
        let io_err = |e| Error::io(path, e);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io_err)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io_err)?;
        let mut report = LoadReport::default();
        let mut db = TraceDb::default();
        let valid_header = bytes.len() as u64 >= HEADER_LEN
            && &bytes[..16] == MAGIC
            && bytes[16..20] == FORMAT_VERSION.to_le_bytes();
        let good_len = if valid_header {
            let (records, end) = replay(&bytes, &mut db);
            report.records = records;
            report.truncated_bytes = bytes.len() as u64 - end;
            end
        } else {
            report.discarded = !bytes.is_empty();
            file.set_len(0).map_err(io_err)?;
            file.seek(SeekFrom::Start(0)).map_err(io_err)?;
            file.write_all(&header()).map_err(io_err)?;
            HEADER_LEN
        };
        if report.truncated_bytes > 0 {
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
        let frame = encode(record)?;
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
        let live = db.to_records();
        for r in &live {
            buf.extend_from_slice(&encode(r)?);
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

fn encode(record: &Record) -> Result<Vec<u8>> {
    let payload = postcard::to_stdvec(record)
        .map_err(|e| Error::internal(format!("cannot encode trace record: {e}")))?;
    let mut frame = Vec::with_capacity(payload.len() + 8);
    frame.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    frame.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    frame.extend_from_slice(&payload);
    Ok(frame)
}

/// Applies every whole, valid record; returns how many and where they end.
fn replay(bytes: &[u8], db: &mut TraceDb) -> (usize, u64) {
    let mut pos = HEADER_LEN as usize;
    let mut count = 0;
    while pos + 8 <= bytes.len() {
        let len = u32::from_le_bytes([bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]]);
        let crc = u32::from_le_bytes([
            bytes[pos + 4],
            bytes[pos + 5],
            bytes[pos + 6],
            bytes[pos + 7],
        ]);
        if len > MAX_RECORD {
            break;
        }
        let start = pos + 8;
        let end = start + len as usize;
        if end > bytes.len() {
            break;
        }
        let payload = &bytes[start..end];
        if crc32fast::hash(payload) != crc {
            break;
        }
        match postcard::from_bytes::<Record>(payload) {
            Ok(record) => db.apply(record),
            Err(_) => break,
        }
        count += 1;
        pos = end;
    }
    (count, pos as u64)
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

    #[test]
    fn records_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("traces");
        let (log, _, _) = TraceLog::open(&p).unwrap();
        log.append(&trace("a", 1)).unwrap();
        log.append(&trace("b", 2)).unwrap();
        drop(log);
        let (_, db, report) = TraceLog::open(&p).unwrap();
        assert_eq!(report.records, 2);
        assert_eq!(db.traces["b"].duration_ms, 2);
    }

    #[test]
    fn torn_tail_is_truncated_and_appends_continue() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("traces");
        let (log, _, _) = TraceLog::open(&p).unwrap();
        log.append(&trace("a", 1)).unwrap();
        log.append(&trace("b", 2)).unwrap();
        drop(log);
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
        assert!(db.traces.contains_key("a") && !db.traces.contains_key("b"));
        log.append(&trace("c", 3)).unwrap();
        drop(log);
        let (_, db, report) = TraceLog::open(&p).unwrap();
        assert_eq!(report.truncated_bytes, 0);
        assert!(db.traces.contains_key("c"));
    }

    #[test]
    fn corrupt_checksum_stops_replay() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("traces");
        let (log, _, _) = TraceLog::open(&p).unwrap();
        log.append(&trace("a", 1)).unwrap();
        log.append(&trace("b", 2)).unwrap();
        drop(log);
        let mut bytes = fs::read(&p).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        fs::write(&p, &bytes).unwrap();
        let (_, db, _) = TraceLog::open(&p).unwrap();
        assert!(db.traces.contains_key("a") && !db.traces.contains_key("b"));
    }

    #[test]
    fn wrong_version_discards_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("traces");
        fs::write(&p, b"caravan-traces\n\0\x63\0\0\0garbage").unwrap();
        let (_, db, report) = TraceLog::open(&p).unwrap();
        assert!(report.discarded);
        assert!(db.traces.is_empty());
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
        assert_eq!(db2.traces["a"].duration_ms, 19);
    }
}
