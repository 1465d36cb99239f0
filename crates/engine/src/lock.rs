//! The build lock: one caravan process per build directory at a time.
//!
//! An exclusive `flock` on `<build dir>/.caravan/lock`. The kernel releases it
//! when the process dies, however it dies, so a killed build never leaves a
//! stale lock behind.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::path::Path;

use crate::error::{Error, Result};
use crate::scheduler::state_dir;

/// A held lock; released on drop.
#[derive(Debug)]
pub struct BuildLock {
    _file: File,
}

impl BuildLock {
    /// Takes the lock of `build_dir`, calling `on_wait` once if another
    /// process holds it, then waiting for it.
    pub fn acquire(build_dir: &Path, on_wait: impl FnOnce()) -> Result<BuildLock> {
        let dir = state_dir(build_dir);
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let path = dir.join("lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                on_wait();
                file.lock().map_err(|e| Error::io(&path, e))?;
            }
            Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
        Ok(BuildLock { _file: file })
    }
}
