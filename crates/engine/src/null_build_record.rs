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
//! descriptor), which spares the kernel a walk of the full path per file.
//!
//! Format (text, one entry per line, files grouped under their directory;
//! the header's word `stamp` is the format's old name, kept so that records
//! written before stay valid):
//!
//! ```text
//! caravan-stamp 2 <key hex>
//! D <absolute directory>
//! F <size> <mtime ns> <ctime ns> <inode> <file name>
//! ```

use std::ffi::{CStr, CString};
use std::fs;
use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

use crate::digest::{Digest, FileStat};
use crate::error::Result;
use crate::store::remove_file_if_exists;

const HEADER: &str = "caravan-stamp 2";

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
    let Ok(text) = fs::read_to_string(path) else {
        return RecordCheck::Missing;
    };
    let expected = format!("{HEADER} {}\n", key.to_hex());
    let Some(body) = text.strip_prefix(expected.as_str()) else {
        return RecordCheck::Missing;
    };
    let Some((dirs, entries)) = parse_entries(body) else {
        return RecordCheck::Missing;
    };
    match changed_in(&dirs, &entries, threads) {
        None => RecordCheck::Missing,
        Some(c) if c.is_empty() => RecordCheck::UpToDate,
        Some(c) => RecordCheck::Changed(c),
    }
}

/// Which of `files` no longer have their stat, statted as the record's
/// check does (the persistent graph uses it when there is no record);
/// `None` when a statting thread failed.
pub fn changed_files(files: &[(PathBuf, FileStat)], threads: usize) -> Option<Vec<PathBuf>> {
    let mut sorted: Vec<(String, String, FileStat)> = files
        .iter()
        .filter_map(|(p, s)| {
            let dir = p.parent()?.to_str()?.to_string();
            let name = p.file_name()?.to_str()?.to_string();
            Some((dir, name, *s))
        })
        .collect();
    sorted.sort_unstable_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let mut dirs: Vec<&str> = Vec::new();
    let mut entries = Vec::with_capacity(sorted.len());
    for (dir, name, stat) in &sorted {
        if dirs.last() != Some(&dir.as_str()) {
            dirs.push(dir);
        }
        entries.push(Entry {
            dir: dirs.len() - 1,
            name,
            stat: *stat,
        });
    }
    changed_in(&dirs, &entries, threads)
}

/// The entries whose file changed, statted on `threads` threads.
fn changed_in(dirs: &[&str], entries: &[Entry<'_>], threads: usize) -> Option<Vec<PathBuf>> {
    let threads = threads.clamp(1, 8);
    let chunk = entries.len().div_ceil(threads).max(256);
    std::thread::scope(|scope| {
        let handles: Vec<_> = entries
            .chunks(chunk)
            .map(|part| scope.spawn(move || changed_among(dirs, part)))
            .collect();
        let mut all = Vec::new();
        for h in handles {
            // A thread that panicked knows nothing.
            all.extend(h.join().ok()?);
        }
        Some(all)
    })
}

struct Entry<'a> {
    dir: usize,
    name: &'a str,
    stat: FileStat,
}

/// The directories and entries of the record's body (the lines after the
/// header), in one pass over its bytes: a null build of a large project
/// reads tens of thousands of lines here. `None` when a line is malformed.
fn parse_entries(body: &str) -> Option<(Vec<&str>, Vec<Entry<'_>>)> {
    let mut dirs: Vec<&str> = Vec::new();
    let mut entries: Vec<Entry<'_>> = Vec::with_capacity(body.len() / 48);
    let mut rest = body;
    while !rest.is_empty() {
        let end = rest.find('\n').unwrap_or(rest.len());
        let line = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or("");
        if let Some(dir) = line.strip_prefix("D ") {
            dirs.push(dir);
        } else {
            let fields = line.strip_prefix("F ")?;
            let dir = dirs.len().checked_sub(1)?;
            let (stat, name) = parse_file(fields)?;
            entries.push(Entry { dir, name, stat });
        }
    }
    Some((dirs, entries))
}

/// `<size> <mtime ns> <ctime ns> <inode> <name>`.
fn parse_file(fields: &str) -> Option<(FileStat, &str)> {
    let bytes = fields.as_bytes();
    let mut at = 0;
    let size = unsigned(bytes, &mut at)?;
    let mtime_ns = signed(bytes, &mut at)?;
    let ctime_ns = signed(bytes, &mut at)?;
    let inode = unsigned(bytes, &mut at)?;
    let stat = FileStat {
        size,
        mtime_ns,
        ctime_ns,
        inode,
    };
    Some((stat, fields.get(at..)?))
}

/// The decimal number at `bytes[*at..]` and the space after it, which
/// `*at` moves past.
fn unsigned(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let start = *at;
    let mut n: u64 = 0;
    while let Some(&b) = bytes.get(*at).filter(|b| b.is_ascii_digit()) {
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
        *at += 1;
    }
    if *at == start || bytes.get(*at) != Some(&b' ') {
        return None;
    }
    *at += 1;
    Some(n)
}

/// [`unsigned`], with an optional `-`.
fn signed(bytes: &[u8], at: &mut usize) -> Option<i64> {
    let negative = bytes.get(*at) == Some(&b'-');
    if negative {
        *at += 1;
    }
    let n = i64::try_from(unsigned(bytes, at)?).ok()?;
    Some(if negative { -n } else { n })
}

/// The entries whose file changed, statting relative to directory
/// descriptors opened as needed (a directory gone: all its files).
fn changed_among(dirs: &[&str], entries: &[Entry<'_>]) -> Vec<PathBuf> {
    let mut open: Option<(usize, Option<OwnedFd>)> = None;
    let mut name_buf = Vec::with_capacity(256);
    let mut changed = Vec::new();
    for e in entries {
        if open.as_ref().map(|(d, _)| *d) != Some(e.dir) {
            open = Some((e.dir, open_dir(dirs[e.dir])));
        }
        let fd = open
            .as_ref()
            .and_then(|(_, fd)| fd.as_ref().map(|f| f.as_raw_fd()));
        let same = fd.is_some_and(|fd| stat_at(fd, e.name, &mut name_buf) == Some(e.stat));
        if !same {
            changed.push(Path::new(dirs[e.dir]).join(e.name));
        }
    }
    changed
}

fn open_dir(dir: &str) -> Option<OwnedFd> {
    let c = CString::new(dir).ok()?;
    // SAFETY: `c` is a valid NUL-terminated string.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    // SAFETY: a non-negative return of open(2) is a descriptor we now own.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The stat of `name` in the directory `dirfd` (following symlinks, like
/// [`FileStat::of_path`]); `None` when absent or not a regular file.
/// `buf` holds the NUL-terminated name (reused from call to call).
fn stat_at(dirfd: RawFd, name: &str, buf: &mut Vec<u8>) -> Option<FileStat> {
    buf.clear();
    buf.extend_from_slice(name.as_bytes());
    buf.push(0);
    let c = CStr::from_bytes_with_nul(buf).ok()?;
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `c` is NUL-terminated and `st` is a valid out-pointer.
    let rc = unsafe { libc::fstatat(dirfd, c.as_ptr(), st.as_mut_ptr(), 0) };
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

/// Writes the record atomically; `files` are absolute paths.
pub fn write(path: &Path, key: &Digest, files: &[(PathBuf, FileStat)]) -> Result<()> {
    let mut sorted: Vec<&(PathBuf, FileStat)> = files.iter().collect();
    sorted.sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
    let mut text = Vec::with_capacity(64 + files.len() * 64);
    let _ = writeln!(text, "{HEADER} {}", key.to_hex());
    let mut current: Option<&Path> = None;
    for (p, s) in sorted {
        let (Some(dir), Some(name)) = (p.parent(), p.file_name()) else {
            continue;
        };
        if current != Some(dir) {
            let _ = writeln!(text, "D {}", dir.display());
            current = Some(dir);
        }
        let _ = writeln!(
            text,
            "F {} {} {} {} {}",
            s.size,
            s.mtime_ns,
            s.ctime_ns,
            s.inode,
            name.to_string_lossy()
        );
    }
    crate::store::write_atomic(path, &text, 0).map(|_| ())
}

/// Removes the record (before a build that may change things).
pub fn remove(path: &Path) -> Result<()> {
    remove_file_if_exists(path)
}

/// Whether a path can be written in the record's line format.
pub fn representable(path: &Path) -> bool {
    path.to_str()
        .is_some_and(|s| !s.contains('\n') && !s.contains('\0'))
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

    #[test]
    fn file_lines_parse_back_to_their_stat_and_name() {
        let (stat, name) = parse_file("12 -1500 1700000000123456789 42 a b.ml").unwrap();
        assert_eq!(
            stat,
            FileStat {
                size: 12,
                mtime_ns: -1500,
                ctime_ns: 1_700_000_000_123_456_789,
                inode: 42,
            }
        );
        assert_eq!(name, "a b.ml");
        let (dirs, entries) = parse_entries("D /p\nF 1 2 3 4 x\nD /q\nF 5 6 7 8 y").unwrap();
        assert_eq!(dirs, ["/p", "/q"]);
        assert_eq!(
            entries.iter().map(|e| (e.dir, e.name)).collect::<Vec<_>>(),
            [(0, "x"), (1, "y")]
        );
    }

    #[test]
    fn malformed_lines_make_the_record_stale() {
        for body in [
            "F 1 2 3 4 x\n",                          // no directory yet
            "D /p\nF 1 2 3 x\n",                      // a field missing
            "D /p\nF 1 2 3 4x y\n",                   // no space after a number
            "D /p\nF 99999999999999999999 2 3 4 x\n", // overflow
            "D /p\nG 1 2 3 4 x\n",                    // unknown line
            "D /p\nF -1 2 3 4 x\n",                   // negative size
        ] {
            assert!(parse_entries(body).is_none(), "{body:?}");
        }
    }
}
