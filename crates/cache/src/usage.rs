//! The cache folder's size, as a counter kept in the file `usage` under the
//! lock file `lock`: each build adds what it stored, and trimming writes
//! the exact size it measured. Counting is cheaper than walking the folder
//! after every build; the counter may drift (a build killed between
//! storing and counting), and the next trim measures again.

use std::fs;
use std::path::Path;

use crate::error::CacheError;
use crate::file_lock::FileLock;

/// The lock held while the counter changes or the folder is trimmed.
pub(crate) fn lock(root: &Path) -> Result<FileLock, CacheError> {
    fs::create_dir_all(root).map_err(|e| CacheError::io(root, e))?;
    FileLock::acquire(&root.join("lock"))
}

/// The counted size; 0 when never counted.
pub(crate) fn read(root: &Path) -> u64 {
    fs::read_to_string(root.join("usage"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

/// Writes the counter; the caller holds the lock.
pub(crate) fn write(root: &Path, bytes: u64) -> Result<(), CacheError> {
    let path = root.join("usage");
    let tmp = root.join(crate::blob_store::unique_name("usage"));
    fs::write(&tmp, format!("{bytes}\n")).map_err(|e| CacheError::io(&tmp, e))?;
    fs::rename(&tmp, &path).map_err(|e| CacheError::io(&path, e))
}
