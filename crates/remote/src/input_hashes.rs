//! `InputHashes`: the memo of the SHA-256 of input files.
//!
//! The engine knows its inputs by BLAKE3; REAPI wants SHA-256. A `.cmi`
//! read by a thousand compilations must be read and hashed once per build,
//! not a thousand times, so the SHA-256 is memoised by the file's path and
//! what identifies its content: the engine's BLAKE3 digest when the action
//! gives it (files of input groups), else the file's `stat` (size, times,
//! inode), the test the engine itself uses before re-hashing a file.

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use engine::{Digest, FileStat, Target};

use crate::blob_digest::BlobDigest;
use crate::merkle::TreeFile;

/// What identifies a file's content in the memo.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Identity {
    Content(Digest),
    /// Size, modification and change times, inode.
    Stat(u64, i64, i64, u64),
}

type Slot = Arc<Mutex<Option<TreeFile>>>;

/// SHA-256 digests of input files, memoised for the session.
#[derive(Default)]
pub struct InputHashes {
    memo: Mutex<HashMap<(Target, Identity), Slot>>,
    hashed: std::sync::atomic::AtomicU64,
}

impl InputHashes {
    /// An empty memo.
    pub fn new() -> InputHashes {
        InputHashes::default()
    }

    /// The digest and executable bit of `target` in `build_dir`, whose
    /// BLAKE3 digest is `known` when the caller has it.
    pub fn file(
        &self,
        build_dir: &Path,
        target: &Target,
        known: Option<Digest>,
    ) -> std::io::Result<TreeFile> {
        let path = build_dir.join(target.as_str());
        let identity = match known {
            Some(d) => Identity::Content(d),
            None => match FileStat::of_path(&path)? {
                Some(s) => Identity::Stat(s.size, s.mtime_ns, s.ctime_ns, s.inode),
                None => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "no such file",
                    ));
                }
            },
        };
        let slot = {
            let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            memo.entry((target.clone(), identity)).or_default().clone()
        };
        // One thread hashes a file while the others asking for it wait.
        let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(f) = *slot {
            return Ok(f);
        }
        let digest = BlobDigest::of_file(&path)?;
        let mode = std::fs::metadata(&path)?.permissions().mode();
        self.hashed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let f = TreeFile {
            digest,
            executable: mode & 0o111 != 0,
        };
        *slot = Some(f);
        Ok(f)
    }

    /// How many files were read to hash them (for tests).
    pub fn files_hashed(&self) -> u64 {
        self.hashed.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_input_is_hashed_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.cmi"), b"interface").unwrap();
        let memo = InputHashes::new();
        let t = Target::new("a.cmi");
        let blake = Digest::of_bytes(b"interface");
        for _ in 0..1000 {
            let f = memo.file(dir.path(), &t, Some(blake)).unwrap();
            assert_eq!(f.digest, BlobDigest::of_bytes(b"interface"));
            assert!(!f.executable);
        }
        for _ in 0..10 {
            memo.file(dir.path(), &t, None).unwrap();
        }
        assert_eq!(memo.files_hashed(), 2);
    }

    #[test]
    fn a_changed_file_is_hashed_again() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.ml");
        std::fs::write(&p, b"let x = 1").unwrap();
        let memo = InputHashes::new();
        let t = Target::new("x.ml");
        let a = memo.file(dir.path(), &t, None).unwrap();
        std::fs::write(&p, b"let x = 22").unwrap();
        let b = memo.file(dir.path(), &t, None).unwrap();
        assert_ne!(a.digest, b.digest);
        assert!(memo.file(dir.path(), &Target::new("absent"), None).is_err());
    }
}
