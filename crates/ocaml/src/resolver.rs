//! Module resolution: which source file holds module `M`, seen from a file
//! in directory `D`.
//!
//! As in ocamlbuild, the candidates are, for each include directory of `D`
//! (`D` itself first, then the global include directories), `dir/m.*` then
//! `dir/M.*`; the first that can be built wins. A module found nowhere is
//! external (the standard library or an installed library) and the
//! compiler has the last word. Only with `-search-all-dirs` (caravan's own
//! option) does caravan then also look in every other traversed directory
//! (in path order), except for modules of the standard library, so that a
//! folder of sources builds without `include` tags; by default it does not,
//! as ocamlbuild, so that a module of a test folder never shadows an
//! installed library's module of the same name.
//!
//! A module's sources may also be *generated*: `x.ml` from `x.mll`
//! (ocamllex), `x.ml` and `x.mli` from `x.mly` (ocamlyacc or menhir) or, with
//! menhir, from `x.mlypack`. Such a module resolves like one with real
//! sources, as in ocamlbuild, where a candidate counts when a rule can build
//! it. A real `x.ml` always wins over a generator (hygiene forbids having
//! both); when several generators could make `x.ml`, ocamlbuild's rule order
//! decides: `.mll`, then `.mlypack`, then `.mly`. Generator sources that a
//! plugin's rule makes (`parser.mly` from a template) count the same way
//! ([`Resolver::add_generated`]).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::module_name::capitalize;
use crate::project::Project;

/// A rule that writes a module's `.ml` (and for parsers its `.mli`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Generator {
    /// `x.mll` through ocamllex: `x.ml`.
    Ocamllex,
    /// `x.mly` through ocamlyacc or menhir: `x.ml` and `x.mli`.
    Parser,
    /// `x.mlypack` (several `.mly` files) through menhir: `x.ml` and `x.mli`.
    MenhirPack,
}

impl Generator {
    /// The extension of the generator's source (`mll`, `mly`, `mlypack`).
    pub fn source_ext(self) -> &'static str {
        match self {
            Generator::Ocamllex => "mll",
            Generator::Parser => "mly",
            Generator::MenhirPack => "mlypack",
        }
    }

    /// Whether it also writes the `.mli`.
    pub fn writes_mli(self) -> bool {
        self != Generator::Ocamllex
    }

    /// ocamlbuild's rule order among generators of one module: `.mll`, then
    /// `.mlypack`, then `.mly` (lower first).
    fn precedence(self) -> u8 {
        match self {
            Generator::Ocamllex => 0,
            Generator::MenhirPack => 1,
            Generator::Parser => 2,
        }
    }

    /// Whether it may make the module of a stem that has a real `.mli`: a
    /// parser generator writes the `.mli` too, so a real one keeps it out
    /// (hygiene reports the pair).
    fn allowed_with_mli(self) -> bool {
        !self.writes_mli()
    }
}

/// The source files that can hold a module's interface or implementation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleSource {
    /// The path without extension (`lib/util`).
    pub stem: String,
    /// Whether an `.mli` exists or is generated.
    pub has_mli: bool,
    /// Whether an `.ml` exists or is generated.
    pub has_ml: bool,
    /// The rule generating the `.ml` (and `.mli` if it writes one), when
    /// they are not sources.
    pub generator: Option<Generator>,
    /// Whether an `.mlpack` exists: the module is a pack of others, and the
    /// pack wins over an `.ml` of the same name (as in ocamlbuild).
    pub pack: bool,
}

impl ModuleSource {
    /// A module with real sources only.
    pub fn new(stem: &str, has_mli: bool, has_ml: bool) -> ModuleSource {
        ModuleSource {
            stem: stem.to_string(),
            has_mli,
            has_ml,
            generator: None,
            pack: false,
        }
    }

    /// The directory of the module (`""` at the root).
    pub fn dir(&self) -> &str {
        match self.stem.rfind('/') {
            Some(i) => &self.stem[..i],
            None => "",
        }
    }

    /// Whether the module has an implementation (`.cmo`/`.cmx`) to link: an
    /// `.ml` or an `.mlpack`.
    pub fn is_linkable(&self) -> bool {
        self.has_ml || self.pack
    }

    /// Whether the module's implementation is compiled from its `.ml` (not
    /// packed from an `.mlpack`).
    pub fn compiles_ml(&self) -> bool {
        self.has_ml && !self.pack
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
    /// with `-search-all-dirs`, the other traversed directories in path
    /// order.
    dir_rank: FxHashMap<String, usize>,
    first_fallback_rank: usize,
    stdlib_dir: PathBuf,
    stdlib_modules: OnceLock<BTreeSet<String>>,
    /// Whether `.mly` and `.mlypack` files go through menhir.
    menhir: bool,
}

impl Resolver {
    /// A resolver over the project's files, with ocamlyacc for `.mly` files.
    pub fn new(project: &Project, stdlib_dir: PathBuf) -> Resolver {
        Resolver::with_generators(project, stdlib_dir, false)
    }

    /// A resolver over the project's files; `menhir` says whether `.mly`
    /// and `.mlypack` files go through menhir (`-use-menhir`).
    pub fn with_generators(project: &Project, stdlib_dir: PathBuf, menhir: bool) -> Resolver {
        let files: FxHashSet<String> = project.files.iter().cloned().collect();
        // Which of the extensions that make a module each stem has.
        const ML: u8 = 1;
        const MLI: u8 = 2;
        const MLL: u8 = 4;
        const MLY: u8 = 8;
        const MLYPACK: u8 = 16;
        const MLPACK: u8 = 32;
        let mut kinds: FxHashMap<&str, u8> = FxHashMap::default();
        for f in &project.files {
            let Some((stem, ext)) = f.rsplit_once('.') else {
                continue;
            };
            let bit = match ext {
                "ml" => ML,
                "mli" => MLI,
                "mll" => MLL,
                "mly" => MLY,
                "mlypack" => MLYPACK,
                "mlpack" => MLPACK,
                _ => continue,
            };
            if !stem.ends_with('/') {
                *kinds.entry(stem).or_default() |= bit;
            }
        }
        let mut by_stem: FxHashMap<String, ModuleSource> = FxHashMap::default();
        for (stem, k) in kinds {
            let has = |bit: u8| k & bit != 0;
            let mut m = ModuleSource::new(stem, has(MLI), has(ML));
            m.pack = has(MLPACK);
            if !m.has_ml {
                let present = [
                    (has(MLL), Generator::Ocamllex),
                    (menhir && has(MLYPACK), Generator::MenhirPack),
                    (has(MLY), Generator::Parser),
                ];
                m.generator = present
                    .into_iter()
                    .filter(|&(here, g)| here && (!m.has_mli || g.allowed_with_mli()))
                    .map(|(_, g)| g)
                    .min_by_key(|g| g.precedence());
                match m.generator {
                    Some(g) => {
                        m.has_ml = true;
                        m.has_mli |= g.writes_mli();
                    }
                    None if !m.has_mli && !m.pack => continue,
                    None => {}
                }
            }
            by_stem.insert(stem.to_string(), m);
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
        if project.search_all_dirs {
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
            files,
            generated: FxHashSet::default(),
            contexts: project.contexts.iter().cloned().collect(),
            by_stem,
            by_name,
            dir_rank,
            first_fallback_rank,
            stdlib_dir,
            stdlib_modules: OnceLock::new(),
            menhir,
        }
    }

    /// Whether `path` is a source file.
    pub fn is_source(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// The generator that writes `path` (an `.ml` or `.mli` that is not a
    /// source), if any.
    pub fn generator_of(&self, path: &str) -> Option<(Generator, String)> {
        let (stem, ext) = path.rsplit_once('.')?;
        let m = self.by_stem.get(stem)?;
        let g = m.generator?;
        match ext {
            "ml" => Some((g, format!("{stem}.{}", g.source_ext()))),
            "mli" if g.writes_mli() => Some((g, format!("{stem}.{}", g.source_ext()))),
            _ => None,
        }
    }

    /// Whether `path` is a source or a file a generator (or a plugin's
    /// rule) writes.
    pub fn is_source_or_generated(&self, path: &str) -> bool {
        self.is_source(path) || self.generated.contains(path) || self.generator_of(path).is_some()
    }

    /// Adds files that rules make (`x.ml` made by a plugin's rule from
    /// `x.data`): their modules resolve like those of sources.
    pub fn add_generated(&mut self, files: impl IntoIterator<Item = String>) {
        for f in files {
            if let Some((stem, generator)) = self.generator_source(&f) {
                self.add_generator(&stem, generator);
                self.generated.insert(f);
                continue;
            }
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
                .or_insert_with(|| ModuleSource::new(&stem, false, false));
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

    /// The stem and generator of a generator's source (`x.mll`, `x.mly`,
    /// with menhir `x.mlypack`).
    fn generator_source(&self, path: &str) -> Option<(String, Generator)> {
        let (stem, ext) = path.rsplit_once('.')?;
        let g = match ext {
            "mll" => Generator::Ocamllex,
            "mly" => Generator::Parser,
            "mlypack" if self.menhir => Generator::MenhirPack,
            _ => return None,
        };
        (!stem.is_empty() && !stem.ends_with('/')).then(|| (stem.to_string(), g))
    }

    /// A generator's source made by a rule (a plugin's `parser.mly` from a
    /// template): its module resolves like one whose generator source is in
    /// the tree, with the same precedence (a real or rule-made `.ml` first,
    /// then `.mll`, `.mlypack`, `.mly`).
    fn add_generator(&mut self, stem: &str, g: Generator) {
        let m = self
            .by_stem
            .entry(stem.to_string())
            .or_insert_with(|| ModuleSource::new(stem, false, false));
        let keep = match m.generator {
            Some(existing) => existing.precedence() <= g.precedence(),
            // An `.ml` without generator is a real or rule-made one.
            None => m.has_ml || (m.has_mli && !g.allowed_with_mli()),
        };
        if keep {
            return;
        }
        m.generator = Some(g);
        m.has_ml = true;
        m.has_mli |= g.writes_mli();
        let base = stem.rsplit('/').next().unwrap_or(stem);
        let name = capitalize(base);
        if crate::module_name::is_valid(&name) {
            let stems = self.by_name.entry(name).or_default();
            if !stems.iter().any(|s| s == stem) {
                stems.push(stem.to_string());
            }
        }
    }

    /// The sources of the module at `stem`, if it has any.
    pub fn module_at(&self, stem: &str) -> Option<ModuleSource> {
        self.by_stem.get(stem).cloned()
    }

    /// Whether some folder of the project has a module `name`.
    pub fn has_module(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// The module `name` in the first of `dirs` that has it (`m.ml` before
    /// `M.ml` in one folder): the folders a command includes with `-I`,
    /// where the compiler will look for the module's `.cmi`.
    pub fn resolve_in(&self, name: &str, dirs: &[&str]) -> Option<ModuleSource> {
        let stems = self.by_name.get(name)?;
        let lowercase_first = |stem: &&String| {
            let base = stem.rsplit('/').next().unwrap_or(stem);
            base.starts_with(|c: char| c.is_ascii_uppercase())
        };
        dirs.iter().find_map(|d| {
            stems
                .iter()
                .filter(|s| s.rfind('/').map_or("", |i| &s[..i]) == *d)
                .min_by_key(lowercase_first)
                .and_then(|s| self.by_stem.get(s).cloned())
        })
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

    /// Modules found in more than one include directory, with their stems in
    /// search order: the first one wins (outside its rivals' own folders).
    pub fn clashes(&self) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for (name, stems) in &self.by_name {
            let mut ranked: Vec<(usize, &String)> = stems
                .iter()
                .filter_map(|s| {
                    let dir = s.rfind('/').map(|i| &s[..i]).unwrap_or("");
                    let r = *self.dir_rank.get(dir)?;
                    (r < self.first_fallback_rank).then_some((r, s))
                })
                .collect();
            if ranked.len() > 1 {
                ranked.sort();
                out.push((
                    name.clone(),
                    ranked.into_iter().map(|(_, s)| s.clone()).collect(),
                ));
            }
        }
        out.sort();
        out
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

    fn project(files: &[&str], include: &[&str], search_all_dirs: bool) -> Project {
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
            recursive: true,
            search_all_dirs,
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
    fn generated_modules_resolve_like_sources() {
        let p = project(
            &[
                "lexer.mll",
                "lexer.mli",
                "parser.mly",
                "both.mll",
                "both.mly",
                "real.ml",
                "real.mly",
                "grammar.mlypack",
                "grammar.mly",
                "main.ml",
            ],
            &[],
            false,
        );
        let r = Resolver::with_generators(&p, PathBuf::from("/nonexistent"), false);
        let lexer = r.resolve("Lexer", "").unwrap();
        assert!(lexer.has_ml && lexer.has_mli);
        assert_eq!(lexer.generator, Some(Generator::Ocamllex));
        assert_eq!(
            r.generator_of("lexer.ml"),
            Some((Generator::Ocamllex, "lexer.mll".to_string()))
        );
        assert_eq!(r.generator_of("lexer.mli"), None);
        let parser = r.resolve("Parser", "").unwrap();
        assert!(parser.has_ml && parser.has_mli);
        assert_eq!(
            r.generator_of("parser.mli"),
            Some((Generator::Parser, "parser.mly".to_string()))
        );
        // ocamllex comes first in ocamlbuild's rules; a real .ml wins.
        assert_eq!(r.generator_of("both.ml").unwrap().0, Generator::Ocamllex);
        assert_eq!(r.generator_of("real.ml"), None);
        assert!(r.is_source_or_generated("real.ml"));
        // .mlypack only with menhir.
        assert_eq!(r.generator_of("grammar.ml").unwrap().0, Generator::Parser);
        let r = Resolver::with_generators(&p, PathBuf::from("/nonexistent"), true);
        assert_eq!(
            r.generator_of("grammar.ml"),
            Some((Generator::MenhirPack, "grammar.mlypack".to_string()))
        );
        assert_eq!(r.resolve("Nope", ""), None);
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
