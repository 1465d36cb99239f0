//! Module resolution: which source file holds module `M`, seen from a file
//! in directory `D`.
//!
//! As in ocamlbuild, the candidates are, for each include directory of `D`
//! (`D` itself first, then the global include directories), `dir/m.*` then
//! `dir/M.*`; the first that can be built wins. caravan then also looks in
//! every other traversed directory (in path order), except for modules of
//! the standard library, so that `caravan -r main.native` (or a bare `_tags`)
//! finds modules in sub-folders without `include` tags. A module found
//! nowhere is external (the standard library or an installed library) and
//! the compiler has the last word.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::module_name::{capitalize, uncapitalize};
use crate::project::Project;

/// The source files that can hold a module's interface or implementation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleSource {
    /// The path without extension (`lib/util`).
    pub stem: String,
    /// Whether an `.mli` exists.
    pub has_mli: bool,
    /// Whether an `.ml` exists.
    pub has_ml: bool,
}

impl ModuleSource {
    /// The directory of the module (`""` at the root).
    pub fn dir(&self) -> &str {
        match self.stem.rfind('/') {
            Some(i) => &self.stem[..i],
            None => "",
        }
    }
}

/// Resolves module names to sources.
#[derive(Debug)]
pub struct Resolver {
    files: HashSet<String>,
    include_dirs: Vec<String>,
    other_dirs: Vec<String>,
    stdlib_dir: PathBuf,
    stdlib_modules: OnceLock<BTreeSet<String>>,
}

impl Resolver {
    /// A resolver over the project's files.
    pub fn new(project: &Project, stdlib_dir: PathBuf) -> Resolver {
        let mut other_dirs: Vec<String> = if project.recursive {
            project
                .dirs
                .iter()
                .filter(|d| !project.include_dirs.contains(d))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        other_dirs.sort();
        Resolver {
            files: project.files.iter().cloned().collect(),
            include_dirs: project.include_dirs.clone(),
            other_dirs,
            stdlib_dir,
            stdlib_modules: OnceLock::new(),
        }
    }

    /// Whether `path` is a source file.
    pub fn is_source(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// The sources of the module at `stem`, if it has any.
    pub fn module_at(&self, stem: &str) -> Option<ModuleSource> {
        let has_mli = self.files.contains(&format!("{stem}.mli"));
        let has_ml = self.files.contains(&format!("{stem}.ml"));
        (has_mli || has_ml).then(|| ModuleSource {
            stem: stem.to_string(),
            has_mli,
            has_ml,
        })
    }

    /// Where module `name` comes from, seen from a file in `from_dir`.
    pub fn resolve(&self, name: &str, from_dir: &str) -> Option<ModuleSource> {
        let lower = uncapitalize(name);
        let upper = capitalize(name);
        let in_dir = |dir: &str| {
            [&lower, &upper].into_iter().find_map(|base| {
                let stem = if dir.is_empty() {
                    base.clone()
                } else {
                    format!("{dir}/{base}")
                };
                self.module_at(&stem)
            })
        };
        if let Some(m) = in_dir(from_dir) {
            return Some(m);
        }
        for d in &self.include_dirs {
            if d != from_dir
                && let Some(m) = in_dir(d)
            {
                return Some(m);
            }
        }
        if self.other_dirs.is_empty() || self.stdlib_has(&upper) {
            return None;
        }
        self.other_dirs
            .iter()
            .filter(|d| d.as_str() != from_dir)
            .find_map(|d| in_dir(d))
    }

    fn stdlib_has(&self, module: &str) -> bool {
        self.stdlib_modules
            .get_or_init(|| {
                let mut set = BTreeSet::new();
                if let Ok(entries) = std::fs::read_dir(&self.stdlib_dir) {
                    for e in entries.flatten() {
                        let name = e.file_name().to_string_lossy().into_owned();
                        if let Some(stem) = name.strip_suffix(".cmi") {
                            set.insert(capitalize(stem));
                        }
                    }
                }
                set
            })
            .contains(module)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[&str], include: &[&str], recursive: bool) -> Project {
        let mut dirs: Vec<String> = vec![String::new()];
        for f in files {
            if let Some(i) = f.rfind('/') {
                let d = f[..i].to_string();
                if !dirs.contains(&d) {
                    dirs.push(d);
                }
            }
        }
        let mut include_dirs = vec![String::new()];
        include_dirs.extend(include.iter().map(|s| s.to_string()));
        Project {
            files: files.iter().map(|s| s.to_string()).collect(),
            dirs,
            include_dirs,
            recursive,
            ..Project::default()
        }
    }

    #[test]
    fn own_directory_wins_then_include_dirs() {
        let p = project(
            &["src/util.ml", "lib/util.ml", "lib/x.mli"],
            &["lib"],
            false,
        );
        let r = Resolver::new(&p, PathBuf::from("/nonexistent"));
        assert_eq!(r.resolve("Util", "src").unwrap().stem, "src/util");
        assert_eq!(r.resolve("Util", "").unwrap().stem, "lib/util");
        let x = r.resolve("X", "src").unwrap();
        assert!(x.has_mli && !x.has_ml);
        assert_eq!(r.resolve("Nope", "src"), None);
    }

    #[test]
    fn lowercase_file_name_is_tried_before_capitalised() {
        let p = project(&["foo.ml", "Foo.ml"], &[], false);
        let r = Resolver::new(&p, PathBuf::from("/nonexistent"));
        assert_eq!(r.resolve("Foo", "").unwrap().stem, "foo");
    }

    #[test]
    fn traversed_folders_are_searched_last_when_recursive() {
        let p = project(&["main.ml", "lib/shapes.ml"], &[], true);
        let r = Resolver::new(&p, PathBuf::from("/nonexistent"));
        assert_eq!(r.resolve("Shapes", "").unwrap().stem, "lib/shapes");
        let p = project(&["main.ml", "lib/shapes.ml"], &[], false);
        let r = Resolver::new(&p, PathBuf::from("/nonexistent"));
        assert_eq!(r.resolve("Shapes", ""), None);
    }
}
