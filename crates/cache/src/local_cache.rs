//! `LocalCache`: the engine's [`ActionCache`] on a cache folder of this
//! machine.
//!
//! A hit puts a copy of every file of the entry next to its destination
//! under a temporary name, checks each against its digest, and only then
//! renames them all into place: a miss or a corrupt content leaves the
//! build directory as it was. What a build stored is
//! added to the folder's size once, when the build ends (`flush`: one lock
//! per build, not one per action); past the limit the folder is trimmed
//! to three quarters of it.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use engine::{ActionCache, CacheQuery, Digest, Event, EventSink, Offered, Restored, Target};
use futures::future::BoxFuture;

use crate::blob_store::{BlobStore, unique_name};
use crate::entry::{Entry, EntryFile};
use crate::error::CacheError;
use crate::{trim, usage};

/// The size limit when none is given: 5 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 5 << 30;

/// A cache folder.
#[derive(Debug)]
pub struct LocalCache {
    root: PathBuf,
    blobs: BlobStore,
    max_bytes: u64,
    /// Whether a corrupt content was reported already.
    told_corrupt: AtomicBool,
    /// Whether a failure to read or write the folder was reported already.
    told_failure: AtomicBool,
    /// Bytes stored since the folder's size was last counted.
    stored: AtomicU64,
}

impl LocalCache {
    /// The cache in folder `root` (created when first written), trimmed past
    /// `max_bytes`.
    pub fn new(root: &Path, max_bytes: u64) -> LocalCache {
        LocalCache {
            root: root.to_path_buf(),
            blobs: BlobStore::new(root),
            max_bytes,
            told_corrupt: AtomicBool::new(false),
            told_failure: AtomicBool::new(false),
            stored: AtomicU64::new(0),
        }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn entry_path(&self, key: &Digest) -> PathBuf {
        let hex = key.to_hex();
        self.root.join("ac").join(&hex[..2]).join(hex)
    }

    fn report(&self, query: &CacheQuery<'_>, error: &CacheError) {
        let (flag, message) = match error {
            CacheError::Corrupt { .. } => (
                &self.told_corrupt,
                format!("the local cache held a damaged file, deleted: {error}"),
            ),
            _ => (
                &self.told_failure,
                format!("the local cache at {} failed: {error}", self.root.display()),
            ),
        };
        if !flag.swap(true, Ordering::SeqCst) {
            query.events.event(&Event::Notice {
                message: &message,
                warning: true,
            });
        }
    }

    /// Looks up and restores an entry; `Ok(None)` on a miss.
    fn restore_entry(&self, query: &CacheQuery<'_>) -> Result<Option<Restored>, CacheError> {
        let path = self.entry_path(query.key);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CacheError::io(&path, e)),
        };
        let entry = match Entry::decode(&path, &bytes) {
            Ok(e) => e,
            Err(e) => {
                let _ = fs::remove_file(&path);
                return Err(e);
            }
        };
        let declared: Vec<&Target> = entry.outputs.iter().map(|f| &f.path).collect();
        let wanted: Vec<&Target> = query.action.outputs.iter().collect();
        if declared != wanted {
            // Another action with the same key and other outputs cannot
            // exist (outputs are in the key): a damaged entry.
            let _ = fs::remove_file(&path);
            return Ok(None);
        }
        let mut placed: Vec<(PathBuf, PathBuf)> = Vec::new();
        let mut result = Ok(());
        for file in entry.files() {
            let dest = query.build_dir.join(file.path.as_str());
            match self.blobs.take(&file.digest, file.executable, &dest) {
                Ok(tmp) => placed.push((tmp, dest)),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        if let Err(e) = result {
            for (tmp, _) in &placed {
                let _ = fs::remove_file(tmp);
            }
            // A content trimmed away by another build is a plain miss.
            if let CacheError::Io { source, .. } = &e
                && source.kind() == std::io::ErrorKind::NotFound
            {
                return Ok(None);
            }
            if matches!(e, CacheError::Corrupt { .. }) {
                let _ = fs::remove_file(&path);
            }
            return Err(e);
        }
        for (tmp, dest) in &placed {
            if let Err(e) = fs::rename(tmp, dest) {
                for (t, _) in &placed {
                    let _ = fs::remove_file(t);
                }
                return Err(CacheError::io(dest, e));
            }
        }
        // The entry's time is its last use, for trimming.
        if let Ok(f) = fs::File::options().write(true).open(&path) {
            let _ = f.set_modified(std::time::SystemTime::now());
        }
        Ok(Some(Restored {
            output: entry.printed,
            duration_ms: entry.duration_ms,
            origin: "local cache",
        }))
    }

    /// Stores a run's files and its entry.
    fn store_entry(&self, query: &CacheQuery<'_>, offered: &Offered<'_>) -> Result<(), CacheError> {
        let mut added = 0u64;
        let mut files = |list: &[(Target, Digest)]| -> Result<Vec<EntryFile>, CacheError> {
            let mut out = Vec::with_capacity(list.len());
            for (target, digest) in list {
                let source = query.build_dir.join(target.as_str());
                let meta = fs::metadata(&source).map_err(|e| CacheError::io(&source, e))?;
                let executable = meta.permissions().mode() & 0o111 != 0;
                added += self.blobs.put(&source, digest, executable)?;
                out.push(EntryFile {
                    path: target.clone(),
                    digest: *digest,
                    executable,
                    size: meta.len(),
                });
            }
            Ok(out)
        };
        let entry = Entry {
            duration_ms: offered.duration_ms,
            outputs: files(offered.outputs)?,
            side_outputs: files(offered.side_outputs)?,
            printed: offered.output.to_string(),
        };
        let path = self.entry_path(query.key);
        let dir = path.parent().unwrap_or(&self.root);
        fs::create_dir_all(dir).map_err(|e| CacheError::io(dir, e))?;
        let tmp = dir.join(unique_name("entry"));
        let text = entry.encode();
        fs::write(&tmp, &text).map_err(|e| CacheError::io(&tmp, e))?;
        if let Err(e) = fs::rename(&tmp, &path) {
            let _ = fs::remove_file(&tmp);
            return Err(CacheError::io(&path, e));
        }
        self.stored
            .fetch_add(added + text.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// Adds to the folder's size, trimming it past the limit.
    fn count(&self, bytes: u64) -> Result<(), CacheError> {
        let _lock = usage::lock(&self.root)?;
        let total = usage::read(&self.root) + bytes;
        if total > self.max_bytes {
            trim::trim_locked(&self.root, self.max_bytes / 4 * 3)?;
            return Ok(());
        }
        usage::write(&self.root, total)
    }
}

impl ActionCache for LocalCache {
    fn name(&self) -> &'static str {
        "local cache"
    }

    fn restore<'a>(&'a self, query: CacheQuery<'a>) -> BoxFuture<'a, Option<Restored>> {
        Box::pin(async move {
            match self.restore_entry(&query) {
                Ok(found) => found,
                Err(e) => {
                    self.report(&query, &e);
                    None
                }
            }
        })
    }

    fn store<'a>(&'a self, query: CacheQuery<'a>, offered: Offered<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if let Err(e) = self.store_entry(&query, &offered) {
                self.report(&query, &e);
            }
        })
    }

    fn flush<'a>(&'a self, events: &'a dyn EventSink) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let bytes = self.stored.swap(0, Ordering::Relaxed);
            if bytes == 0 {
                return;
            }
            if let Err(e) = self.count(bytes)
                && !self.told_failure.swap(true, Ordering::SeqCst)
            {
                let message = format!("the local cache at {} failed: {e}", self.root.display());
                events.event(&Event::Notice {
                    message: &message,
                    warning: true,
                });
            }
        })
    }
}
