//! The store: the build directory on disk.
//!
//! Owns paths inside the build directory, creates parent directories once,
//! writes files atomically (a temporary file renamed over the target, so a
//! reader never sees half a file) and removes outputs.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::digest::FileStat;
use crate::error::{Error, Result};
use crate::target::Target;

/// The build directory.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    made_dirs: Mutex<HashSet<String>>,
    tmp_counter: AtomicU64,
}

impl Store {
    /// A store rooted at `root` (created if needed).
    pub fn open(root: &Path) -> Result<Store> {
        fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
        Ok(Store {
            root: root.to_path_buf(),
            made_dirs: Mutex::new(HashSet::new()),
            tmp_counter: AtomicU64::new(0),
        })
    }

    /// The build directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The absolute path of a target.
    pub fn path(&self, target: &Target) -> PathBuf {
        self.root.join(target.as_str())
    }

    /// Creates the directory that will hold `target`.
    pub fn ensure_parent(&self, target: &Target) -> Result<()> {
        let dir = target.dir();
        if dir.is_empty() {
            return Ok(());
        }
        if let Ok(made) = self.made_dirs.lock()
            && made.contains(dir)
        {
            return Ok(());
        }
        let full = self.root.join(dir);
        fs::create_dir_all(&full).map_err(|e| Error::io(&full, e))?;
        if let Ok(mut made) = self.made_dirs.lock() {
            made.insert(dir.to_string());
        }
        Ok(())
    }

    /// Writes `bytes` to `target` atomically.
    pub fn write_atomic(&self, target: &Target, bytes: &[u8]) -> Result<FileStat> {
        self.ensure_parent(target)?;
        let dest = self.path(target);
        write_atomic(
            &dest,
            bytes,
            self.tmp_counter.fetch_add(1, Ordering::Relaxed),
        )
    }

    /// Removes `target` if it exists.
    pub fn remove(&self, target: &Target) -> Result<()> {
        remove_file_if_exists(&self.path(target))
    }

    /// The stat of a target, `None` if absent.
    pub fn stat(&self, target: &Target) -> Result<Option<FileStat>> {
        let p = self.path(target);
        FileStat::of_path(&p).map_err(|e| Error::io(&p, e))
    }
}

/// Writes a file through a temporary sibling and a rename.
pub fn write_atomic(dest: &Path, bytes: &[u8], unique: u64) -> Result<FileStat> {
    let mut file = AtomicFile::create(dest, unique)?;
    file.out()
        .write_all(bytes)
        .map_err(|e| Error::io(dest, e))?;
    file.commit()
}

/// A file written through a temporary sibling, renamed over its
/// destination once complete ([`AtomicFile::commit`]); dropped before, the
/// sibling is removed and the destination keeps its old content.
pub struct AtomicFile {
    dest: PathBuf,
    tmp: PathBuf,
    out: io::BufWriter<fs::File>,
    committed: bool,
}

impl AtomicFile {
    /// Starts writing `dest` (`unique` tells apart two writers of one
    /// file in one process).
    pub fn create(dest: &Path, unique: u64) -> Result<AtomicFile> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dest.with_file_name(format!(".{name}.{}.{unique}.tmp", std::process::id()));
        let file = fs::File::create(&tmp).map_err(|e| Error::io(dest, e))?;
        Ok(AtomicFile {
            dest: dest.to_path_buf(),
            tmp,
            out: io::BufWriter::with_capacity(1 << 16, file),
            committed: false,
        })
    }

    /// Where to write (buffered; seeking flushes).
    pub fn out(&mut self) -> &mut io::BufWriter<fs::File> {
        &mut self.out
    }

    /// The destination, for error messages.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Flushes and renames the file over its destination.
    pub fn commit(mut self) -> Result<FileStat> {
        let dest = self.dest.clone();
        let mut done = || -> io::Result<FileStat> {
            self.out.flush()?;
            fs::rename(&self.tmp, &self.dest)?;
            self.committed = true;
            Ok(FileStat::of_metadata(&fs::metadata(&self.dest)?))
        };
        done().map_err(|e| Error::io(&dest, e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Removes a file; absence is not an error.
pub fn remove_file_if_exists(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_creates_parents_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let t = Target::new("a/b/c.txt");
        store.write_atomic(&t, b"one").unwrap();
        store.write_atomic(&t, b"two").unwrap();
        assert_eq!(fs::read(store.path(&t)).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(dir.path().join("a/b")).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
        store.remove(&t).unwrap();
        store.remove(&t).unwrap();
        assert_eq!(store.stat(&t).unwrap(), None);
    }
}
