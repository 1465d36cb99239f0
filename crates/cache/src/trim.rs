//! Keeping the cache folder under its size limit, and measuring it.
//!
//! Trimming keeps the entries used most recently (an entry's modification
//! time is refreshed at each hit) while they fit in the goal, counting each
//! content once however many entries share it; every older entry goes, then
//! every content no kept entry names. A content younger than a minute is
//! spared: a build may have just stored it and not yet its entry.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::blob_store::BlobStore;
use crate::entry::Entry;
use crate::error::CacheError;
use crate::usage;

/// What the cache folder holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Action entries.
    pub entries: u64,
    /// Stored contents.
    pub files: u64,
    /// Bytes of both.
    pub bytes: u64,
}

/// What a trim did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrimReport {
    /// Entries deleted.
    pub entries_removed: u64,
    /// Contents deleted.
    pub files_removed: u64,
    /// The folder's size before.
    pub bytes_before: u64,
    /// The folder's size after.
    pub bytes_after: u64,
}

const GRACE: Duration = Duration::from_secs(60);

/// Measures the cache folder at `root` (nothing when it does not exist).
pub fn stats(root: &Path) -> Result<CacheStats, CacheError> {
    let entries = list(&root.join("ac"))?;
    let files = list(&root.join("cas"))?;
    Ok(CacheStats {
        entries: entries.len() as u64,
        files: files.len() as u64,
        bytes: entries.iter().chain(&files).map(|f| f.size).sum(),
    })
}

/// Trims the folder at `root` down to `goal` bytes, holding its lock.
pub fn trim(root: &Path, goal: u64) -> Result<TrimReport, CacheError> {
    let _lock = usage::lock(root)?;
    trim_locked(root, goal)
}

/// [`trim`], for a caller that holds the lock.
pub(crate) fn trim_locked(root: &Path, goal: u64) -> Result<TrimReport, CacheError> {
    let mut entries = list(&root.join("ac"))?;
    let files = list(&root.join("cas"))?;
    let bytes_before: u64 = entries.iter().chain(&files).map(|f| f.size).sum();
    let sizes: std::collections::HashMap<&Path, u64> =
        files.iter().map(|f| (f.path.as_path(), f.size)).collect();
    let blobs = BlobStore::new(root);
    entries.sort_by_key(|e| std::cmp::Reverse(e.modified));
    let mut kept_files: HashSet<PathBuf> = HashSet::new();
    let mut kept_bytes = 0u64;
    let mut full = false;
    let mut report = TrimReport {
        bytes_before,
        ..TrimReport::default()
    };
    for e in &entries {
        let parsed = fs::read(&e.path)
            .ok()
            .and_then(|bytes| Entry::decode(&e.path, &bytes).ok());
        if !full && let Some(entry) = parsed {
            let new: Vec<PathBuf> = entry
                .files()
                .map(|f| blobs.path(&f.digest, f.executable))
                .filter(|p| !kept_files.contains(p))
                .collect();
            let cost = e.size
                + new
                    .iter()
                    .map(|p| sizes.get(p.as_path()).copied().unwrap_or(0))
                    .sum::<u64>();
            if kept_bytes + cost <= goal {
                kept_bytes += cost;
                kept_files.extend(new);
                continue;
            }
            full = true;
        }
        if fs::remove_file(&e.path).is_ok() {
            report.entries_removed += 1;
        }
    }
    let now = SystemTime::now();
    for f in &files {
        let young = now.duration_since(f.changed).unwrap_or_default() < GRACE;
        if kept_files.contains(&f.path) || young {
            continue;
        }
        if fs::remove_file(&f.path).is_ok() {
            report.files_removed += 1;
        }
    }
    for t in list(&root.join("tmp"))? {
        if now.duration_since(t.changed).unwrap_or_default() > Duration::from_secs(3600) {
            let _ = fs::remove_file(&t.path);
        }
    }
    report.bytes_after = stats(root)?.bytes;
    usage::write(root, report.bytes_after)?;
    Ok(report)
}

struct Listed {
    path: PathBuf,
    size: u64,
    modified: SystemTime,
    changed: SystemTime,
}

/// The files one or two levels under `dir` (`ac/ab/…`, `cas/ab/…`).
fn list(dir: &Path) -> Result<Vec<Listed>, CacheError> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0)];
    while let Some((d, depth)) = stack.pop() {
        let read = match fs::read_dir(&d) {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(CacheError::io(&d, e)),
        };
        for item in read {
            let item = item.map_err(|e| CacheError::io(&d, e))?;
            let Ok(meta) = item.metadata() else { continue };
            if meta.is_dir() {
                if depth < 1 {
                    stack.push((item.path(), depth + 1));
                }
                continue;
            }
            use std::os::unix::fs::MetadataExt;
            let changed = SystemTime::UNIX_EPOCH
                + Duration::new(meta.ctime().max(0) as u64, meta.ctime_nsec().max(0) as u32);
            out.push(Listed {
                path: item.path(),
                size: meta.len(),
                modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                changed,
            });
        }
    }
    Ok(out)
}
