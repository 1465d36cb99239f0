//! The declared layer ([`DeclaredLayer`]): what `build_libs` and
//! `build_tools` mean to a build, turned into the declarations a plugin
//! would make (`ocaml_lib`, `flag`, `dep`), so that they work without a
//! plugin and without compiling OCaml.
//!
//! - An internal library `name dir` is the `.mllib` `dir/name.mllib`,
//!   which must exist in a traversed folder: its `use_name` tag is the one
//!   every `.mllib` declares (`-I dir` on compilations, so its sub-folders'
//!   modules stay private; its archive, built first, in links), and when
//!   another `.mllib` of the tree has the same name, the declared one wins.
//! - An external library `name dir` is `ocaml_lib ~extern:true ~dir name`:
//!   `-I dir` on compilations, `-I dir name.cma` (`.cmxa`) on links; `dir`
//!   is absolute, `+dir`, or relative to the install root.
//! - The install root (the seed's `mlstatelibs`) is `-mlstatelibs DIR`,
//!   else `$MLSTATELIBS`, else the build folder, made absolute.
//! - Tools: see [`crate::tool_paths`].

use std::path::{Path, PathBuf};

use declare::{Declarations, Library, LibraryKind};
use engine::DigestBuilder;
use ocaml::project::Project;
use ocaml::rules::project_library::ProjectLibrary;
use tags::Configuration;

use crate::error::Error;
use crate::install_root;
use crate::request::Request;

/// `build_libs` and `build_tools` of a project, with the install root.
#[derive(Debug, Clone, Default)]
pub struct DeclaredLayer {
    /// What the files declare.
    pub declarations: Declarations,
    /// The install root (`mlstatelibs`), absolute.
    pub install_root: PathBuf,
}

impl DeclaredLayer {
    /// Reads the declaration files at `root`; the install root from the
    /// request, the environment, or `build_dir`.
    pub fn read(root: &Path, build_dir: &Path, request: &Request) -> Result<DeclaredLayer, Error> {
        let declarations = Declarations::read(root).map_err(Error::Declared)?;
        let install_root = match install_root::given(request.install_root.as_deref()) {
            Some(dir) => root.join(dir),
            None => root.join(build_dir),
        };
        Ok(DeclaredLayer {
            declarations,
            install_root,
        })
    }

    /// Whether the project declares nothing.
    pub fn is_empty(&self) -> bool {
        self.declarations.is_empty()
    }

    /// What the null-build key and the configuration's fingerprint cover:
    /// every declaration (with its line) and the install root.
    pub fn fingerprint(&self) -> String {
        let mut d = DigestBuilder::new("declared-layer");
        d.str(&format!("{:?}", self.declarations));
        d.str(&self.install_root.to_string_lossy());
        d.finish().to_hex()
    }

    /// The declared libraries, in the file's order.
    pub fn libraries(&self) -> &[Library] {
        self.declarations
            .libs
            .as_ref()
            .map(|l| l.libraries.as_slice())
            .unwrap_or_default()
    }

    /// `dir` of an external library as the compilers take it.
    pub fn external_dir(&self, lib: &Library) -> String {
        if lib.dir.starts_with('/') || lib.dir.starts_with('+') {
            lib.dir.clone()
        } else {
            self.install_root
                .join(&lib.dir)
                .to_string_lossy()
                .into_owned()
        }
    }

    /// Checks that every internal library has its `.mllib` in the
    /// traversed tree.
    pub fn check_libraries(&self, root: &Path, project: &Project) -> Result<(), Error> {
        for lib in self.libraries() {
            if lib.kind != LibraryKind::Internal {
                continue;
            }
            let mllib = lib.mllib();
            if project.files.contains(&mllib) {
                continue;
            }
            let place = lib.place(declare::BUILD_LIBS);
            let (problem, hint) = if root.join(&mllib).is_file() {
                (
                    format!(
                        "the library `{}` is {mllib}, in a folder the build does not traverse.",
                        lib.name
                    ),
                    format!(
                        "tag its folder in _tags: `<{}>: traverse` (and its parents).",
                        lib.dir
                    ),
                )
            } else {
                (
                    format!("the library `{}` needs the file {mllib}.", lib.name),
                    "write it, one module path per line (`path/to/Module`), or give the \
                     library's folder: `internal NAME DIR`."
                        .to_string(),
                )
            };
            return Err(Error::Declared(declare::Error::Unsatisfied {
                place,
                problem,
                hint,
            }));
        }
        Ok(())
    }

    /// The project's libraries with the declared ones first among those
    /// of a name: another `.mllib` of the same name is dropped, so that
    /// `use_name` names the declared library.
    pub fn select_libraries(&self, libs: Vec<ProjectLibrary>) -> Vec<ProjectLibrary> {
        let declared: Vec<(String, String)> = self
            .libraries()
            .iter()
            .filter(|l| l.kind == LibraryKind::Internal)
            .map(|l| (l.name.clone(), l.mllib()))
            .collect();
        libs.into_iter()
            .filter(|p| {
                declared
                    .iter()
                    .all(|(name, mllib)| *name != p.name || *mllib == p.mllib)
            })
            .collect()
    }

    /// The flags of external libraries (`ocaml_lib ~extern:true ~dir`),
    /// and every declared library's tag marked used. Call it where the
    /// project's libraries are declared.
    pub fn declare_flags(&self, flags: &mut tags::Declarations) {
        for lib in self.libraries() {
            let tag = format!("use_{}", lib.name);
            flags.mark_tag_used(tag.as_str());
            if let Some(module) = &lib.namespace {
                // The tag `tag_namespaces` gives the `.mllib` is meant, not
                // a typo.
                flags.mark_tag_used(format!("namespace({module})").as_str());
            }
            if lib.kind != LibraryKind::External {
                continue;
            }
            let dir = self.external_dir(lib);
            for (mode, ext) in [("byte", "cma"), ("native", "cmxa")] {
                flags.flag(
                    ["ocaml", tag.as_str(), "link", mode],
                    vec!["-I".into(), dir.clone(), format!("{}.{ext}", lib.name)],
                );
            }
            for context in ["compile", "doc", "infer_interface"] {
                flags.flag(
                    ["ocaml", tag.as_str(), context],
                    vec!["-I".into(), dir.clone()],
                );
            }
        }
    }

    /// Namespaced libraries (`namespace(Module)` in `build_libs`): the one
    /// place where the declaration reaches the rules.
    ///
    /// The library's `.mllib` is tagged `namespace(Module)`, as a `_tags`
    /// line would; `ocaml::rules::libraries::read_namespace_tags` reads it
    /// back with the tags of `_tags` (see *Namespaced libraries* in
    /// docs/ARCHITECTURE.md).
    pub fn tag_namespaces(&self, config: &mut Configuration) -> Result<(), Error> {
        for lib in self.libraries() {
            if let Some(module) = &lib.namespace {
                config
                    .tag_file(&lib.mllib(), &[format!("namespace({module})")])
                    .map_err(Error::Tags)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(libs: &str) -> DeclaredLayer {
        DeclaredLayer {
            declarations: Declarations {
                libs: Some(declare::BuildLibs::parse("build_libs", libs).unwrap()),
                tools: None,
            },
            install_root: PathBuf::from("/opt/libs"),
        }
    }

    #[test]
    fn external_libraries_are_found_under_the_install_root_unless_absolute() {
        let l = layer("external a\nexternal b +b\nexternal c /usr/lib/c\nexternal d x/d\n");
        let dirs: Vec<String> = l.libraries().iter().map(|x| l.external_dir(x)).collect();
        assert_eq!(dirs, ["/opt/libs/a", "+b", "/usr/lib/c", "/opt/libs/x/d"]);
        let mut flags = tags::Declarations::new();
        l.declare_flags(&mut flags);
        let link: tags::TagSet = ["ocaml", "link", "byte", "use_b"].into_iter().collect();
        assert_eq!(flags.flags_of(&link), ["-I", "+b", "b.cma"]);
        let compile: tags::TagSet = ["ocaml", "compile", "native", "use_d"]
            .into_iter()
            .collect();
        assert_eq!(flags.flags_of(&compile), ["-I", "/opt/libs/x/d"]);
    }

    #[test]
    fn a_declared_library_wins_its_name() {
        let l = layer("internal m src/m\n");
        let lib = |mllib: &str, dir: &str| ProjectLibrary {
            name: "m".into(),
            mllib: mllib.into(),
            dir: dir.into(),
            namespace: None,
        };
        let kept = l.select_libraries(vec![
            lib("old/m.mllib", "old"),
            lib("src/m/m.mllib", "src/m"),
        ]);
        assert_eq!(kept, [lib("src/m/m.mllib", "src/m")]);
    }

    #[test]
    fn a_missing_mllib_is_reported_at_the_declaration() {
        let l = layer("# libs\ninternal base src/base\n");
        let dir = tempfile::tempdir().unwrap();
        let e = l
            .check_libraries(dir.path(), &Project::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(
                "File \"build_libs\", line 2, characters 0-22:\nError: the library `base` needs \
                 the file src/base/base.mllib."
            ),
            "{e}"
        );
    }
}
