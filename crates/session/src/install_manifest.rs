//! The record of one installation: every file `-install DIR` wrote and
//! every folder it created, so that `-uninstall DIR` removes exactly those
//! and a new installation removes what the previous one wrote and no longer
//! does.
//!
//! It lives in `DIR/.caravan-install/<project>.manifest` (one per project,
//! so that projects can share an install root), and is written whole under
//! a temporary name then renamed, so a reader sees the old or the new
//! record, never a torn one. Format, one entry a line, paths absolute (the
//! bytes of the path; a path holding a newline is refused):
//!
//! ```text
//! caravan-install-manifest 1
//! dir /abs/folder/the/installation/created
//! file /abs/file/it/wrote
//! ```
//!
//! Folders are listed parents first; uninstalling removes the files, then
//! the folders children first, each only if empty.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::install_error::InstallError;

/// The first line of a manifest.
const MAGIC: &str = "caravan-install-manifest 1";

/// The folder of the manifests, under the install root.
pub const MANIFEST_DIR: &str = ".caravan-install";

/// What one installation wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstallManifest {
    /// The folders it created, parents first.
    pub dirs: Vec<PathBuf>,
    /// The files it wrote.
    pub files: Vec<PathBuf>,
}

impl InstallManifest {
    /// Where the manifest of `project` under `root` is.
    pub fn path(root: &Path, project: &str) -> PathBuf {
        root.join(MANIFEST_DIR).join(format!("{project}.manifest"))
    }

    /// Reads the manifest at `path`; `None` when there is none.
    pub fn read(path: &Path) -> Result<Option<InstallManifest>, InstallError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(InstallError::io("cannot read", path, e)),
        };
        let bad = |line: usize, problem: &str| InstallError::BadManifest {
            path: path.to_path_buf(),
            line,
            problem: problem.to_string(),
        };
        let mut lines = bytes.split(|b| *b == b'\n');
        if lines.next() != Some(MAGIC.as_bytes()) {
            return Err(bad(1, &format!("the first line is not `{MAGIC}`")));
        }
        let mut manifest = InstallManifest::default();
        for (i, line) in lines.enumerate() {
            if line.is_empty() {
                continue;
            }
            let (list, rest) = if let Some(rest) = line.strip_prefix(b"dir ") {
                (&mut manifest.dirs, rest)
            } else if let Some(rest) = line.strip_prefix(b"file ") {
                (&mut manifest.files, rest)
            } else {
                return Err(bad(i + 2, "a line is `dir PATH` or `file PATH`"));
            };
            let p = PathBuf::from(OsStr::from_bytes(rest));
            if !p.is_absolute() {
                return Err(bad(i + 2, "the path is not absolute"));
            }
            list.push(p);
        }
        Ok(Some(manifest))
    }

    /// Writes the manifest at `path` (temporary name, then renamed).
    pub fn write(&self, path: &Path) -> Result<(), InstallError> {
        let mut text: Vec<u8> = format!("{MAGIC}\n").into_bytes();
        for (kind, list) in [("dir ", &self.dirs), ("file ", &self.files)] {
            for p in list {
                let bytes = p.as_os_str().as_bytes();
                if bytes.contains(&b'\n') {
                    return Err(InstallError::io(
                        "cannot record",
                        p,
                        std::io::Error::other("the path holds a newline"),
                    ));
                }
                text.extend_from_slice(kind.as_bytes());
                text.extend_from_slice(bytes);
                text.push(b'\n');
            }
        }
        let tmp = path.with_extension("manifest.tmp");
        std::fs::write(&tmp, &text).map_err(|e| InstallError::io("cannot write", &tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| InstallError::io("cannot write", path, e))
    }

    /// This manifest with `other`'s entries added (each once).
    pub fn union(&self, other: &InstallManifest) -> InstallManifest {
        let mut out = self.clone();
        for d in &other.dirs {
            if !out.dirs.contains(d) {
                out.dirs.push(d.clone());
            }
        }
        for f in &other.files {
            if !out.files.contains(f) {
                out.files.push(f.clone());
            }
        }
        out.dirs.sort_by_key(|d| d.components().count());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_what_was_written_and_refuses_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.manifest");
        assert_eq!(InstallManifest::read(&path).unwrap(), None);
        let m = InstallManifest {
            dirs: vec!["/d/lib".into(), "/d/lib/x y".into()],
            files: vec!["/d/lib/x y/META".into()],
        };
        m.write(&path).unwrap();
        assert_eq!(InstallManifest::read(&path).unwrap(), Some(m.clone()));
        let u = m.union(&InstallManifest {
            dirs: vec!["/d".into()],
            files: vec!["/d/lib/x y/META".into(), "/d/b".into()],
        });
        assert_eq!(u.dirs[0], Path::new("/d"));
        assert_eq!(u.files.len(), 2);
        std::fs::write(&path, "something else\n").unwrap();
        let e = InstallManifest::read(&path).unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
        std::fs::write(&path, format!("{MAGIC}\nfile relative\n")).unwrap();
        let e = InstallManifest::read(&path).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("not absolute"), "{e}");
    }
}
