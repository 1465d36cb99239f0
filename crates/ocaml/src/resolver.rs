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

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::module_name::capitalize;
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

/// Resolves module names to sources, from an index built once.
#[derive(Debug)]
pub struct Resolver {
    files: FxHashSet<String>,
    /// Files rules make from the sources (a plugin's rules).
    generated: FxHashSet<String>,
    /// `define_context`: the include directories of a directory.
    contexts: FxHashMap<String, Vec<String>>,
    /// Modules by stem (`lib/util`).
    by_stem: FxHashMap<String, ModuleSource>,
    /// Stems of the modules named `M`, by `M`.
    by_name: FxHashMap<String, Vec<String>>,
    /// Rank of each directory: include directories first, in order; then,
    /// when recursive, the other traversed directories in path order.
    dir_rank: FxHashMap<String, usize>,
    first_fallback_rank: usize,
    stdlib_dir: PathBuf,
    stdlib_modules: OnceLock<BTreeSet<String>>,
}

impl Resolver {
    /// A resolver over the project's files.
    pub fn new(project: &Project, stdlib_dir: PathBuf) -> Resolver {
        let mut by_stem: FxHashMap<String, ModuleSource> = FxHashMap::default();
        for f in &project.files {
            let (stem, is_mli) = if let Some(s) = f.strip_suffix(".mli") {
                (s, true)
            } else if let Some(s) = f.strip_suffix(".ml") {
                (s, false)
            } else {
                continue;
            };
            let m = by_stem
                .entry(stem.to_string())
                .or_insert_with(|| ModuleSource {
                    stem: stem.to_string(),
                    has_mli: false,
                    has_ml: false,
                });
            if is_mli {
                m.has_mli = true;
            } else {
                m.has_ml = true;
            }
        }
        let mut by_name: FxHashMap<String, Vec<String>> = FxHashMap::default();
        for stem in by_stem.keys() {
            let base = stem.rsplit('/').next().unwrap_or(stem);
            if crate::module_name::is_valid(&capitalize(base)) {
                by_name
                    .entry(capitalize(base))
                    .or_default()
                    .push(stem.clone());
            }
        }
        let mut dir_rank: FxHashMap<String, usize> = FxHashMap::default();
        for (i, d) in project.include_dirs.iter().enumerate() {
            dir_rank.entry(d.clone()).or_insert(i + 1);
        }
        let first_fallback_rank = project.include_dirs.len() + 1;
        if project.recursive {
            let mut others: Vec<&String> = project
                .dirs
                .iter()
                .filter(|d| !dir_rank.contains_key(*d))
                .collect();
            others.sort();
            for (i, d) in others.into_iter().enumerate() {
                dir_rank.insert(d.clone(), first_fallback_rank + i);
            }
        }
        Resolver {
            files: project.files.iter().cloned().collect(),
            generated: FxHashSet::default(),
            contexts: project.contexts.iter().cloned().collect(),
            by_stem,
            by_name,
            dir_rank,
            first_fallback_rank,
            stdlib_dir,
            stdlib_modules: OnceLock::new(),
        }
    }

    /// Whether `path` is a source file.
    pub fn is_source(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// Whether `path` is a source file or a file the rules make from them.
    pub fn is_source_or_generated(&self, path: &str) -> bool {
        self.files.contains(path) || self.generated.contains(path)
    }

    /// Adds files that rules make (`x.ml` made by a plugin's rule from
    /// `x.data`): their modules resolve like those of sources.
    pub fn add_generated(&mut self, files: impl IntoIterator<Item = String>) {
        for f in files {
            let (stem, is_mli) = if let Some(s) = f.strip_suffix(".mli") {
                (s.to_string(), true)
            } else if let Some(s) = f.strip_suffix(".ml") {
                (s.to_string(), false)
            } else {
                self.generated.insert(f);
                continue;
            };
            let base = stem.rsplit('/').next().unwrap_or(&stem).to_string();
            let m = self
                .by_stem
                .entry(stem.clone())
                .or_insert_with(|| ModuleSource {
                    stem: stem.clone(),
                    has_mli: false,
                    has_ml: false,
                });
            if is_mli {
                m.has_mli = true;
            } else {
                m.has_ml = true;
            }
            let name = capitalize(&base);
            if crate::module_name::is_valid(&name) {
                let stems = self.by_name.entry(name).or_default();
                if !stems.contains(&stem) {
                    stems.push(stem);
                }
            }
            self.generated.insert(f);
        }
    }

    /// The sources of the module at `stem`, if it has any.
    pub fn module_at(&self, stem: &str) -> Option<ModuleSource> {
        self.by_stem.get(stem).cloned()
    }

    /// Where module `name` comes from, seen from a file in `from_dir`.
    pub fn resolve(&self, name: &str, from_dir: &str) -> Option<ModuleSource> {
        let stems = self.by_name.get(name)?;
        let context = self
            .contexts
            .get(if from_dir.is_empty() { "." } else { from_dir });
        let offset = context.map_or(0, |c| c.len());
        let rank = |stem: &str| -> Option<(usize, bool)> {
            let dir = match stem.rfind('/') {
                Some(i) => &stem[..i],
                None => "",
            };
            let in_context = context.and_then(|c| {
                c.iter()
                    .position(|d| d == dir || (dir.is_empty() && d == "."))
            });
            let r = if dir == from_dir {
                0
            } else if let Some(i) = in_context {
                i + 1
            } else {
                offset + *self.dir_rank.get(dir)?
            };
            let base = stem.rsplit('/').next().unwrap_or(stem);
            // m.ml before M.ml in the same directory.
            let capitalised = base.starts_with(|c: char| c.is_ascii_uppercase());
            Some((r, capitalised))
        };
        let best = stems
            .iter()
            .filter_map(|s| rank(s).map(|r| (r, s)))
            .min_by(|a, b| a.0.cmp(&b.0))?;
        if best.0.0 >= offset + self.first_fallback_rank && self.stdlib_has(name) {
            return None;
        }
        self.by_stem.get(best.1).cloned()
    }

    /// Whether the standard library directory has an interface for `module`.
    pub fn is_stdlib(&self, module: &str) -> bool {
        self.stdlib_has(module)
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
