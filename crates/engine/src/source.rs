//! Source files: the files of the project tree that the build reads.
//!
//! The caller decides which files are sources (ocamlbuild's traversal rules
//! live in the OCaml crate) and gives them as a [`SourceTree`]. A target that
//! names a source is produced by *importing* it: the file is copied into the
//! same relative path of the build directory, but only when its content
//! changed, which is known from its stat without reading it.

use std::fs;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashSet;

use crate::digest::{Digest, FileStat};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::target::Target;
use crate::trace::SourceRecord;

/// The set of source files, relative to the source root.
#[derive(Debug, Clone, Default)]
pub struct SourceTree {
    root: PathBuf,
    files: FxHashSet<String>,
}

impl SourceTree {
    /// A tree rooted at `root` holding `files` (relative paths).
    pub fn new(root: &Path, files: impl IntoIterator<Item = String>) -> SourceTree {
        SourceTree {
            root: root.to_path_buf(),
            files: files.into_iter().collect(),
        }
    }

    /// The source root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether `path` is a source file.
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// Every source file.
    pub fn files(&self) -> impl Iterator<Item = &String> {
        self.files.iter()
    }
}

/// The outcome of importing one source.
pub(crate) struct Imported {
    pub digest: Digest,
    /// A new record to append, when anything changed.
    pub record: Option<SourceRecord>,
}

/// Brings `_build/<path>` up to date with the source `path`.
pub(crate) fn import(
    tree: &SourceTree,
    store: &Store,
    target: &Target,
    known: Option<&SourceRecord>,
) -> Result<Imported> {
    let src = tree.root.join(target.as_str());
    let src_stat = FileStat::of_path(&src)
        .map_err(|e| Error::io(&src, e))?
        .ok_or_else(|| Error::SourceVanished { path: src.clone() })?;
    let copy_stat = store.stat(target)?;
    if let Some(k) = known
        && k.source_stat == src_stat
        && copy_stat == Some(k.copy_stat)
    {
        return Ok(Imported {
            digest: k.digest,
            record: None,
        });
    }
    let bytes = fs::read(&src).map_err(|e| Error::io(&src, e))?;
    crate::digest::count_file_hashed();
    let digest = Digest::of_bytes(&bytes);
    if let (Some(k), Some(cs)) = (known, copy_stat) {
        // Touched but not changed, and the copy is the one we wrote.
        if k.digest == digest && cs == k.copy_stat {
            return Ok(Imported {
                digest,
                record: Some(SourceRecord {
                    path: target.as_str().to_string(),
                    source_stat: src_stat,
                    copy_stat: cs,
                    digest,
                }),
            });
        }
    }
    let copy_stat = store.write_atomic(target, &bytes)?;
    Ok(Imported {
        digest,
        record: Some(SourceRecord {
            path: target.as_str().to_string(),
            source_stat: src_stat,
            copy_stat,
            digest,
        }),
    })
}
