//! The project's own libraries and their `use_<lib>` tags, and what a
//! library archive hands to the links that use it ([`LibraryInfo`]).
//!
//! ocamlbuild declares a library of the project with `ocaml_lib ~dir "d/foo"`
//! in a plugin. caravan has no plugin: every `d/foo.mllib` of the traversed
//! tree declares `use_foo` the way that call would. A command tagged
//! `use_foo` then gets, like with ocamlbuild:
//!
//! - compiling (and `infer_interface`, `doc`): `-I d` (nothing for a library
//!   at the root), after the built-in flags;
//! - linking a program, an archive without `.mllib`, an output object, or
//!   the units of a list file: `d/foo.cma` (`.cmxa`) is built first, every
//!   module of the library is replaced by the archive in the link, and the
//!   archive is put first when nothing else in the link uses it.
//!
//! The tag is never reported as unused. Two `.mllib` files with the same
//! name in different folders make `use_<name>` ambiguous: a command using
//! it fails with both paths.

use engine::{Result, Target, TaskCx};
use tags::{Declarations, TagSet};

use super::context::RuleContext;
use super::list_file;
use super::project_library::ProjectLibrary;
use crate::mode::Mode;
use crate::module_name::capitalize;
use crate::namespace;
use crate::project::Project;
use crate::resolver::ModuleSource;
use crate::rule_error::{Category, RuleError};
use crate::tagging::Tagger;

/// The libraries of a project, in path order.
pub fn of_project(project: &Project) -> Vec<ProjectLibrary> {
    let mut libs: Vec<ProjectLibrary> = project
        .files
        .iter()
        .filter(|f| f.ends_with(".mllib"))
        .map(|f| {
            let t = Target::new(f);
            ProjectLibrary {
                name: list_file::stem_of(t.file_name()).to_string(),
                mllib: f.clone(),
                dir: t.dir().to_string(),
                namespace: None,
            }
        })
        .collect();
    libs.sort_by(|a, b| a.mllib.cmp(&b.mllib));
    libs
}

/// Declares the flags of the `use_<lib>` tags (what `ocaml_lib ~dir` does)
/// and marks the tags used. Call it after the built-in declarations, before
/// the tag checks.
pub fn declare(libs: &[ProjectLibrary], decls: &mut Declarations) {
    // `namespace(Foo)` gives no flag: `read_namespace_tags` reads it.
    decls.known_parametrised(namespace::TAG);
    for lib in libs {
        let tag = lib.tag();
        decls.mark_tag_used(tag.as_str());
        if lib.dir.is_empty() {
            continue;
        }
        for context in ["compile", "doc", "infer_interface"] {
            decls.flag(
                ["ocaml", tag.as_str(), context],
                vec!["-I".to_string(), lib.dir.clone()],
            );
        }
    }
}

/// Sets [`ProjectLibrary::namespace`] from the `namespace(Foo)` tag on each
/// library's `.mllib`, `.cma` or `.cmxa` path. A name that is not a module
/// name, two different names for one library, or a source where the alias
/// module would be generated is an error at the `_tags` line.
pub fn read_namespace_tags(
    libs: &mut [ProjectLibrary],
    tagger: &Tagger,
    project: &Project,
) -> crate::Result<()> {
    let written = tagger.config().acknowledged_tags();
    let place = |tag: &str| -> String {
        written
            .iter()
            .find(|t| t.tag.as_str() == tag)
            .map(|t| format!("{}:\n", t.location))
            .unwrap_or_default()
    };
    for lib in libs.iter_mut() {
        let mut names: Vec<String> = Vec::new();
        for path in [
            lib.mllib.clone(),
            lib.archive(Mode::Byte).to_string(),
            lib.archive(Mode::Native).to_string(),
        ] {
            for tag in tagger.tags_of(&path).iter() {
                if tag.name() == Some(namespace::TAG)
                    && let Some(param) = tag.param()
                    && !names.iter().any(|n| n == param)
                {
                    names.push(param.to_string());
                }
            }
        }
        let tag_of = |n: &str| {
            tags::Tag::parametrised(namespace::TAG, n)
                .as_str()
                .to_string()
        };
        match names.as_slice() {
            [] => {}
            [name] => {
                let clashes = namespace::clashing_sources(project, &lib.dir, name);
                if let Err(problem) = lib.set_namespace(name) {
                    return Err(crate::Error::Namespace(format!(
                        "{}the library {} is tagged {}, but {problem}.\nHint: name the \
                         namespace like a module, e.g. namespace({}).",
                        place(&tag_of(name)),
                        lib.mllib,
                        tag_of(name),
                        capitalize(&lib.name)
                    )));
                }
                if let Some(file) = clashes.first() {
                    return Err(crate::Error::Namespace(format!(
                        "{}the library {} is namespaced as {}, whose alias module caravan \
                         generates, but the project has {file}.\nHint: rename {file}, or \
                         choose another namespace.",
                        place(&tag_of(name)),
                        lib.mllib,
                        capitalize(name)
                    )));
                }
            }
            several => {
                return Err(crate::Error::Namespace(format!(
                    "{}the library {} is tagged with several namespaces: {}.\nHint: keep one \
                     namespace(...) tag for it.",
                    place(&tag_of(&several[1])),
                    lib.mllib,
                    several.join(", ")
                )));
            }
        }
    }
    Ok(())
}

/// The declarations of the namespaced libraries among `libraries`: reads
/// each one's `.mllib` under the project root. A library declares its
/// namespace by [`ProjectLibrary::namespace`] ([`read_namespace_tags`]
/// fills it from `_tags`; a `build_libs` file sets it with
/// [`ProjectLibrary::set_namespace`]). A source where the alias module
/// goes is an error.
pub fn namespace_declarations(
    project: &Project,
    libraries: &[ProjectLibrary],
) -> crate::Result<Vec<namespace::Declaration>> {
    let mut out = Vec::new();
    for lib in libraries {
        let Some(name) = &lib.namespace else {
            continue;
        };
        // A namespace set by the `_tags` tag was checked at its line.
        if let Some(file) = namespace::clashing_sources(project, &lib.dir, name).first() {
            return Err(crate::Error::Namespace(format!(
                "the library {} is namespaced as {name}, whose alias module caravan \
                 generates, but the project has {file}.\nHint: rename {file}, or choose \
                 another namespace.",
                lib.mllib
            )));
        }
        let path = project.root.join(&lib.mllib);
        let text = std::fs::read(&path).map_err(|e| crate::Error::io(&path, e))?;
        out.push(namespace::Declaration {
            name: name.clone(),
            mllib: lib.mllib.clone(),
            entries: list_file::words(&String::from_utf8_lossy(&text)),
        });
    }
    Ok(out)
}

/// The project libraries a link of `out` uses: those named by its
/// `use_<lib>` tags, except `out`'s own library, in ocamlbuild's order
/// (reverse order of the tag names).
pub fn used_by(cx: &RuleContext, out: &Target, tags: &TagSet) -> Result<Vec<ProjectLibrary>> {
    let own = list_file::stem_of(out.as_str());
    let mut used = Vec::new();
    for tag in tags.iter() {
        let Some(name) = tag.as_str().strip_prefix("use_") else {
            continue;
        };
        let candidates: Vec<&ProjectLibrary> =
            cx.libraries.iter().filter(|l| l.name == name).collect();
        match candidates.as_slice() {
            [] => {}
            [lib] => {
                if list_file::stem_of(&lib.mllib) != own {
                    used.push((*lib).clone());
                }
            }
            several => {
                let paths: Vec<&str> = several.iter().map(|l| l.mllib.as_str()).collect();
                return Err(RuleError::new(
                    Category::AmbiguousLibrary,
                    format!(
                        "{out} is tagged {tag}, but several libraries of the project are named \
                         {name}: {}.\nHint: rename one of the .mllib files so that each \
                         use_<name> tag names one library.",
                        paths.join(", ")
                    ),
                )
                .into());
            }
        }
    }
    used.reverse();
    Ok(used)
}

/// A library a link uses, with its modules.
#[derive(Debug, Clone)]
pub struct UsedLibrary {
    /// The archive linked (`d/foo.cma` or `d/foo.cmxa`).
    pub archive: Target,
    /// The modules of its `.mllib`.
    pub members: Vec<ModuleSource>,
}

/// What a library archive hands to the links that use it.
#[derive(Debug, Clone, Default)]
pub struct LibraryInfo {
    /// The stems of its modules.
    pub members: Vec<String>,
    /// The C libraries of the project it links (`libfoo.a`, `dllfoo.so`).
    pub stubs: Vec<Target>,
}

/// Reads the modules of each used library, and starts building their
/// archives.
pub async fn prepare(
    tcx: &TaskCx,
    cx: &RuleContext,
    libs: &[ProjectLibrary],
    mode: Mode,
) -> Result<Vec<UsedLibrary>> {
    let archives: Vec<Target> = libs.iter().map(|l| l.archive(mode)).collect();
    tcx.prefetch(&archives);
    let mut out = Vec::new();
    for (lib, archive) in libs.iter().zip(archives) {
        let members = list_file::modules(tcx, cx, &Target::new(&lib.mllib)).await?;
        out.push(UsedLibrary { archive, members });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mllib_is_a_library_named_after_its_file() {
        let p = Project {
            files: vec!["a.ml".into(), "lib/foo.mllib".into(), "bar.mllib".into()],
            ..Project::default()
        };
        let libs = of_project(&p);
        assert_eq!(libs.len(), 2);
        assert_eq!(libs[0].name, "bar");
        assert_eq!(libs[0].dir, "");
        assert_eq!(libs[1].tag(), "use_foo");
        assert_eq!(libs[1].archive(Mode::Native).as_str(), "lib/foo.cmxa");
    }

    #[test]
    fn a_library_in_a_folder_adds_it_to_compile_commands() {
        let p = Project {
            files: vec!["lib/foo.mllib".into(), "bar.mllib".into()],
            ..Project::default()
        };
        let mut d: Declarations = Declarations::new();
        declare(&of_project(&p), &mut d);
        let compile: TagSet = ["ocaml", "compile", "byte", "use_foo", "use_bar"]
            .into_iter()
            .collect();
        assert_eq!(d.flags_of(&compile), ["-I", "lib"]);
        let link: TagSet = ["ocaml", "link", "use_foo"].into_iter().collect();
        assert!(d.flags_of(&link).is_empty());
        assert!(d.used_tags().contains("use_bar"));
    }
}

#[cfg(test)]
mod rule_tests {
    //! As ocamlbuild 0.14.1 with `ocaml_lib ~dir:"mylib" "mylib/mylib"` in
    //! its plugin (caravan declares it from the `.mllib`).

    use crate::rules::testing::Fixture;

    #[test]
    fn use_lib_includes_the_folder_and_links_the_archive_instead_of_its_modules() {
        let b = Fixture::new(&[
            ("mylib/a.ml", "let a = B.b\n"),
            ("mylib/b.ml", "let b = 1\n"),
            ("mylib/mylib.mllib", "B\nA\n"),
            ("main.ml", "let () = print_int A.a\n"),
        ])
        .tags("<main.*>: use_mylib\n")
        .build(&["main.byte", "main.native"])
        .ok();
        assert_eq!(
            b.line("main.cmo"),
            "ocamlc.opt -c -I mylib -o main.cmo main.ml"
        );
        assert_eq!(
            b.line("main.byte"),
            "ocamlc.opt -I mylib mylib/mylib.cma main.cmo -o main.byte"
        );
        assert_eq!(
            b.line("main.native"),
            "ocamlopt.opt -I mylib mylib/mylib.cmxa main.cmx -o main.native"
        );
        assert!(
            b.action("main.byte")
                .inputs
                .iter()
                .any(|i| i == "mylib/mylib.cma")
        );
    }

    #[test]
    fn two_libraries_of_one_name_make_use_lib_ambiguous() {
        let b = Fixture::new(&[
            ("x/m.mllib", ""),
            ("y/m.mllib", ""),
            ("main.ml", "let () = ()\n"),
        ])
        .tags("<main.*>: use_m\n")
        .build(&["main.byte"]);
        assert!(b.error().contains("x/m.mllib, y/m.mllib"), "{b:#?}");
    }
}
