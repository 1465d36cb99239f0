//! An internal library of `build_libs` as installing it sees it
//! ([`DeclaredLibrary`]): its folder (whose modules are public), its
//! archives, where it goes under the install root, and what it uses (the
//! `use_<lib>` tags of declared libraries and the `package(…)` tags its
//! modules carry). `Build::declared_libraries` lists them.

use std::path::PathBuf;

use declare::LibraryKind;
use ocaml::project::Project;
use ocaml::tagging::Tagger;

use crate::declared_layer::DeclaredLayer;

/// One internal library of `build_libs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredLibrary {
    /// The name (`use_<name>`, `<name>.cma`).
    pub name: String,
    /// The main folder, relative to the root (`.` for the root): the
    /// interfaces of its modules (`.cmi`, `.cmti`, `.cmx`, `.mli`) are the
    /// public ones; sub-folders' are private.
    pub dir: String,
    /// The list file, `dir/name.mllib`.
    pub mllib: String,
    /// Targets of the archives, relative to the build folder:
    /// `dir/name.cma`, `dir/name.cmxa`, `dir/name.a`, `dir/name.cmxs`.
    pub archives: Vec<String>,
    /// The source files of the main folder's modules (`.ml`, `.mli`),
    /// relative to the root: their compiled interfaces are installed.
    pub public_sources: Vec<String>,
    /// Where it goes: the install root joined with `build_libs`'s
    /// install folder.
    pub install_dir: PathBuf,
    /// The declared libraries (internal or external) its modules use, by
    /// name, in `build_libs`'s order.
    pub uses: Vec<String>,
    /// The findlib packages its modules use (`package(p)` tags), sorted.
    pub packages: Vec<String>,
    /// `namespace(Module)` in `build_libs`.
    pub namespace: Option<String>,
}

impl DeclaredLibrary {
    /// The internal libraries of `layer`, in `build_libs`'s order.
    pub fn list(layer: &DeclaredLayer, tagger: &Tagger, project: &Project) -> Vec<DeclaredLibrary> {
        let libs = layer.libraries();
        libs.iter()
            .filter(|l| l.kind == LibraryKind::Internal)
            .map(|lib| {
                let dir = lib.dir.clone();
                let prefix = if dir == "." {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                let public_sources: Vec<String> = project
                    .files
                    .iter()
                    .filter(|f| {
                        f.strip_prefix(&prefix).is_some_and(|rest| {
                            !rest.contains('/') && (rest.ends_with(".ml") || rest.ends_with(".mli"))
                        })
                    })
                    .cloned()
                    .collect();
                let modules: Vec<&String> = project
                    .files
                    .iter()
                    .filter(|f| f.starts_with(&prefix) && f.ends_with(".ml"))
                    .collect();
                let mut uses = Vec::new();
                let mut packages = Vec::new();
                for m in modules {
                    for tag in tagger.tags_of(m).iter() {
                        let t = tag.as_str();
                        if let Some(name) = t.strip_prefix("use_")
                            && name != lib.name
                            && libs.iter().any(|l| l.name == name)
                            && !uses.iter().any(|u: &String| u == name)
                        {
                            uses.push(name.to_string());
                        }
                        if tag.name() == Some("package")
                            && let Some(p) = tag.param()
                        {
                            for p in p.split([',', ' ']).filter(|p| !p.is_empty()) {
                                if !packages.iter().any(|q: &String| q == p) {
                                    packages.push(p.to_string());
                                }
                            }
                        }
                    }
                }
                uses.sort_by_key(|u| libs.iter().position(|l| l.name == *u));
                packages.sort();
                let stem = lib.archive_stem();
                DeclaredLibrary {
                    name: lib.name.clone(),
                    dir,
                    mllib: lib.mllib(),
                    archives: ["cma", "cmxa", "a", "cmxs"]
                        .iter()
                        .map(|ext| format!("{stem}.{ext}"))
                        .collect(),
                    public_sources,
                    install_dir: layer.install_root.join(&lib.install_dir),
                    uses,
                    packages,
                    namespace: lib.namespace.clone(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ocaml::tagging::TagsBuilder;

    #[test]
    fn a_library_lists_its_public_sources_uses_and_packages() {
        let layer = DeclaredLayer {
            declarations: declare::Declarations {
                libs: Some(
                    declare::BuildLibs::parse(
                        "build_libs",
                        "internal base\ninternal app src/app lib/app\nexternal zip +zip\n",
                    )
                    .unwrap(),
                ),
                tools: None,
            },
            install_root: "/opt/l".into(),
        };
        let project = Project {
            files: vec![
                "base/a.ml".into(),
                "src/app/b.ml".into(),
                "src/app/b.mli".into(),
                "src/app/app.mllib".into(),
                "src/app/sub/c.ml".into(),
            ],
            ..Project::default()
        };
        let mut builder = TagsBuilder::new(&[], &[], true, &[], &[]).unwrap();
        builder
            .config_mut()
            .add_tags_file(
                "",
                b"<src/app/*.ml>: use_base, package(str)\n<src/app/sub/*.ml>: use_zip, use_other\n",
            )
            .unwrap();
        let tagger = builder.finish();
        let libs = DeclaredLibrary::list(&layer, &tagger, &project);
        assert_eq!(libs.len(), 2);
        let app = &libs[1];
        assert_eq!(app.dir, "src/app");
        assert_eq!(app.public_sources, ["src/app/b.ml", "src/app/b.mli"]);
        assert_eq!(app.uses, ["base", "zip"]);
        assert_eq!(app.packages, ["str"]);
        assert_eq!(app.install_dir, PathBuf::from("/opt/l/lib/app"));
        assert_eq!(app.archives[0], "src/app/app.cma");
        assert!(libs[0].uses.is_empty());
    }
}
