//! The bytes of the trace log as loaded at start: the file mapped read-only
//! into memory (no copy; its pages are the page cache's), or read into
//! memory when it cannot be mapped.
//!
//! The mapping is private and never written. It stays valid when the log is
//! recompacted (the new file replaces the old one by rename; the mapping
//! keeps the old one) and when records are appended (past its end). Only
//! bytes before the end of the last whole record are ever read, so cutting a
//! torn tail off the file while it is mapped is safe; a file cut shorter than
//! that by another process during a build would make a later read fault.

use std::fs::File;
use std::io::{self, Read};

/// The loaded bytes of a log.
pub(crate) enum LogBytes {
    /// Read into memory (a test's bytes, or a file that could not be mapped).
    Read(Vec<u8>),
    /// Mapped from the file, read-only and private (`memmap2`).
    Mapped(memmap2::Mmap),
}

impl Default for LogBytes {
    fn default() -> LogBytes {
        LogBytes::Read(Vec::new())
    }
}

impl LogBytes {
    /// The first `len` bytes of `file` (its length): mapped, or read from
    /// its current position when mapping fails.
    pub(crate) fn load(file: &mut File, len: u64) -> io::Result<LogBytes> {
        if let Some(m) = usize::try_from(len).ok().and_then(|n| map(file, n)) {
            return Ok(LogBytes::Mapped(m));
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(LogBytes::Read(bytes))
    }

    /// The bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            LogBytes::Read(v) => v,
            LogBytes::Mapped(m) => m,
        }
    }
}

/// The first `len` bytes of `file`, mapped (pre-faulted, since loading
/// reads them all); `None` for an empty file or when the system refuses.
fn map(file: &File, len: usize) -> Option<memmap2::Mmap> {
    if len == 0 {
        return None;
    }
    // SAFETY: the log is only ever appended to, cut after its last whole
    // record, or replaced by rename, none of which changes the bytes
    // mapped here (see the top of this file); another program cutting it
    // shorter during a build is the one case not covered.
    unsafe {
        memmap2::MmapOptions::new()
            .len(len)
            .populate()
            .map_copy_read_only(file)
    }
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_file_is_mapped_and_an_empty_one_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log");
        std::fs::write(&p, b"hello").unwrap();
        let mut f = File::open(&p).unwrap();
        let bytes = LogBytes::load(&mut f, 5).unwrap();
        assert!(matches!(bytes, LogBytes::Mapped(_)));
        assert_eq!(bytes.as_slice(), b"hello");
        // Appending to the file leaves the mapped bytes as they were.
        let mut w = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        w.write_all(b" world").unwrap();
        assert_eq!(bytes.as_slice(), b"hello");
        let empty = dir.path().join("empty");
        std::fs::write(&empty, b"").unwrap();
        let bytes = LogBytes::load(&mut File::open(&empty).unwrap(), 0).unwrap();
        assert!(bytes.as_slice().is_empty());
    }
}
