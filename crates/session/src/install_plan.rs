//! What `-install` and `-install-file` install ([`InstallPlan`]), decided
//! from the configured project before anything is built.
//!
//! **Which libraries.** With a `build_libs` at the root, its `internal`
//! libraries, each from `dir/name.mllib`, installed in `installdir`. Without
//! one, every `.mllib` of the traversed tree (so not in `_build`, nor in a
//! folder hygiene or `-X` leaves out), in a folder named after it. Each
//! library is one findlib package, named after its install folder's last
//! component (what `ocamlfind` will call it); an `installdir` of `.` (the
//! root itself, where a `META` would name no package) means a folder named
//! after the library.
//!
//! **Which files**, each flat in the library's folder:
//! - `name.cma`, `name.cmxa`, `name.a`, and `name.cmxs` when the compilers
//!   link plugins natively (`natdynlink_supported`);
//! - the `.cmi` and `.cmx` of **every** module of the `.mllib`: the compiler
//!   needs the `.cmi` of each module a public interface mentions, and the
//!   `.cmx` of each module to inline across modules (ocamlfind's
//!   convention: without them, users get warning 58);
//! - the `.mli` and `.cmti` (when `bin_annot` made one) of the **public**
//!   modules only: with a `build_libs`, those of the library's main folder
//!   (the seed's rule: sub-folders hold private modules); without one,
//!   every module;
//! - the C libraries its archives link (`dllib(-lX)`, `cclib(-lX)` and the
//!   flags of the archives' tags naming a `libX.clib` of the project):
//!   `libX.a` with the library, `dllX.so` in `stublibs/` when the install
//!   root has that folder (opam's layout, listed in `ld.conf`), else with
//!   the library, as `ocamlfind install` does;
//! - a generated `META` ([`MetaFile`]).
//!
//! **`requires`**: the findlib packages of the `package(…)` tags on the
//! library's sources and archives (`thread` adds `threads.posix`), then the
//! findlib names of the other installed libraries its sources use
//! (`use_<lib>`), each once, in order.
//!
//! **Programs**: the `.native` and `.byte` targets of the command line,
//! installed without their extension (`main.byte` keeps it when
//! `main.native` is installed too), when `-install-bin-dir` is given or for
//! `-install-file`.

use std::path::Path;

use declare::Declarations;
use engine::Target;
use ocaml::rules::context::RuleContext;
use ocaml::rules::{c_stubs, list_file};

use crate::install_error::InstallError;
use crate::meta_file::MetaFile;
use crate::project_info::ProjectInfo;

/// Where an installed file goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// The library's folder.
    Lib,
    /// `stublibs/` when the install root has it, else the library's folder.
    Stublib,
}

/// One file to install.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstallFile {
    /// The built file, relative to the build folder.
    pub source: String,
    /// Its name once installed.
    pub name: String,
    /// Where it goes.
    pub kind: FileKind,
    /// Whether the build must have made it (a `.cmti` exists only with
    /// `bin_annot`).
    pub needed: bool,
}

/// One library to install.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibraryInstall {
    /// The `.mllib`.
    pub mllib: String,
    /// Its folder under the library root (the findlib package's folder).
    pub install_dir: String,
    /// Its files, but `META`.
    pub files: Vec<InstallFile>,
    /// Its `META`.
    pub meta: MetaFile,
    /// What the build must make for it.
    pub targets: Vec<String>,
}

/// One program to install.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramInstall {
    /// The built program, relative to the build folder.
    pub source: String,
    /// Its name once installed.
    pub name: String,
}

/// Everything an installation writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstallPlan {
    /// The project's name, version and synopsis.
    pub project: ProjectInfo,
    /// The libraries.
    pub libraries: Vec<LibraryInstall>,
    /// The programs.
    pub programs: Vec<ProgramInstall>,
    /// Program targets that will not be installed (no `-install-bin-dir`).
    pub programs_left: Vec<String>,
}

impl InstallPlan {
    /// What the build must make before installing.
    pub fn targets(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in self.libraries.iter().flat_map(|l| &l.targets) {
            if !out.contains(t) {
                out.push(t.clone());
            }
        }
        out
    }
}

/// A library before its files are listed.
struct Chosen {
    name: String,
    mllib: String,
    dir: String,
    install_dir: String,
    /// Whether only the modules of `dir` itself are public.
    main_folder_public: bool,
}

/// The plan of a configured project. `action` names the option in
/// messages; `programs` says whether program targets are installed.
pub fn plan(
    cx: &RuleContext,
    root: &Path,
    declared: &Declarations,
    targets: &[String],
    action: &'static str,
    programs: bool,
) -> Result<InstallPlan, InstallError> {
    let project = ProjectInfo::read(root);
    let chosen = choose_libraries(cx, declared);
    for (i, a) in chosen.iter().enumerate() {
        if let Some(b) = chosen[..i].iter().find(|b| b.install_dir == a.install_dir) {
            return Err(InstallError::SameFolder {
                first: b.mllib.clone(),
                second: a.mllib.clone(),
                dir: a.install_dir.clone(),
            });
        }
    }
    let mut libraries = Vec::new();
    for lib in &chosen {
        libraries.push(library(cx, root, lib, &chosen, &project)?);
    }
    let (mut installed, mut left) = (Vec::new(), Vec::new());
    for t in targets {
        let Some(stem) = t
            .strip_suffix(".native")
            .or_else(|| t.strip_suffix(".byte"))
        else {
            continue;
        };
        if !programs {
            left.push(t.clone());
            continue;
        }
        let base = stem.rsplit('/').next().unwrap_or(stem);
        let native_too =
            t.ends_with(".byte") && targets.iter().any(|o| o == &format!("{stem}.native"));
        let name = if native_too {
            format!("{base}.byte")
        } else {
            base.to_string()
        };
        installed.push(ProgramInstall {
            source: t.clone(),
            name,
        });
    }
    if libraries.is_empty() && installed.is_empty() {
        return Err(InstallError::NothingToInstall { action });
    }
    Ok(InstallPlan {
        project,
        libraries,
        programs: installed,
        programs_left: left,
    })
}

/// The libraries to install: `build_libs`' internal ones, or every
/// `.mllib`.
/// The configuration has already checked that each internal library of
/// `build_libs` has its `.mllib` in the traversed tree.
fn choose_libraries(cx: &RuleContext, declared: &Declarations) -> Vec<Chosen> {
    if let Some(libs) = declared
        .libs
        .as_ref()
        .filter(|l| l.internal().next().is_some())
    {
        return libs
            .internal()
            .map(|lib| Chosen {
                name: lib.name.clone(),
                mllib: lib.mllib(),
                dir: normal_dir(&lib.dir),
                install_dir: match normal_dir(&lib.install_dir) {
                    d if d.is_empty() => lib.name.clone(),
                    d => d,
                },
                main_folder_public: true,
            })
            .collect();
    }
    cx.libraries
        .iter()
        .map(|l| Chosen {
            name: l.name.clone(),
            mllib: l.mllib.clone(),
            dir: l.dir.clone(),
            install_dir: l.name.clone(),
            main_folder_public: false,
        })
        .collect()
}

/// `dir` without `./` and trailing slashes (`.` is the root, `""`).
fn normal_dir(dir: &str) -> String {
    let d = dir.trim_end_matches('/');
    let d = d.strip_prefix("./").unwrap_or(d);
    if d == "." {
        String::new()
    } else {
        d.to_string()
    }
}

/// `dir/file`, or `file` at the root.
fn in_dir(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

/// The findlib name of a library installed in `install_dir`.
fn findlib_name(install_dir: &str) -> String {
    install_dir
        .rsplit('/')
        .next()
        .unwrap_or(install_dir)
        .to_string()
}

/// Lists a library's files and writes its `META`.
fn library(
    cx: &RuleContext,
    root: &Path,
    lib: &Chosen,
    all: &[Chosen],
    project: &ProjectInfo,
) -> Result<LibraryInstall, InstallError> {
    let text =
        std::fs::read_to_string(root.join(&lib.mllib)).map_err(|source| InstallError::Mllib {
            mllib: lib.mllib.clone(),
            source,
        })?;
    let list = Target::new(&lib.mllib);
    let modules = list_file::resolve_entries(cx, &list_file::words(&text), &list)
        .map_err(InstallError::Modules)?;
    let stem = in_dir(&lib.dir, &lib.name);
    let lib_file = |source: String, needed: bool| InstallFile {
        name: source.rsplit('/').next().unwrap_or(&source).to_string(),
        source,
        kind: FileKind::Lib,
        needed,
    };
    let cma = format!("{stem}.cma");
    let cmxa = format!("{stem}.cmxa");
    let mut targets = vec![cma.clone(), cmxa.clone()];
    let mut files = vec![
        lib_file(cma.clone(), true),
        lib_file(cmxa.clone(), true),
        lib_file(format!("{stem}.{}", cx.toolchain.ext_lib()), true),
    ];
    let natdynlink = cx
        .toolchain
        .config
        .get("natdynlink_supported")
        .is_none_or(|v| v == "true");
    let cmxs = natdynlink.then(|| format!("{stem}.cmxs"));
    if let Some(p) = &cmxs {
        targets.push(p.clone());
        files.push(lib_file(p.clone(), true));
    }
    let mut sources: Vec<String> = vec![cma.clone(), cmxa.clone()];
    for m in &modules {
        let public = !lib.main_folder_public || Target::new(&m.stem).dir() == lib.dir;
        files.push(lib_file(format!("{}.cmi", m.stem), true));
        files.push(lib_file(format!("{}.cmx", m.stem), true));
        if public {
            if m.has_mli {
                files.push(lib_file(format!("{}.mli", m.stem), true));
            }
            files.push(lib_file(format!("{}.cmti", m.stem), false));
        }
        sources.push(format!("{}.ml", m.stem));
        sources.push(format!("{}.mli", m.stem));
    }
    for (archive, mode) in [(&cma, "byte"), (&cmxa, "native")] {
        let tags = cx.command_tags(&[archive.as_str()], &["ocaml", "link", mode, "library"]);
        let flags = cx.flags_of(&tags);
        for s in c_stubs::stubs_of_flags(cx, &flags, &lib.dir) {
            let name = s.file_name().to_string();
            if files.iter().any(|f| f.source == s.as_str()) {
                continue;
            }
            targets.push(s.to_string());
            files.push(InstallFile {
                kind: if name.starts_with("lib") {
                    FileKind::Lib
                } else {
                    FileKind::Stublib
                },
                name,
                source: s.to_string(),
                needed: true,
            });
        }
    }
    for (i, f) in files.iter().enumerate() {
        if let Some(g) = files[..i]
            .iter()
            .find(|g| g.name == f.name && g.kind == f.kind)
        {
            return Err(InstallError::SameName {
                first: g.source.clone(),
                second: f.source.clone(),
                name: f.name.clone(),
                dir: lib.install_dir.clone(),
            });
        }
    }
    let mut requires: Vec<String> = Vec::new();
    let mut add = |r: String| {
        if !requires.contains(&r) {
            requires.push(r);
        }
    };
    let mut uses = Vec::new();
    for path in &sources {
        for tag in cx.tagger.tags_of(path).iter() {
            match (tag.name(), tag.param()) {
                (Some("package"), Some(p)) => p
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|p| !p.is_empty())
                    .for_each(|p| add(p.to_string())),
                _ if tag.as_str() == "thread" => add("threads.posix".to_string()),
                _ => {
                    if let Some(used) = tag.as_str().strip_prefix("use_")
                        && used != lib.name
                        && let Some(other) = all.iter().find(|o| o.name == used)
                    {
                        let name = findlib_name(&other.install_dir);
                        if !uses.contains(&name) {
                            uses.push(name);
                        }
                    }
                }
            }
        }
    }
    uses.into_iter().for_each(add);
    let name = findlib_name(&lib.install_dir);
    let meta = MetaFile {
        description: project
            .synopsis
            .clone()
            .unwrap_or_else(|| format!("The {} library of {}", lib.name, project.name)),
        name,
        version: project.version.clone(),
        requires,
        archive_byte: format!("{}.cma", lib.name),
        archive_native: format!("{}.cmxa", lib.name),
        plugin_native: cmxs.map(|_| format!("{}.cmxs", lib.name)),
    };
    Ok(LibraryInstall {
        mllib: lib.mllib.clone(),
        install_dir: lib.install_dir.clone(),
        files,
        meta,
        targets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_normalised_and_name_the_findlib_package() {
        assert_eq!(normal_dir("./lib/"), "lib");
        assert_eq!(normal_dir("."), "");
        assert_eq!(in_dir("", "a.cma"), "a.cma");
        assert_eq!(in_dir("lib", "a.cma"), "lib/a.cma");
        assert_eq!(findlib_name("libs/counter"), "counter");
    }
}
