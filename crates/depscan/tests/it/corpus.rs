//! The OCaml compiler's sources, unpacked once from the Debian package
//! `ocaml-source` into the target directory. Shared by the integration
//! tests and the benchmark (`benches/scan.rs`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Where the packaged source tarball is, if installed.
fn find_tarball() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir("/usr/src")
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("ocaml-source-") && n.contains(".tar"))
        })
        .collect();
    found.sort();
    found.pop()
}

fn untar(archive: &Path, into: &Path) -> Result<(), String> {
    let status = Command::new("tar")
        .arg("xf")
        .arg(archive)
        .arg("-C")
        .arg(into)
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("tar failed on {}", archive.display()))
    }
}

/// Finds, under `dir` (two levels at most), a file whose name contains
/// `.tar` (the upstream tarball inside the Debian one).
fn find_inner_tarball(dir: &Path) -> Option<PathBuf> {
    for entry in fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_file() && name.contains(".tar") {
            return Some(path);
        }
        if path.is_dir() {
            for inner in fs::read_dir(&path).ok()?.flatten() {
                let name = inner.file_name().to_string_lossy().into_owned();
                if inner.path().is_file() && name.contains(".tar") {
                    return Some(inner.path());
                }
            }
        }
    }
    None
}

/// The root of the unpacked compiler sources (a directory holding
/// `parsing/depend.ml`), unpacking them on first use; panics when they
/// cannot be had.
pub fn compiler_sources() -> PathBuf {
    find_compiler_sources().unwrap_or_else(|err| panic!("{err}"))
}

/// The root of the unpacked compiler sources, unpacking them on first use,
/// or why they cannot be had. Safe when several tests (or test processes)
/// ask at once: each unpacks into its own directory, and the first to
/// finish renames it into place.
pub fn find_compiler_sources() -> Result<PathBuf, String> {
    static ROOT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    ROOT.get_or_init(unpack_compiler_sources).clone()
}

fn unpack_compiler_sources() -> Result<PathBuf, String> {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let cache = base.join("depscan-ocaml-sources");
    if cache.join(MARKER).exists()
        && let Some(root) = find_root(&cache)
    {
        return Ok(root);
    }
    let tarball = find_tarball().ok_or(
        "the OCaml sources are needed: no /usr/src/ocaml-source-*.tar*; \
         install them with `apt-get install ocaml-source`",
    )?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let work = base.join(format!(
        "depscan-ocaml-sources.{}-{nanos}",
        std::process::id()
    ));
    fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    untar(&tarball, &work)?;
    if find_root(&work).is_none() {
        let inner = find_inner_tarball(&work)
            .ok_or_else(|| format!("no OCaml sources in {}", tarball.display()))?;
        untar(&inner, &work)?;
    }
    fs::write(work.join(MARKER), b"").map_err(|e| format!("cannot write the marker file: {e}"))?;
    if cache.exists() && !cache.join(MARKER).exists() {
        // Left over by an interrupted run.
        let _ = fs::remove_dir_all(&cache);
    }
    if fs::rename(&work, &cache).is_err() {
        // Another process got there first.
        let _ = fs::remove_dir_all(&work);
    }
    find_root(&cache).ok_or_else(|| format!("no parsing/depend.ml under {}", cache.display()))
}

/// Written once the sources are completely unpacked.
const MARKER: &str = "unpacked.ok";

/// The directory under `dir` (two levels at most) with `parsing/depend.ml`.
fn find_root(dir: &Path) -> Option<PathBuf> {
    let mut candidates = vec![dir.to_path_buf()];
    for entry in fs::read_dir(dir).ok()?.flatten() {
        if entry.path().is_dir() {
            candidates.push(entry.path());
            for inner in fs::read_dir(entry.path()).ok()?.flatten() {
                candidates.push(inner.path());
            }
        }
    }
    candidates
        .into_iter()
        .find(|c| c.join("parsing").join("depend.ml").is_file())
}

pub use crate::source_tree::ocaml_files;
