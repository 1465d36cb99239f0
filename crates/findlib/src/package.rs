//! Packages: the blocks of a META file turned into named packages with
//! their directories, and the `exists_if` test that hides some of them.
//!
//! The directory of a package is its `directory` variable (evaluated with no
//! predicates): `^dir` or `+dir` is relative to the standard library, a
//! relative name is relative to the default directory, an absolute name is
//! taken as is, and without the variable the default directory is used.
//! The default directory of a main package is the directory holding its
//! META file (`DIR/name/META`), or for a `DIR/META.name` file `DIR` itself
//! (where `directory` is then required); a sub-package's default is its
//! parent's directory.

use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Location, Result};
use crate::meta::{Evaluated, MetaFile, PackageDecl};
use crate::predicates::Predicates;
use crate::split;

/// A package: a named block of a META file, with its directory.
#[derive(Debug, Clone)]
pub struct Package {
    name: String,
    directory: String,
    meta: Arc<MetaFile>,
    index: usize,
}

impl Package {
    /// The full name (`lwt.unix`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The package directory.
    pub fn directory(&self) -> &Path {
        Path::new(&self.directory)
    }

    pub(crate) fn dir_str(&self) -> &str {
        &self.directory
    }

    /// The META file that defines the package.
    pub fn meta_path(&self) -> &Path {
        &self.meta.path
    }

    /// The parsed META file that defines the package.
    pub fn meta(&self) -> &MetaFile {
        &self.meta
    }

    /// The package's own block of its META file.
    pub fn decl(&self) -> &PackageDecl {
        &self.meta.packages[self.index]
    }

    /// The value of a variable under the actual predicates `preds`; `None`
    /// when no `=` definition of it applies.
    pub fn property(&self, variable: &str, preds: &Predicates) -> Option<String> {
        self.decl().lookup(variable, preds)
    }

    /// Like [`Package::property`], also telling which definitions were used.
    pub fn evaluate(&self, variable: &str, preds: &Predicates) -> Option<Evaluated<'_>> {
        self.decl().evaluate(variable, preds)
    }

    /// The `version` variable, evaluated without predicates.
    pub fn version(&self) -> Option<String> {
        self.property("version", &Predicates::new())
    }

    /// The `description` variable, evaluated without predicates.
    pub fn description(&self) -> Option<String> {
        self.property("description", &Predicates::new())
    }

    /// The packages named by `requires` under `preds`, as written (without
    /// the `threads` dependency findlib adds for multi-threaded builds).
    pub fn requires(&self, preds: &Predicates) -> Vec<String> {
        self.property("requires", preds)
            .map(|v| split::words(&v).into_iter().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// Where the `requires` definition naming `dependency` is, under `preds`.
    pub(crate) fn requires_location(
        &self,
        preds: &Predicates,
        dependency: &str,
    ) -> Option<Location> {
        let e = self.evaluate("requires", preds)?;
        let def = e
            .definitions
            .iter()
            .find(|d| split::words(&d.value).contains(&dependency))
            .or(e.definitions.first())?;
        Some(def.word_location(self.meta_path(), dependency))
    }

    /// Where a variable is defined (the first of the definitions used).
    pub(crate) fn location_of(&self, variable: &str, preds: &Predicates) -> Option<Location> {
        let e = self.evaluate(variable, preds)?;
        e.definitions.first().map(|d| d.location(self.meta_path()))
    }
}

/// Why a declared package is not available.
#[derive(Debug, Clone)]
pub(crate) struct Hidden {
    /// The `exists_if` definition that failed (of this package or of an
    /// enclosing one).
    pub(crate) location: Location,
    /// The files it names.
    pub(crate) files: Vec<String>,
    /// The directory they were looked for in.
    pub(crate) directory: String,
}

/// One block of a META file after flattening.
#[derive(Debug, Clone)]
pub(crate) enum Entry {
    /// The package exists.
    Present(Arc<Package>),
    /// The package is hidden by `exists_if`.
    Hidden(Hidden),
}

/// All packages of one META file, by block index.
#[derive(Debug, Clone)]
pub(crate) struct Flattened {
    pub(crate) meta: Arc<MetaFile>,
    pub(crate) main_name: String,
    pub(crate) entries: Vec<(String, Entry)>,
}

impl Flattened {
    /// The entry of the package with full name `name`.
    pub(crate) fn find(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, e)| e)
    }

    /// The block index of the package with full name `name`, if it exists.
    pub(crate) fn index_of(&self, name: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|(n, e)| n == name && matches!(e, Entry::Present(_)))
    }

    /// The names of the packages that exist, in file order.
    pub(crate) fn present_names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().filter_map(|(n, e)| match e {
            Entry::Present(_) => Some(n.as_str()),
            Entry::Hidden(_) => None,
        })
    }
}

/// Turns a parsed META file into packages. `main_name` is the main
/// package's name, `default_dir` its default directory, `stdlib` the
/// standard library directory; `directory_required` is set for
/// `META.name` files.
pub(crate) fn flatten(
    meta: Arc<MetaFile>,
    main_name: &str,
    default_dir: &str,
    stdlib: &str,
    directory_required: bool,
) -> Result<Flattened> {
    let none = Predicates::new();
    let mut entries: Vec<(String, Entry)> = Vec::with_capacity(meta.packages.len());
    for (index, decl) in meta.packages.iter().enumerate() {
        let (name, parent_dir, parent_hidden) = match decl.parent {
            None => (main_name.to_string(), default_dir.to_string(), None),
            Some(p) => {
                let (parent_name, parent_entry) = &entries[p];
                let name = format!("{parent_name}.{}", decl.name);
                match parent_entry {
                    Entry::Present(pkg) => (name, pkg.directory.clone(), None),
                    Entry::Hidden(h) => (name, h.directory.clone(), Some(h.clone())),
                }
            }
        };
        if let Some(h) = parent_hidden {
            entries.push((name, Entry::Hidden(h)));
            continue;
        }
        let d = match decl.lookup("directory", &none) {
            Some(d) => d,
            None if index == 0 && directory_required => {
                return Err(Error::DirectoryRequired {
                    package: main_name.to_string(),
                    meta: meta.path.clone(),
                });
            }
            None => String::new(),
        };
        let directory = if d.is_empty() {
            parent_dir
        } else if let Some(rest) = d.strip_prefix(['^', '+']) {
            if rest.is_empty() {
                stdlib.to_string()
            } else {
                split::concat(stdlib, rest)
            }
        } else if split::is_relative(&d) {
            split::concat(&parent_dir, &d)
        } else {
            d
        };
        // findlib looks at the first `exists_if` definition, whatever its
        // predicates; the package exists if any of the files does.
        let entry = match decl.first_definition("exists_if") {
            Some(def) => {
                let files: Vec<String> = split::words(&def.value)
                    .into_iter()
                    .map(str::to_string)
                    .collect();
                let exists = files
                    .iter()
                    .any(|f| Path::new(&split::concat(&directory, f)).exists());
                if exists {
                    None
                } else {
                    Some(Hidden {
                        location: def.location(&meta.path),
                        files,
                        directory: directory.clone(),
                    })
                }
            }
            None => None,
        };
        let entry = match entry {
            Some(h) => Entry::Hidden(h),
            None => Entry::Present(Arc::new(Package {
                name: name.clone(),
                directory,
                meta: Arc::clone(&meta),
                index,
            })),
        };
        entries.push((name, entry));
    }
    Ok(Flattened {
        meta,
        main_name: main_name.to_string(),
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(src: &str, dir: &str, required: bool) -> Result<Flattened> {
        let meta = Arc::new(MetaFile::parse("/lib/foo/META", src.as_bytes())?);
        flatten(meta, "foo", dir, "/std", required)
    }

    fn dir_of(f: &Flattened, name: &str) -> String {
        match f.find(name) {
            Some(Entry::Present(p)) => p.dir_str().to_string(),
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn sub_packages_get_dotted_names_and_inherit_the_directory() {
        let f = flat("package \"a\" ( package \"b\" () )", "/lib/foo", false).unwrap();
        let names: Vec<&str> = f.present_names().collect();
        assert_eq!(names, vec!["foo", "foo.a", "foo.a.b"]);
        assert_eq!(dir_of(&f, "foo.a.b"), "/lib/foo");
    }

    #[test]
    fn directory_forms_are_resolved() {
        let f = flat(
            "directory = \"^\"\npackage \"rel\" ( directory = \"sub\" )\npackage \"std\" ( directory = \"+threads\" )\npackage \"abs\" ( directory = \"/opt/x\" )",
            "/lib/foo",
            false,
        )
        .unwrap();
        assert_eq!(dir_of(&f, "foo"), "/std");
        assert_eq!(dir_of(&f, "foo.rel"), "/std/sub");
        assert_eq!(dir_of(&f, "foo.std"), "/std/threads");
        assert_eq!(dir_of(&f, "foo.abs"), "/opt/x");
    }

    #[test]
    fn directory_ignores_predicated_definitions() {
        let f = flat("directory(byte) = \"/b\"", "/lib/foo", false).unwrap();
        assert_eq!(dir_of(&f, "foo"), "/lib/foo");
    }

    #[test]
    fn meta_dot_name_file_requires_directory() {
        let e = flat("version = \"1\"", "/lib", true).unwrap_err();
        assert!(matches!(e, Error::DirectoryRequired { .. }), "{e}");
        let f = flat("directory = \"foo\"", "/lib", true).unwrap();
        assert_eq!(dir_of(&f, "foo"), "/lib/foo");
    }

    #[test]
    fn exists_if_hides_package_and_its_children() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("here.cma"), b"").unwrap();
        let dir = t.path().to_string_lossy().into_owned();
        let f = flat(
            "package \"yes\" ( exists_if = \"gone.cma here.cma\" )\npackage \"no\" ( exists_if = \"gone.cma\" package \"kid\" () )",
            &dir,
            false,
        )
        .unwrap();
        assert!(matches!(f.find("foo.yes"), Some(Entry::Present(_))));
        match f.find("foo.no.kid") {
            Some(Entry::Hidden(h)) => {
                assert_eq!(h.files, vec!["gone.cma".to_string()]);
                assert_eq!(h.location.line, 2);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn properties_are_evaluated_in_the_package_block() {
        let f = flat(
            "requires = \"a b\"\npackage \"s\" ( requires(mt) = \"c\" )",
            "/lib/foo",
            false,
        )
        .unwrap();
        let Some(Entry::Present(s)) = f.find("foo.s") else {
            panic!()
        };
        let mt: Predicates = ["mt"].into_iter().collect();
        assert_eq!(s.requires(&mt), vec!["c".to_string()]);
        assert!(s.requires(&Predicates::new()).is_empty());
    }
}
