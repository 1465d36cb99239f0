//! File contents by digest: `cas/<2 hex>/<digest>` (read-only) and
//! `cas/<2 hex>/<digest>.x` (read-only, executable).
//!
//! A content goes in as a copy of the file a command wrote (sharing its
//! blocks where the file system has reflinks), under a temporary name
//! renamed into place. It comes out the same way, into a temporary sibling
//! of its destination that the caller renames once every file of the entry
//! is there and verified.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use engine::Digest;

use crate::error::CacheError;

static UNIQUE: AtomicU64 = AtomicU64::new(0);

/// A name no other thread or process of this machine uses.
pub(crate) fn unique_name(stem: &str) -> String {
    format!(
        ".caravan-{}-{}-{stem}",
        std::process::id(),
        UNIQUE.fetch_add(1, Ordering::Relaxed)
    )
}

/// The contents part of a cache folder.
#[derive(Debug)]
pub(crate) struct BlobStore {
    cas: PathBuf,
    tmp: PathBuf,
}

impl BlobStore {
    pub(crate) fn new(root: &Path) -> BlobStore {
        BlobStore {
            cas: root.join("cas"),
            tmp: root.join("tmp"),
        }
    }

    /// Where a content is kept.
    pub(crate) fn path(&self, digest: &Digest, executable: bool) -> PathBuf {
        let hex = digest.to_hex();
        let name = if executable { format!("{hex}.x") } else { hex };
        self.cas.join(&name[..2]).join(name)
    }

    /// Stores the file at `source`, whose digest is `digest`; returns the
    /// bytes added (0 when the content was already there).
    pub(crate) fn put(
        &self,
        source: &Path,
        digest: &Digest,
        executable: bool,
    ) -> Result<u64, CacheError> {
        let dest = self.path(digest, executable);
        if dest.exists() {
            return Ok(0);
        }
        fs::create_dir_all(&self.tmp).map_err(|e| CacheError::io(&self.tmp, e))?;
        let tmp = self.tmp.join(unique_name("blob"));
        place(source, &tmp)?;
        let mode = if executable { 0o555 } else { 0o444 };
        let result = fs::set_permissions(&tmp, fs::Permissions::from_mode(mode))
            .map_err(|e| CacheError::io(&tmp, e))
            .and_then(|()| {
                let parent = dest.parent().unwrap_or(&self.cas);
                fs::create_dir_all(parent).map_err(|e| CacheError::io(parent, e))
            })
            .and_then(|()| fs::rename(&tmp, &dest).map_err(|e| CacheError::io(&dest, e)));
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        let size = fs::metadata(&dest).map(|m| m.len()).unwrap_or(0);
        Ok(size)
    }

    /// Puts a copy of a content next to `dest`, under a temporary
    /// name that is returned, after checking it has its digest. A content
    /// that does not is deleted from the store ([`CacheError::Corrupt`]).
    pub(crate) fn take(
        &self,
        digest: &Digest,
        executable: bool,
        dest: &Path,
    ) -> Result<PathBuf, CacheError> {
        let blob = self.path(digest, executable);
        let dir = dest.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(|e| CacheError::io(dir, e))?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(unique_name(&name));
        place(&blob, &tmp)?;
        match Digest::of_file(&tmp) {
            Ok(d) if d == *digest => Ok(tmp),
            Ok(_) => {
                let _ = fs::remove_file(&tmp);
                let _ = fs::remove_file(&blob);
                Err(CacheError::Corrupt { path: blob })
            }
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                Err(CacheError::io(&blob, e))
            }
        }
    }
}

/// Makes `to` hold the content of `from`: a copy, whose blocks the kernel
/// shares where the file system has reflinks (`copy_file_range`). Never a
/// hard link: a file of `_build` sharing its inode with the store would
/// change status time whenever another build links or unlinks that
/// content, which a null build reads as a change.
fn place(from: &Path, to: &Path) -> Result<(), CacheError> {
    match fs::copy(from, to) {
        Ok(_) => Ok(()),
        Err(e) => {
            let _ = fs::remove_file(to);
            Err(CacheError::io(from, e))
        }
    }
}
