//! The null-build fast path: when nothing the last successful build read
//! or wrote has changed, stop after checking their stats (see
//! [`engine::null_build_record`]).
//!
//! The record's key covers what the stats do not: the command line (without
//! the arguments after `--`), the project root and build directory, the list
//! of source files, the text of every `_tags` file (and the digest of the
//! plugin's session, when there is a `myocamlbuild.ml`), the toolchain's
//! identity, caravan's own binary, and whether the ppx driver pipeline is
//! on (it changes the commands).

use std::path::{Path, PathBuf};

use engine::{Digest, DigestBuilder, FileStat};
use ocaml::project::Project;

/// Bump when what the record stands for changes.
const KEY_VERSION: u64 = 1;

/// Where the record lives.
pub fn record_path(build_dir: &Path) -> PathBuf {
    engine::state_dir(build_dir).join("null-build")
}

/// The key of this run.
pub fn key(
    args: &[String],
    root: &Path,
    build_dir: &Path,
    project: &Project,
    toolchain_identity: &str,
    tags_fingerprint: &str,
    ppx_driver: bool,
) -> Digest {
    let mut k = DigestBuilder::new("null-build");
    k.u64(KEY_VERSION);
    k.str(env!("CARGO_PKG_VERSION"));
    if let Ok(exe) = std::env::current_exe()
        && let Ok(Some(s)) = FileStat::of_path(&exe)
    {
        k.str(&exe.to_string_lossy())
            .u64(s.size)
            .u64(s.mtime_ns as u64)
            .u64(s.inode);
    }
    let build_args = args.split(|a| a == "--").next().unwrap_or(args);
    k.u64(build_args.len() as u64);
    for a in build_args {
        k.str(a);
    }
    k.str(&root.to_string_lossy())
        .str(&build_dir.to_string_lossy());
    k.str(toolchain_identity).str(tags_fingerprint);
    k.u64(ppx_driver as u64);
    k.u64(project.files.len() as u64);
    for f in &project.files {
        k.str(f);
    }
    for d in &project.include_dirs {
        k.str(d);
    }
    k.finish()
}
