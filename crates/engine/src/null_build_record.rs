//! The null-build record: after a successful build, the stat of every file
//! the build read or wrote, under a key that covers everything else it
//! depended on (command line, toolchain, the list of source files).
//!
//! If, at the next start, the key is the same and every file still has its
//! recorded stat, walking the graph would find every action up to date, so
//! the build can stop after a few thousand `stat` calls: no task, no hash,
//! no process. Any difference sends the build down the normal path, which
//! first deletes the record (so an interrupted build never leaves a record
//! that claims more than is true), and is given the list of the files that
//! changed, so that the persistent graph (which watches the same files)
//! need not stat them again.
//!
//! Files are statted relative to their directory (`fstatat` on a directory
//! descriptor), which spares the kernel a walk of the full path per file;
//! threads (the calling one among them) take a few hundred entries at a
//! time until none are left, so that a thread the scheduler holds back on a
//! busy machine leaves its share to the others. The statting is what a
//! check costs: reading the record is one `read`, and the checker works on
//! the bytes as read (no parsing, no allocation per entry: a path is built
//! only for a file that changed).
//!
//! Format (binary, little-endian; written through a temporary file and a
//! rename, in one `write`):
//!
//! ```text
//!  0  16  magic "caravan-nullrec\n"
//! 16   4  version (3)
//! 20   4  CRC-32 of every byte from offset 24 to the end
//! 24   4  D, the number of directories
//! 28   4  N, the number of files
//! 32   4  L, the length of the names block
//! 36  32  key
//! 68  8×D directories: name offset (u32), end (u32): the directory's files
//!         are the entries from the previous directory's end to its own
//!     36×N entries: size (u64), mtime ns (i64), ctime ns (i64), inode
//!         (u64), name offset (u32)
//!     L   names block: the directories' absolute paths and the files'
//!         names, each ended by a NUL byte
//! ```
//!
//! A file's path is its directory's path, `/`, and its name, byte for byte
//! as given to [`write`] (a file at the root has the empty directory). A
//! record of another size, magic, version, key or checksum is no record.

use std::ffi::{CStr, OsStr};
use std::fs;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rustc_hash::FxHashMap;

use crate::digest::{Digest, FileStat};
use crate::error::{Error, Result};
use crate::store::remove_file_if_exists;

const MAGIC: &[u8; 16] = b"caravan-nullrec\n";
const VERSION: u32 = 3;
/// Where the checksummed part starts.
const SUMMED_FROM: usize = 24;
const HEADER_LEN: usize = 68;
const DIR_LEN: usize = 8;
const ENTRY_LEN: usize = 36;
/// The entries a statting thread takes at a time (about half a
/// millisecond of `fstatat`).
const CHUNK: usize = 512;

/// What the record says about the current state.
#[derive(Debug, PartialEq, Eq)]
pub enum RecordCheck {
    /// Same key, every file unchanged: nothing to do.
    UpToDate,
    /// Same key; these files changed (or are gone).
    Changed(Vec<PathBuf>),
    /// No record, another key, or an unreadable one.
    Missing,
}

/// Checks the record at `path` against `key`, statting the files on
/// `threads` threads.
pub fn check(path: &Path, key: &Digest, threads: usize) -> RecordCheck {
    let Ok(bytes) = fs::read(path) else {
        return RecordCheck::Missing;
    };
    let Some(table) = Table::of_record(&bytes, key) else {
        return RecordCheck::Missing;
    };
    match table.changed(threads) {
        None => RecordCheck::Missing,
        Some(c) if c.is_empty() => RecordCheck::UpToDate,
        Some(c) => RecordCheck::Changed(c),
    }
}

/// Which of `files` no longer have their stat, statted as the record's
/// check does (the persistent graph uses it when there is no record);
/// `None` when a statting thread failed or a path cannot be represented.
pub fn changed_files(files: &[(PathBuf, FileStat)], threads: usize) -> Option<Vec<PathBuf>> {
    let bytes = encode(&Digest([0; 32]), files).ok()?;
    Table::of_bytes(&bytes)?.changed(threads)
}

/// Writes the record atomically; `files` are absolute paths. Fails,
/// writing nothing, when one of them is not [`representable`].
pub fn write(path: &Path, key: &Digest, files: &[(PathBuf, FileStat)]) -> Result<()> {
    let mut bytes = encode(key, files)?;
    let crc = crc32fast::hash(&bytes[SUMMED_FROM..]);
    bytes[20..24].copy_from_slice(&crc.to_le_bytes());
    crate::store::write_atomic(path, &bytes, 0).map(|_| ())
}

/// Removes the record (before a build that may change things).
pub fn remove(path: &Path) -> Result<()> {
    remove_file_if_exists(path)
}

/// Whether a path can be written in the record: absolute, with a file
/// name, and no NUL byte.
pub fn representable(path: &Path) -> bool {
    split(path).is_some()
}

/// A path's directory and name (the bytes before and after its last
/// `/`); `None` unless [`representable`].
fn split(path: &Path) -> Option<(&[u8], &[u8])> {
    let bytes = path.as_os_str().as_bytes();
    if bytes.first() != Some(&b'/') || bytes.contains(&0) {
        return None;
    }
    let slash = bytes.iter().rposition(|&b| b == b'/')?;
    let (dir, name) = (&bytes[..slash], &bytes[slash + 1..]);
    (!name.is_empty()).then_some((dir, name))
}

/// The record of `files` under `key`, its checksum left at zero. Files
/// are grouped by directory in the order their directories first appear
/// (one hash lookup per file, no sorting).
fn encode(key: &Digest, files: &[(PathBuf, FileStat)]) -> Result<Vec<u8>> {
    let mut dir_index: FxHashMap<&[u8], u32> = FxHashMap::default();
    let mut dirs: Vec<&[u8]> = Vec::new();
    // Per directory: its files, then the bytes of their names.
    let mut counts: Vec<(usize, usize)> = Vec::new();
    // Per file: its directory, and where its name starts in its path.
    let mut of_file: Vec<(u32, usize)> = Vec::with_capacity(files.len());
    let mut last: Option<(&[u8], u32)> = None;
    for (path, _) in files {
        let Some((dir, name)) = split(path) else {
            return Err(Error::io(
                path.as_path(),
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "cannot be written in the null-build record",
                ),
            ));
        };
        let d = match last {
            Some((l, d)) if l == dir => d,
            _ => {
                let next = dirs.len() as u32;
                let d = *dir_index.entry(dir).or_insert(next);
                if d == next {
                    dirs.push(dir);
                    counts.push((0, 0));
                }
                last = Some((dir, d));
                d
            }
        };
        let c = &mut counts[d as usize];
        c.0 += 1;
        c.1 += name.len() + 1;
        of_file.push((d, dir.len() + 1));
    }
    let dir_names: usize = dirs.iter().map(|d| d.len() + 1).sum();
    let names_len = dir_names + counts.iter().map(|c| c.1).sum::<usize>();
    let too_big = |_| {
        Error::io(
            "null-build record",
            io::Error::new(io::ErrorKind::InvalidInput, "too many files to record"),
        )
    };
    let n = u32::try_from(files.len()).map_err(too_big)?;
    let l = u32::try_from(names_len).map_err(too_big)?;
    let entries_at = HEADER_LEN + DIR_LEN * dirs.len();
    let names_at = entries_at + ENTRY_LEN * files.len();
    let mut bytes = vec![0u8; names_at + names_len];
    bytes[..16].copy_from_slice(MAGIC);
    bytes[16..20].copy_from_slice(&VERSION.to_le_bytes());
    bytes[24..28].copy_from_slice(&(dirs.len() as u32).to_le_bytes());
    bytes[28..32].copy_from_slice(&n.to_le_bytes());
    bytes[32..36].copy_from_slice(&l.to_le_bytes());
    bytes[36..68].copy_from_slice(&key.0);
    // Where each directory's next entry and next name go.
    let mut next: Vec<(usize, usize)> = Vec::with_capacity(dirs.len());
    let (mut entry, mut name_at) = (0, dir_names);
    let mut dir_name_at = 0;
    for (i, (dir, (count, name_bytes))) in dirs.iter().zip(&counts).enumerate() {
        next.push((entry, name_at));
        entry += count;
        name_at += name_bytes;
        let at = HEADER_LEN + DIR_LEN * i;
        bytes[at..at + 4].copy_from_slice(&(dir_name_at as u32).to_le_bytes());
        bytes[at + 4..at + 8].copy_from_slice(&(entry as u32).to_le_bytes());
        bytes[names_at + dir_name_at..][..dir.len()].copy_from_slice(dir);
        dir_name_at += dir.len() + 1;
    }
    for ((path, stat), (d, name_start)) in files.iter().zip(of_file) {
        let name = &path.as_os_str().as_bytes()[name_start..];
        let (entry, name_at) = &mut next[d as usize];
        let at = entries_at + ENTRY_LEN * *entry;
        let e = &mut bytes[at..at + ENTRY_LEN];
        e[0..8].copy_from_slice(&stat.size.to_le_bytes());
        e[8..16].copy_from_slice(&stat.mtime_ns.to_le_bytes());
        e[16..24].copy_from_slice(&stat.ctime_ns.to_le_bytes());
        e[24..32].copy_from_slice(&stat.inode.to_le_bytes());
        e[32..36].copy_from_slice(&(*name_at as u32).to_le_bytes());
        bytes[names_at + *name_at..][..name.len()].copy_from_slice(name);
        *entry += 1;
        *name_at += name.len() + 1;
    }
    Ok(bytes)
}

/// A record's directories, entries and names, read in place.
struct Table<'a> {
    /// Each directory's path and the end of its entries.
    dirs: Vec<(&'a CStr, usize)>,
    entries: &'a [u8],
    names: &'a [u8],
}

impl<'a> Table<'a> {
    /// The table of a record written under `key`; `None` for any other
    /// key, version, or a torn or corrupt record.
    fn of_record(bytes: &'a [u8], key: &Digest) -> Option<Table<'a>> {
        let header = bytes.get(..HEADER_LEN)?;
        if &header[..16] != MAGIC || u32_at(header, 16)? != VERSION || header[36..68] != key.0 {
            return None;
        }
        let table = Table::of_bytes(bytes)?;
        (crc32fast::hash(&bytes[SUMMED_FROM..]) == u32_at(header, 20)?).then_some(table)
    }

    /// The table of a record's bytes, checking only that its parts fit.
    fn of_bytes(bytes: &'a [u8]) -> Option<Table<'a>> {
        let count = |at| u32_at(bytes, at).map(|n| n as usize);
        let (d, n, l) = (count(24)?, count(28)?, count(32)?);
        let entries_at = HEADER_LEN.checked_add(d.checked_mul(DIR_LEN)?)?;
        let names_at = entries_at.checked_add(n.checked_mul(ENTRY_LEN)?)?;
        if names_at.checked_add(l)? != bytes.len() {
            return None;
        }
        let names = &bytes[names_at..];
        if names.last().is_some_and(|&b| b != 0) {
            return None;
        }
        let mut dirs = Vec::with_capacity(d);
        let mut start = 0;
        for i in 0..d {
            let at = HEADER_LEN + DIR_LEN * i;
            let name = name_at(names, u32_at(bytes, at)?)?;
            let end = u32_at(bytes, at + 4)? as usize;
            if end < start || end > n {
                return None;
            }
            dirs.push((name, end));
            start = end;
        }
        (start == n).then_some(Table {
            dirs,
            entries: &bytes[entries_at..names_at],
            names,
        })
    }

    fn len(&self) -> usize {
        self.entries.len() / ENTRY_LEN
    }

    /// The files that changed, in the record's order, statted on
    /// `threads` threads (the calling one among them) that take
    /// [`CHUNK`] entries at a time, so that a thread the scheduler holds
    /// back leaves its share to the others; `None` when a thread failed
    /// or the record is corrupt.
    fn changed(&self, threads: usize) -> Option<Vec<PathBuf>> {
        let n = self.len();
        let chunks = n.div_ceil(CHUNK);
        let next = AtomicUsize::new(0);
        let work = || -> Option<Vec<(usize, Vec<PathBuf>)>> {
            let mut found = Vec::new();
            let mut open = None;
            loop {
                let c = next.fetch_add(1, Ordering::Relaxed);
                if c >= chunks {
                    return Some(found);
                }
                let changed = self.changed_among(c * CHUNK, n.min((c + 1) * CHUNK), &mut open);
                // Past a corrupt entry, the others need not go on.
                let Some(changed) = changed else {
                    next.store(chunks, Ordering::Relaxed);
                    return None;
                };
                if !changed.is_empty() {
                    found.push((c, changed));
                }
            }
        };
        let workers = threads.clamp(1, 8).min(chunks).max(1);
        let mut found = std::thread::scope(|scope| {
            let others: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
            let mut found = work()?;
            for h in others {
                // A thread that panicked knows nothing.
                found.extend(h.join().ok()??);
            }
            Some(found)
        })?;
        found.sort_unstable_by_key(|(c, _)| *c);
        Some(found.into_iter().flat_map(|(_, c)| c).collect())
    }

    /// The entries from `start` to `end` whose file changed, statting
    /// relative to directory descriptors opened as needed (a directory
    /// gone: all its files); `open` keeps the last one from call to call.
    fn changed_among(
        &self,
        start: usize,
        end: usize,
        open: &mut Option<(usize, Option<OwnedFd>)>,
    ) -> Option<Vec<PathBuf>> {
        let mut changed = Vec::new();
        let mut d = self.dirs.partition_point(|(_, e)| *e <= start);
        let mut i = start;
        while i < end {
            let (dir, dir_end) = *self.dirs.get(d)?;
            if open.as_ref().map(|(o, _)| *o) != Some(d) {
                *open = Some((d, open_dir(dir)));
            }
            let fd = open.as_ref().and_then(|(_, fd)| fd.as_ref());
            let stop = dir_end.min(end);
            for e in self
                .entries
                .get(i * ENTRY_LEN..stop * ENTRY_LEN)?
                .chunks_exact(ENTRY_LEN)
            {
                let name = name_at(self.names, u32_at(e, 32)?)?;
                let same =
                    fd.is_some_and(|fd| stat_at(fd.as_raw_fd(), name).is_some_and(|s| same(e, &s)));
                if !same {
                    changed.push(file_path(dir, name));
                }
            }
            i = stop;
            d += 1;
        }
        Some(changed)
    }
}

/// The little-endian `u32` at `bytes[at..]`.
fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// The NUL-ended name at `offset` in the names block.
fn name_at(names: &[u8], offset: u32) -> Option<&CStr> {
    CStr::from_bytes_until_nul(names.get(offset as usize..)?).ok()
}

/// Whether the entry `e` records the stat `s`.
fn same(e: &[u8], s: &FileStat) -> bool {
    e[0..8] == s.size.to_le_bytes()
        && e[8..16] == s.mtime_ns.to_le_bytes()
        && e[16..24] == s.ctime_ns.to_le_bytes()
        && e[24..32] == s.inode.to_le_bytes()
}

/// `dir/name`, byte for byte.
fn file_path(dir: &CStr, name: &CStr) -> PathBuf {
    let (dir, name) = (dir.to_bytes(), name.to_bytes());
    let mut p = Vec::with_capacity(dir.len() + 1 + name.len());
    p.extend_from_slice(dir);
    p.push(b'/');
    p.extend_from_slice(name);
    PathBuf::from(OsStr::from_bytes(&p))
}

/// A descriptor for the directory `dir` (the root for the empty path).
fn open_dir(dir: &CStr) -> Option<OwnedFd> {
    let path = if dir.is_empty() { c"/" } else { dir };
    // SAFETY: `path` is a valid NUL-terminated string.
    let fd = unsafe {
        libc::open(
            path.as_ptr(),
            libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    // SAFETY: a non-negative return of open(2) is a descriptor we now own.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The stat of `name` in the directory `dirfd` (following symlinks, like
/// [`FileStat::of_path`]); `None` when absent or not a regular file.
fn stat_at(dirfd: RawFd, name: &CStr) -> Option<FileStat> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `name` is NUL-terminated and `st` is a valid out-pointer.
    let rc = unsafe { libc::fstatat(dirfd, name.as_ptr(), st.as_mut_ptr(), 0) };
    if rc != 0 {
        return None;
    }
    // SAFETY: fstatat returned 0, so it initialised `st`.
    let st = unsafe { st.assume_init() };
    if st.st_mode & libc::S_IFMT != libc::S_IFREG {
        return None;
    }
    Some(FileStat {
        size: st.st_size as u64,
        mtime_ns: st.st_mtime * 1_000_000_000 + st.st_mtime_nsec,
        ctime_ns: st.st_ctime * 1_000_000_000 + st.st_ctime_nsec,
        inode: st.st_ino,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_files_are_up_to_date_and_any_change_is_stale() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        fs::write(&a, "x").unwrap();
        let record = dir.path().join("null-build");
        let key = Digest::of_bytes(b"k");
        let stat = FileStat::of_path(&a).unwrap().unwrap();
        write(&record, &key, &[(a.clone(), stat)]).unwrap();
        assert_eq!(check(&record, &key, 2), RecordCheck::UpToDate);
        assert_eq!(
            check(&record, &Digest::of_bytes(b"other"), 2),
            RecordCheck::Missing
        );
        fs::write(&a, "yy").unwrap();
        assert_eq!(
            check(&record, &key, 2),
            RecordCheck::Changed(vec![a.clone()])
        );
        fs::remove_file(&a).unwrap();
        assert_eq!(check(&record, &key, 2), RecordCheck::Changed(vec![a]));
        remove(&record).unwrap();
        assert_eq!(check(&record, &key, 2), RecordCheck::Missing);
    }

    #[test]
    fn every_changed_file_is_listed_and_a_vanished_folder_lists_all_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        let files: Vec<PathBuf> = ["a", "b", "c"]
            .iter()
            .map(|n| dir.path().join(n))
            .chain(["x", "y"].iter().map(|n| sub.join(n)))
            .collect();
        for f in &files {
            fs::write(f, "1").unwrap();
        }
        let stats: Vec<(PathBuf, FileStat)> = files
            .iter()
            .map(|f| (f.clone(), FileStat::of_path(f).unwrap().unwrap()))
            .collect();
        let record = dir.path().join("null-build");
        let key = Digest::of_bytes(b"k");
        write(&record, &key, &stats).unwrap();
        fs::write(&files[0], "22").unwrap();
        fs::write(&files[2], "333").unwrap();
        fs::remove_dir_all(&sub).unwrap();
        let RecordCheck::Changed(mut changed) = check(&record, &key, 2) else {
            panic!("changes expected");
        };
        changed.sort();
        let mut expected = vec![
            files[0].clone(),
            files[2].clone(),
            files[3].clone(),
            files[4].clone(),
        ];
        expected.sort();
        assert_eq!(changed, expected);
    }

    /// `n` files in `dirs` (interleaved), with their stats.
    fn files_in(dirs: &[&Path], n: usize) -> Vec<(PathBuf, FileStat)> {
        (0..n)
            .map(|i| {
                let f = dirs[i % dirs.len()].join(format!("f{i}.ml"));
                fs::write(&f, i.to_string()).unwrap();
                let s = FileStat::of_path(&f).unwrap().unwrap();
                (f, s)
            })
            .collect()
    }

    /// Every (path, stat) of a table, in its order.
    fn entries_of(table: &Table<'_>) -> Vec<(PathBuf, FileStat)> {
        let mut out = Vec::new();
        let mut start = 0;
        for (dir, end) in &table.dirs {
            for e in table.entries[start * ENTRY_LEN..end * ENTRY_LEN].chunks_exact(ENTRY_LEN) {
                let name = name_at(table.names, u32_at(e, 32).unwrap()).unwrap();
                let word = |at: usize| e[at..at + 8].try_into().unwrap();
                let stat = FileStat {
                    size: u64::from_le_bytes(word(0)),
                    mtime_ns: i64::from_le_bytes(word(8)),
                    ctime_ns: i64::from_le_bytes(word(16)),
                    inode: u64::from_le_bytes(word(24)),
                };
                out.push((file_path(dir, name), stat));
            }
            start = *end;
        }
        out
    }

    #[test]
    fn a_record_reads_back_every_path_and_stat_grouped_by_directory() {
        let files = vec![
            (
                PathBuf::from("/p/x.ml"),
                stat(1, -1500, 1_700_000_000_123_456_789, 42),
            ),
            (PathBuf::from("/q/y.ml"), stat(2, 3, 4, 5)),
            (
                PathBuf::from("/p/a b.ml"),
                stat(u64::MAX, i64::MIN, i64::MAX, 7),
            ),
            (PathBuf::from("/root-file"), stat(0, 0, 0, 0)),
            (
                PathBuf::from(OsStr::from_bytes(b"/p/\xff\n.ml")),
                stat(9, 9, 9, 9),
            ),
            (PathBuf::from("/a//b/z.ml"), stat(6, 6, 6, 6)),
        ];
        let key = Digest::of_bytes(b"k");
        let bytes = encode(&key, &files).unwrap();
        let table = Table::of_bytes(&bytes).unwrap();
        assert_eq!(table.dirs.len(), 4);
        let expected: Vec<_> = [0, 2, 4, 1, 3, 5]
            .iter()
            .map(|&i| files[i].clone())
            .collect();
        assert_eq!(entries_of(&table), expected);
        // Sealed by `write`, the same bytes pass the record's checks.
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("null-build");
        write(&record, &key, &files).unwrap();
        let written = fs::read(&record).unwrap();
        assert_eq!(written[SUMMED_FROM..], bytes[SUMMED_FROM..]);
        assert_eq!(
            entries_of(&Table::of_record(&written, &key).unwrap()),
            expected
        );
        let empty = encode(&key, &[]).unwrap();
        assert_eq!(Table::of_bytes(&empty).unwrap().len(), 0);
    }

    fn stat(size: u64, mtime_ns: i64, ctime_ns: i64, inode: u64) -> FileStat {
        FileStat {
            size,
            mtime_ns,
            ctime_ns,
            inode,
        }
    }

    #[test]
    fn only_absolute_paths_with_a_name_and_no_nul_are_representable() {
        assert!(representable(Path::new("/a/b.ml")));
        assert!(representable(Path::new("/b.ml")));
        assert!(representable(Path::new(OsStr::from_bytes(b"/a/\xff\n"))));
        assert!(!representable(Path::new("a/b.ml")));
        assert!(!representable(Path::new("/a/")));
        assert!(!representable(Path::new("/")));
        assert!(!representable(Path::new(OsStr::from_bytes(b"/a/b\0c"))));
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("null-build");
        let files = [(PathBuf::from("relative.ml"), stat(1, 1, 1, 1))];
        assert!(write(&record, &Digest::of_bytes(b"k"), &files).is_err());
        assert!(!record.exists());
    }

    #[test]
    fn a_torn_corrupt_or_other_version_record_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let files = files_in(&[dir.path()], 3);
        let record = dir.path().join("null-build");
        let key = Digest::of_bytes(b"k");
        write(&record, &key, &files).unwrap();
        assert_eq!(check(&record, &key, 2), RecordCheck::UpToDate);
        let good = fs::read(&record).unwrap();
        let check_bytes = |bytes: &[u8]| {
            fs::write(&record, bytes).unwrap();
            check(&record, &key, 2)
        };
        // Torn: cut anywhere, or with bytes after its end.
        for len in [0, 10, HEADER_LEN, good.len() / 2, good.len() - 1] {
            assert_eq!(check_bytes(&good[..len]), RecordCheck::Missing, "{len}");
        }
        let mut longer = good.clone();
        longer.push(0);
        assert_eq!(check_bytes(&longer), RecordCheck::Missing);
        // Corrupt: any byte changed, the checksum no longer matches.
        for at in [SUMMED_FROM, HEADER_LEN + 5, good.len() - 2] {
            let mut bad = good.clone();
            bad[at] ^= 1;
            assert_eq!(check_bytes(&bad), RecordCheck::Missing, "{at}");
        }
        // Another version, even with a right checksum.
        let mut other = good.clone();
        other[16..20].copy_from_slice(&(VERSION + 1).to_le_bytes());
        let crc = crc32fast::hash(&other[SUMMED_FROM..]);
        other[20..24].copy_from_slice(&crc.to_le_bytes());
        assert_eq!(check_bytes(&other), RecordCheck::Missing);
        // The text format of version 2.
        let old = format!(
            "caravan-stamp 2 {}\nD {}\nF 1 2 3 4 f0.ml\n",
            key.to_hex(),
            dir.path().display()
        );
        assert_eq!(check_bytes(old.as_bytes()), RecordCheck::Missing);
        assert_eq!(check_bytes(&good), RecordCheck::UpToDate);
    }

    #[test]
    fn a_changed_and_a_deleted_file_are_listed_as_given_on_every_thread_split() {
        let dir = tempfile::tempdir().unwrap();
        let dirs: Vec<PathBuf> = (0..3).map(|i| dir.path().join(format!("d{i}"))).collect();
        for d in &dirs {
            fs::create_dir(d).unwrap();
        }
        let refs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
        let files = files_in(&refs, 3 * CHUNK + 7);
        let record = dir.path().join("null-build");
        let key = Digest::of_bytes(b"k");
        write(&record, &key, &files).unwrap();
        for threads in 1..=4 {
            assert_eq!(check(&record, &key, threads), RecordCheck::UpToDate);
            assert_eq!(changed_files(&files, threads), Some(vec![]));
        }
        let edited = files[CHUNK + 1].0.clone();
        let deleted = files[2 * CHUNK + 5].0.clone();
        fs::write(&edited, "edited").unwrap();
        fs::remove_file(&deleted).unwrap();
        // In the record's order: both are in the first directory.
        let expected = vec![edited, deleted];
        for threads in 1..=4 {
            let RecordCheck::Changed(changed) = check(&record, &key, threads) else {
                panic!("changes expected on {threads} threads");
            };
            assert_eq!(changed, expected, "{threads} threads");
            let listed = changed_files(&files, threads).unwrap();
            assert_eq!(listed, expected, "{threads} threads");
        }
    }
}
