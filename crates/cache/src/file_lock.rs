//! An exclusive `flock` on a file of the cache folder, held while the size
//! counter is updated or the folder trimmed, released by the kernel if the
//! process dies.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;

use crate::error::CacheError;

/// A held lock; dropping it releases the lock.
pub(crate) struct FileLock {
    _file: File,
}

impl FileLock {
    /// Waits for the lock on `path` (created if needed).
    pub(crate) fn acquire(path: &Path) -> Result<FileLock, CacheError> {
        let file = File::options()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| CacheError::io(path, e))?;
        loop {
            // SAFETY: flock only reads the descriptor, which `file` owns.
            let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
            if r == 0 {
                return Ok(FileLock { _file: file });
            }
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(CacheError::io(path, e));
            }
        }
    }
}
