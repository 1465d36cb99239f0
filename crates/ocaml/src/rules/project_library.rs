//! A library of the project ([`ProjectLibrary`]): a `.mllib` file of the
//! traversed tree, which its `use_<lib>` tag links (see `rules::libraries`).

use engine::Target;

use crate::mode::Mode;

/// A library of the project: a `.mllib` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectLibrary {
    /// The library's name (`foo` for `d/foo.mllib`).
    pub name: String,
    /// The `.mllib` file.
    pub mllib: String,
    /// Its directory (`""` at the root).
    pub dir: String,
    /// The namespace its modules are compiled in (`Foo`: `Foo__Bar` behind
    /// the alias module `Foo`), if it is namespaced; see
    /// `crate::namespace`. The `namespace(Foo)` tag sets it
    /// (`rules::libraries::read_namespace_tags`); any other declaration of
    /// libraries may set it before the rules are made.
    pub namespace: Option<String>,
}

impl ProjectLibrary {
    /// The tag that uses it.
    pub fn tag(&self) -> String {
        format!("use_{}", self.name)
    }

    /// Declares the library namespaced as `name` (`Foo`, or `foo` taken as
    /// `Foo`): its modules compile as `Foo__Bar` behind the alias module
    /// `Foo` (`crate::namespace`). The error is the problem with the name
    /// (not a module name, or with `__`), for the caller to place at its
    /// declaration (a `_tags` or `build_libs` line).
    pub fn set_namespace(&mut self, name: &str) -> Result<(), String> {
        if let Some(problem) = crate::namespace::name_problem(name) {
            return Err(problem);
        }
        self.namespace = Some(crate::module_name::capitalize(name));
        Ok(())
    }

    /// The archive of a mode (`d/foo.cma`, `d/foo.cmxa`).
    pub fn archive(&self, mode: Mode) -> Target {
        let ext = mode.library_ext();
        if self.dir.is_empty() {
            Target::new(&format!("{}.{ext}", self.name))
        } else {
            Target::new(&format!("{}/{}.{ext}", self.dir, self.name))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library(mllib: &str, name: &str, dir: &str) -> ProjectLibrary {
        ProjectLibrary {
            name: name.to_string(),
            mllib: mllib.to_string(),
            dir: dir.to_string(),
            namespace: None,
        }
    }

    #[test]
    fn a_namespace_is_a_module_name() {
        let mut lib = library("src/core/core.mllib", "core", "src/core");
        assert_eq!(lib.set_namespace("core"), Ok(()));
        assert_eq!(lib.namespace.as_deref(), Some("Core"));
        assert!(lib.set_namespace("no-way").is_err());
        assert_eq!(lib.namespace.as_deref(), Some("Core"));
    }

    #[test]
    fn a_library_is_used_by_its_tag_and_linked_by_its_archive_in_its_folder() {
        let nested = library("src/core/core.mllib", "core", "src/core");
        assert_eq!(nested.tag(), "use_core");
        assert_eq!(nested.archive(Mode::Byte).as_str(), "src/core/core.cma");
        assert_eq!(nested.archive(Mode::Native).as_str(), "src/core/core.cmxa");
        let root = library("top.mllib", "top", "");
        assert_eq!(root.archive(Mode::Byte).as_str(), "top.cma");
    }
}
