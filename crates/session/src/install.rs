//! Installing a built project ([`install`]) and removing what was installed
//! ([`uninstall`]).
//!
//! An installation checks that every needed file was built, records in the
//! manifest ([`InstallManifest`]) what it is about to write (with what the
//! previous installation wrote, so that an interrupted one can still be
//! uninstalled), creates the folders, copies each file under a temporary
//! name then renames it (a reader of the install root sees the old file or
//! the new one, never half of one), writes each `META`, removes the files
//! of the previous installation that this one did not write (and the
//! folders it had created, when empty), and records what it wrote.
//!
//! An uninstallation removes the files of the manifest, the manifest, then
//! the folders the installation created, children first, when empty: a file
//! the user put there keeps its folder.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::install_error::InstallError;
use crate::install_manifest::{InstallManifest, MANIFEST_DIR};
use crate::install_plan::{FileKind, InstallPlan};

/// Where an installation writes.
#[derive(Clone, Debug)]
pub struct Destination {
    /// The install root (`-install DIR`): the manifest lives there.
    pub root: PathBuf,
    /// Where the libraries' folders go (`-install-lib-dir`, else the root).
    pub lib_root: PathBuf,
    /// Where the programs go (`-install-bin-dir`).
    pub bin_root: Option<PathBuf>,
}

/// What an installation or uninstallation did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstallSummary {
    /// Libraries installed (their findlib names).
    pub libraries: Vec<String>,
    /// Programs installed.
    pub programs: usize,
    /// Files written, or removed.
    pub files: usize,
    /// Files of a previous installation removed.
    pub stale: usize,
    /// `dll*.so` written in a library's folder: bytecode programs find
    /// them through `CAML_LD_LIBRARY_PATH` (or `ld.conf`).
    pub dll_folders: Vec<PathBuf>,
}

/// Checks, before building, that the installation can write in `dest`:
/// the nearest existing folder of each destination accepts a file.
pub fn check_writable(dest: &Destination) -> Result<(), InstallError> {
    let mut dirs = vec![dest.root.clone(), dest.lib_root.clone()];
    dirs.extend(dest.bin_root.clone());
    for dir in dirs {
        let mut existing = dir.as_path();
        while !existing.is_dir() {
            match existing.parent() {
                Some(p) => existing = p,
                None => break,
            }
        }
        let probe = existing.join(format!(".caravan-install-probe-{}", std::process::id()));
        match std::fs::File::create(&probe) {
            Ok(_) => {
                let _ = std::fs::remove_file(&probe);
            }
            Err(source) => {
                return Err(InstallError::NotWritable {
                    dir: existing.to_path_buf(),
                    source,
                });
            }
        }
    }
    Ok(())
}

/// One file to write: from the build folder (`Some`) or generated text.
struct Write {
    dest: PathBuf,
    from: Source,
}

enum Source {
    Built(PathBuf),
    Text(String),
}

/// Installs the built files of `plan` from `build_dir` into `dest`.
pub fn install(
    plan: &InstallPlan,
    build_dir: &Path,
    dest: &Destination,
) -> Result<InstallSummary, InstallError> {
    let stublibs = dest.lib_root.join("stublibs");
    let stublibs_exists = stublibs.is_dir();
    let mut writes: Vec<Write> = Vec::new();
    let mut summary = InstallSummary::default();
    for lib in &plan.libraries {
        let folder = dest.lib_root.join(&lib.install_dir);
        for f in &lib.files {
            let source = build_dir.join(&f.source);
            if !source.is_file() {
                if f.needed {
                    return Err(InstallError::NotBuilt(source));
                }
                continue;
            }
            let target_dir = match f.kind {
                FileKind::Stublib if stublibs_exists => stublibs.clone(),
                FileKind::Stublib => {
                    if !summary.dll_folders.contains(&folder) {
                        summary.dll_folders.push(folder.clone());
                    }
                    folder.clone()
                }
                FileKind::Lib => folder.clone(),
            };
            writes.push(Write {
                dest: target_dir.join(&f.name),
                from: Source::Built(source),
            });
        }
        writes.push(Write {
            dest: folder.join("META"),
            from: Source::Text(lib.meta.render()),
        });
        summary.libraries.push(lib.meta.name.clone());
    }
    if let Some(bin) = &dest.bin_root {
        for p in &plan.programs {
            let source = build_dir.join(&p.source);
            if !source.is_file() {
                return Err(InstallError::NotBuilt(source));
            }
            writes.push(Write {
                dest: bin.join(&p.name),
                from: Source::Built(source),
            });
            summary.programs += 1;
        }
    }
    let manifest_path = InstallManifest::path(&dest.root, &plan.project.name);
    let previous = InstallManifest::read(&manifest_path)?.unwrap_or_default();
    // The folders to create, parents first.
    let mut folders: BTreeSet<PathBuf> = BTreeSet::new();
    folders.insert(dest.root.join(MANIFEST_DIR));
    for w in &writes {
        if let Some(parent) = w.dest.parent() {
            folders.insert(parent.to_path_buf());
        }
    }
    let mut created = Vec::new();
    for f in &folders {
        for ancestor in f.ancestors().collect::<Vec<_>>().into_iter().rev() {
            if !ancestor.is_dir() && !created.iter().any(|c: &PathBuf| c == ancestor) {
                created.push(ancestor.to_path_buf());
            }
        }
    }
    let planned = InstallManifest {
        dirs: created.clone(),
        files: writes.iter().map(|w| w.dest.clone()).collect(),
    };
    create_dirs(&created)?;
    previous.union(&planned).write(&manifest_path)?;
    for w in &writes {
        write_atomically(w)?;
    }
    summary.files = writes.len();
    // What the previous installation wrote and this one did not.
    for old in &previous.files {
        if !planned.files.contains(old) && remove_file(old)? {
            summary.stale += 1;
        }
    }
    let mut dirs = previous.union(&planned).dirs;
    remove_empty_dirs(&dirs, &folders);
    dirs.retain(|d| d.is_dir());
    InstallManifest {
        dirs,
        files: planned.files,
    }
    .write(&manifest_path)?;
    Ok(summary)
}

/// Creates `dirs` (parents first).
fn create_dirs(dirs: &[PathBuf]) -> Result<(), InstallError> {
    for d in dirs {
        if let Err(source) = std::fs::create_dir(d)
            && !d.is_dir()
        {
            return Err(if source.kind() == std::io::ErrorKind::PermissionDenied {
                InstallError::NotWritable {
                    dir: d.parent().unwrap_or(d).to_path_buf(),
                    source,
                }
            } else {
                InstallError::io("cannot create", d, source)
            });
        }
    }
    Ok(())
}

/// Writes one file under a temporary name, then renames it.
fn write_atomically(w: &Write) -> Result<(), InstallError> {
    let name = w
        .dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = w
        .dest
        .with_file_name(format!(".{name}.caravan-{}.tmp", std::process::id()));
    let written = match &w.from {
        Source::Built(from) => std::fs::copy(from, &tmp).map(|_| ()),
        Source::Text(text) => std::fs::write(&tmp, text),
    };
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        let error = if e.kind() == std::io::ErrorKind::PermissionDenied {
            InstallError::NotWritable {
                dir: w.dest.parent().unwrap_or(&w.dest).to_path_buf(),
                source: e,
            }
        } else {
            InstallError::io("cannot write", &w.dest, e)
        };
        return Err(error);
    }
    std::fs::rename(&tmp, &w.dest).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        InstallError::io("cannot write", &w.dest, e)
    })
}

/// Removes a file; `false` when it was already gone.
fn remove_file(path: &Path) -> Result<bool, InstallError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(InstallError::io("cannot remove", path, e)),
    }
}

/// Removes the folders of `dirs` that are empty and not in `keep`,
/// children first.
fn remove_empty_dirs(dirs: &[PathBuf], keep: &BTreeSet<PathBuf>) {
    let mut sorted: Vec<&PathBuf> = dirs.iter().collect();
    sorted.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in sorted {
        if keep.iter().any(|k| k.starts_with(d)) {
            continue;
        }
        // A folder that is not empty (or is gone) stays as it is.
        let _ = std::fs::remove_dir(d);
    }
}

/// Removes what the installation of `project` under `root` wrote.
pub fn uninstall(root: &Path, project: &str) -> Result<InstallSummary, InstallError> {
    let manifest_path = InstallManifest::path(root, project);
    let Some(manifest) = InstallManifest::read(&manifest_path)? else {
        return Err(InstallError::NoManifest {
            dir: root.to_path_buf(),
            project: project.to_string(),
            manifest: manifest_path,
        });
    };
    let mut summary = InstallSummary::default();
    for f in &manifest.files {
        if remove_file(f)? {
            summary.files += 1;
        }
    }
    remove_file(&manifest_path)?;
    remove_empty_dirs(&manifest.dirs, &BTreeSet::new());
    Ok(summary)
}

/// `-uninstall DIR` run from `project_root`: removes what `-install DIR`
/// wrote there, and says so.
pub fn uninstall_request(
    request: &crate::Request,
    project_root: &Path,
) -> Result<(), crate::Error> {
    let root = request
        .install
        .root(project_root, request.install_root.as_deref())?
        .ok_or_else(|| crate::Error::Internal("Internal error: -uninstall without DIR".into()))?;
    let project = crate::project_info::ProjectInfo::read(project_root);
    let summary = uninstall(&root, &project.name)?;
    println!(
        "caravan: uninstalled {} from {}: {} files removed.",
        project.name,
        root.display(),
        summary.files
    );
    Ok(())
}

/// After a successful build: installs `plan` as `request` says
/// (`-install DIR` or `-install-file`), and says what was done.
pub fn finish(
    plan: &InstallPlan,
    request: &crate::Request,
    root: &Path,
    build_dir: &Path,
) -> Result<(), crate::Error> {
    for p in &plan.programs_left {
        println!("caravan: {p} is built but not installed (no -install-bin-dir).");
    }
    let Some(dest) = destination(request, root)? else {
        let path = crate::opam_install_file::write(plan, root, build_dir)?;
        println!("caravan: wrote {}.", path.display());
        return Ok(());
    };
    let summary = install(plan, build_dir, &dest)?;
    println!(
        "caravan: installed {} in {}: {} files{}{}.",
        if summary.libraries.is_empty() {
            "no library".to_string()
        } else {
            summary.libraries.join(", ")
        },
        dest.lib_root.display(),
        summary.files,
        match summary.programs {
            0 => String::new(),
            n => format!(
                ", {n} program{} in {}",
                if n == 1 { "" } else { "s" },
                dest.bin_root.as_deref().unwrap_or(&dest.lib_root).display()
            ),
        },
        match summary.stale {
            0 => String::new(),
            n => format!(", {n} files of the previous installation removed"),
        }
    );
    for d in &summary.dll_folders {
        println!(
            "caravan: bytecode programs load the C stubs of {} from there: add it to \
             CAML_LD_LIBRARY_PATH (or to ld.conf), as after ocamlfind install.",
            d.display()
        );
    }
    Ok(())
}

/// The destination of `-install DIR`; `None` for `-install-file`.
pub fn destination(
    request: &crate::Request,
    root: &Path,
) -> Result<Option<Destination>, crate::Error> {
    let install = &request.install;
    let Some(dir) = install.root(root, request.install_root.as_deref())? else {
        return Ok(None);
    };
    Ok(Some(Destination {
        lib_root: install.lib_root(root, &dir),
        bin_root: install.bin_root(root),
        root: dir,
    }))
}
