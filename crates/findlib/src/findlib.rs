//! The package database: a configuration plus a cache of the META files
//! read so far. Each META file is parsed at most once per [`Findlib`] value;
//! lookups of a package name are remembered too.
//!
//! A package `a.b.c` is found by its main name `a`: the first directory `D`
//! of the search path that has `D/a/META` or `D/META.a` supplies it (the
//! former first), and the full name is then looked up among that file's
//! (sub-)packages. A later directory is not tried when the first file does
//! not define the sub-package or hides it with `exists_if`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::conf::Config;
use crate::error::{Error, Location, Result};
use crate::meta::MetaFile;
use crate::package::{self, Entry, Flattened, Package};
use crate::split;
use crate::suggest;

#[derive(Default)]
struct Cache {
    /// Parsed META files by path.
    metas: HashMap<PathBuf, Arc<MetaFile>>,
    /// Main package name → its flattened META file, or `None` when no
    /// directory of the search path has it.
    mains: HashMap<String, Option<Arc<Flattened>>>,
    /// All package names, once listed.
    listing: Option<Arc<Listing>>,
}

/// The result of scanning the whole search path ([`Findlib::list`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Every package name, sorted.
    pub names: Vec<String>,
    /// Problems found on the way (unreadable directories, broken META
    /// files), as ocamlfind prints them after `findlib: [WARNING] `.
    pub warnings: Vec<String>,
}

/// The findlib package database. Cheap to share between threads (`Sync`);
/// the cache is behind a mutex.
pub struct Findlib {
    config: Config,
    cache: Mutex<Cache>,
}

impl std::fmt::Debug for Findlib {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Findlib")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Findlib {
    /// A database over `config`, with an empty cache.
    pub fn new(config: Config) -> Findlib {
        Findlib {
            config,
            cache: Mutex::new(Cache::default()),
        }
    }

    /// A database configured from this process's environment, as the
    /// `ocamlfind` in `PATH` would be.
    pub fn from_process() -> Result<Findlib> {
        Ok(Self::new(Config::from_process()?))
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Forgets every META file read so far (to see packages installed or
    /// changed since).
    pub fn clear_cache(&self) {
        *self.lock() = Cache::default();
    }

    fn lock(&self) -> MutexGuard<'_, Cache> {
        // A panic while the lock was held cannot leave the cache
        // inconsistent (every insertion is a single map operation).
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Parses a META file, or returns the copy parsed before.
    fn meta(&self, path: &str) -> Result<Arc<MetaFile>> {
        if let Some(m) = self.lock().metas.get(Path::new(path)) {
            return Ok(Arc::clone(m));
        }
        let m = Arc::new(MetaFile::read(path)?);
        let mut cache = self.lock();
        let entry = cache.metas.entry(PathBuf::from(path)).or_insert(m);
        Ok(Arc::clone(entry))
    }

    fn flatten_file(
        &self,
        main: &str,
        meta_path: &str,
        default_dir: &str,
        required: bool,
    ) -> Result<Flattened> {
        let meta = self.meta(meta_path)?;
        package::flatten(meta, main, default_dir, self.config.stdlib_str(), required)
    }

    /// The META file of main package `main`, flattened; `None` when the
    /// search path has none.
    fn main_package(&self, main: &str) -> Result<Option<Arc<Flattened>>> {
        if let Some(found) = self.lock().mains.get(main) {
            return Ok(found.clone());
        }
        let mut found = None;
        for dir in self.config.search_path_str() {
            let package_dir = split::concat(dir, main);
            let meta1 = split::concat(&package_dir, "META");
            if Path::new(&meta1).exists() {
                found = Some(Arc::new(self.flatten_file(
                    main,
                    &meta1,
                    &package_dir,
                    false,
                )?));
                break;
            }
            let meta2 = split::concat(dir, &format!("META.{main}"));
            if Path::new(&meta2).exists() {
                found = Some(Arc::new(self.flatten_file(main, &meta2, dir, true)?));
                break;
            }
        }
        self.lock().mains.insert(main.to_string(), found.clone());
        Ok(found)
    }

    /// The package called `name` (`a` or `a.b.c`).
    pub fn package(&self, name: &str) -> Result<Arc<Package>> {
        let comps = split::package_name(name);
        let Some(main) = comps.first() else {
            return Err(Error::InvalidPackageName {
                name: name.to_string(),
            });
        };
        let Some(flat) = self.main_package(main)? else {
            return Err(self.not_found(name));
        };
        match flat.find(name) {
            Some(Entry::Present(p)) => Ok(Arc::clone(p)),
            Some(Entry::Hidden(h)) => Err(Error::PackageHidden {
                name: name.to_string(),
                location: Box::new(h.location.clone()),
                files: h.files.clone(),
                directory: PathBuf::from(&h.directory),
                required_by: None,
            }),
            None => Err(missing_sub(&flat, name)),
        }
    }

    /// Whether a package called `name` exists.
    pub fn exists(&self, name: &str) -> bool {
        self.package(name).is_ok()
    }

    fn not_found(&self, name: &str) -> Error {
        let listing = self.list();
        let suggestion = suggest::nearest(name, listing.names.iter().map(String::as_str));
        Error::NoSuchPackage {
            name: name.to_string(),
            required_by: None,
            suggestion,
            search_path: self
                .config
                .search_path()
                .iter()
                .map(|p| p.to_path_buf())
                .collect(),
        }
    }

    /// Every package of the search path, as `ocamlfind list` shows them.
    ///
    /// Each directory of the search path is scanned for `NAME/META` and
    /// `META.NAME` files (not `META.NAME~`); a main package found in an
    /// earlier directory hides later ones. Broken META files and unreadable
    /// directories are reported in [`Listing::warnings`].
    pub fn list(&self) -> Arc<Listing> {
        if let Some(l) = &self.lock().listing {
            return Arc::clone(l);
        }
        let mut names: BTreeSet<String> = BTreeSet::new();
        let mut seen_mains: BTreeSet<String> = BTreeSet::new();
        let mut warnings = Vec::new();
        for dir in self.config.search_path_str() {
            let entries = match std::fs::read_dir(dir) {
                Ok(e) => e,
                Err(e) => {
                    warnings.push(format!("cannot read directory {dir}: {e}"));
                    continue;
                }
            };
            for entry in entries.flatten() {
                let f = entry.file_name().to_string_lossy().into_owned();
                let package_dir = split::concat(dir, &f);
                let meta1 = split::concat(&package_dir, "META");
                let candidate = if Path::new(&meta1).exists() {
                    Some((f.clone(), meta1, package_dir, false))
                } else if f.len() >= 6 && f.starts_with("META.") && !f.ends_with('~') {
                    let name = f[5..].to_string();
                    // As for lookups, NAME/META in the same directory wins.
                    let shadowed =
                        Path::new(&split::concat(&split::concat(dir, &name), "META")).exists();
                    (!shadowed).then(|| (name, split::concat(dir, &f), dir.clone(), true))
                } else {
                    None
                };
                let Some((main, meta, default_dir, required)) = candidate else {
                    continue;
                };
                // A main name with a dot can never be looked up (`a.b` is
                // sub-package `b` of `a`); ocamlfind lists it, or fails when
                // it clashes with a sub-package (see the crate's tests).
                if main.contains('.') || seen_mains.contains(&main) {
                    continue;
                }
                match self.flatten_file(&main, &meta, &default_dir, required) {
                    Ok(flat) => {
                        names.extend(flat.present_names().map(str::to_string));
                        seen_mains.insert(main);
                    }
                    Err(e) => warnings.push(e.to_string()),
                }
            }
        }
        let listing = Arc::new(Listing {
            names: names.into_iter().collect(),
            warnings,
        });
        self.lock().listing = Some(Arc::clone(&listing));
        listing
    }

    /// Resolves a file name written in a META file or on the command line,
    /// as findlib does for archives and ppx commands:
    /// `+file` and `^file` are relative to the standard library,
    /// `@pkg/file` to the directory of package `pkg` (`@pkg` is that
    /// directory); other relative names are joined to `base` if given
    /// (with `explicit`, only names starting with `./` or `../`).
    pub fn resolve_path(&self, p: &str, base: Option<&str>, explicit: bool) -> Result<String> {
        if p.is_empty() {
            return Ok(String::new());
        }
        if let Some(rest) = p.strip_prefix(['^', '+']) {
            return Ok(split::concat(
                &split::norm_dir(self.config.stdlib_str()),
                rest,
            ));
        }
        if let Some(rest) = p.strip_prefix('@') {
            return Ok(match rest.split_once('/') {
                Some((pkg, file)) => split::concat(self.package(pkg)?.dir_str(), file),
                None => self.package(rest)?.dir_str().to_string(),
            });
        }
        Ok(match base {
            Some(b) if split::is_relative(p) && (!explicit || !split::is_implicit(p)) => {
                split::concat(b, p)
            }
            _ => p.to_string(),
        })
    }
}

fn missing_sub(flat: &Flattened, name: &str) -> Error {
    // The deepest existing package whose name is a prefix of `name`.
    let comps = split::package_name(name);
    let mut parent = flat.main_name.clone();
    let mut block = 0;
    for k in (1..comps.len()).rev() {
        let prefix = comps[..k].join(".");
        if let Some(i) = flat.index_of(&prefix) {
            parent = prefix;
            block = i;
            break;
        }
    }
    let span = flat.meta.packages[block].span;
    let available: Vec<String> = flat
        .present_names()
        .filter_map(|n| n.strip_prefix(&format!("{parent}.")).map(str::to_string))
        .filter(|rest| !rest.contains('.'))
        .collect();
    Error::NoSuchSubpackage {
        name: name.to_string(),
        parent,
        location: Box::new(Location {
            file: flat.meta.path.clone(),
            line: span.line,
            start: span.start,
            end: span.end,
        }),
        available,
        required_by: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn db(files: &[(&str, &str)]) -> (tempfile::TempDir, Findlib) {
        let t = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = t.path().join("lib").join(name);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        fs::create_dir_all(t.path().join("lib")).unwrap();
        let lib = t.path().join("lib").to_string_lossy().into_owned();
        let cfg = Config::from_parts(&[&lib], "/std");
        (t, Findlib::new(cfg))
    }

    #[test]
    fn package_in_subdirectory_is_found() {
        let (t, f) = db(&[("foo/META", "version = \"1.0\"")]);
        let p = f.package("foo").unwrap();
        assert_eq!(p.version().as_deref(), Some("1.0"));
        assert_eq!(p.directory(), t.path().join("lib/foo"));
    }

    #[test]
    fn meta_dot_name_file_is_found() {
        let (t, f) = db(&[("META.bar", "directory = \"bar_dir\"\npackage \"sub\" ()")]);
        let p = f.package("bar.sub").unwrap();
        assert_eq!(p.directory(), t.path().join("lib/bar_dir"));
    }

    #[test]
    fn first_directory_of_the_path_wins() {
        let t = tempfile::tempdir().unwrap();
        for (d, v) in [("a", "1"), ("b", "2")] {
            fs::create_dir_all(t.path().join(d).join("foo")).unwrap();
            fs::write(
                t.path().join(d).join("foo/META"),
                format!("version = \"{v}\""),
            )
            .unwrap();
        }
        let a = t.path().join("a").to_string_lossy().into_owned();
        let b = t.path().join("b").to_string_lossy().into_owned();
        let f = Findlib::new(Config::from_parts(&[&a, &b], "/std"));
        assert_eq!(f.package("foo").unwrap().version().as_deref(), Some("1"));
    }

    #[test]
    fn unknown_package_suggests_a_near_name() {
        let (_t, f) = db(&[("yojson/META", ""), ("lwt/META", "package \"unix\" ()")]);
        match f.package("yojsn") {
            Err(Error::NoSuchPackage { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("yojson"))
            }
            other => panic!("{other:?}"),
        }
        match f.package("lwtt.unix") {
            Err(Error::NoSuchPackage { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("lwt.unix"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_sub_package_lists_the_parent_and_suggests_a_sibling() {
        let (_t, f) = db(&[("lwt/META", "package \"unix\" ()\npackage \"ppx\" ()")]);
        let e = f.package("lwt.unx").unwrap_err();
        match &e {
            Error::NoSuchSubpackage {
                parent, available, ..
            } => {
                assert_eq!(parent, "lwt");
                assert_eq!(available, &vec!["unix".to_string(), "ppx".to_string()]);
            }
            other => panic!("{other:?}"),
        }
        assert!(e.to_string().contains("did you mean `lwt.unix'"), "{e}");
    }

    #[test]
    fn syntax_error_in_meta_is_located() {
        let (_t, f) = db(&[("bad/META", "version = \"1\"\narchive(byte = \"x\"")]);
        let e = f.package("bad").unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("bad/META\", line 2, characters 13-14:"),
            "{text}"
        );
    }

    #[test]
    fn hidden_package_names_its_exists_if() {
        let (_t, f) = db(&[(
            "foo/META",
            "package \"opt\" (\n  exists_if = \"opt.cma\"\n)",
        )]);
        let e = f.package("foo.opt").unwrap_err();
        assert!(matches!(e, Error::PackageHidden { .. }));
        assert!(e.to_string().contains("line 2"), "{e}");
    }

    #[test]
    fn meta_files_are_parsed_once() {
        let (t, f) = db(&[("foo/META", "version = \"1\"\npackage \"a\" ()")]);
        f.package("foo").unwrap();
        fs::write(t.path().join("lib/foo/META"), "version = \"2\"").unwrap();
        assert_eq!(f.package("foo").unwrap().version().as_deref(), Some("1"));
        assert!(f.package("foo.a").is_ok());
        f.clear_cache();
        assert_eq!(f.package("foo").unwrap().version().as_deref(), Some("2"));
    }

    #[test]
    fn listing_includes_sub_packages_and_reports_broken_files() {
        let (_t, f) = db(&[
            ("foo/META", "package \"a\" ()"),
            ("META.bar", "directory = \"^\""),
            ("META.baz~", "directory = \"^\""),
            ("broken/META", "version"),
        ]);
        let l = f.list();
        assert_eq!(l.names, vec!["bar", "foo", "foo.a"]);
        assert_eq!(l.warnings.len(), 1);
        assert!(l.warnings[0].contains("broken/META"));
    }

    #[test]
    fn listing_prefers_name_meta_over_meta_dot_name_and_skips_dotted_mains() {
        let (_t, f) = db(&[
            ("foo/META", "version = \"dir\""),
            (
                "META.foo",
                "directory = \"^\"\npackage \"only_in_dot_file\" ()",
            ),
            ("foo.sub/META", ""),
        ]);
        assert_eq!(f.list().names, vec!["foo"]);
        assert_eq!(f.package("foo").unwrap().version().as_deref(), Some("dir"));
    }

    #[test]
    fn findlib_is_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Findlib>();
    }

    #[test]
    fn resolve_path_handles_special_prefixes() {
        let (t, f) = db(&[("foo/META", "")]);
        let foo = t.path().join("lib/foo").to_string_lossy().into_owned();
        assert_eq!(
            f.resolve_path("+unix.cma", None, false).unwrap(),
            "/std/unix.cma"
        );
        assert_eq!(f.resolve_path("^x", None, false).unwrap(), "/std/x");
        assert_eq!(
            f.resolve_path("@foo/x.cma", None, false).unwrap(),
            format!("{foo}/x.cma")
        );
        assert_eq!(f.resolve_path("@foo", None, false).unwrap(), foo);
        assert_eq!(
            f.resolve_path("a.cma", Some("/b"), false).unwrap(),
            "/b/a.cma"
        );
        assert_eq!(
            f.resolve_path("/a.cma", Some("/b"), false).unwrap(),
            "/a.cma"
        );
        assert_eq!(f.resolve_path("ppx", Some("/b"), true).unwrap(), "ppx");
        assert_eq!(
            f.resolve_path("./ppx", Some("/b"), true).unwrap(),
            "/b/./ppx"
        );
        assert!(f.resolve_path("@nope/x", None, false).is_err());
    }
}
