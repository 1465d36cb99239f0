//! The built-in rule of a target ([`OcamlRules::builtin`]), and the
//! [`OcamlRules`] value the engine runs: the built-in rules and the
//! project's own ([`DeclaredRules`]) over one context (their order is
//! `rule_order`'s).
//!
//! A target is mapped to its task by its extension and by which sources
//! exist (decided up front from the project tree, instead of ocamlbuild's
//! trial-and-error over an ordered rule list). Where several rules could
//! apply, the choice is ocamlbuild's rule order:
//!
//! | target | from | task | key |
//! |---|---|---|---|
//! | `x.ml.depends`, `x.mli.depends` | `x.ml`, `x.mli` | [`depends::Depends`] (in-process scan) | itself |
//! | `.caravan/scan/x.ml.depends`, `.mli.depends` (the build's own scan, [`depends::scan_target`]) | `x.ml`, `x.mli` | [`depends::Depends`] | itself |
//! | `x.cmi` | `x.mli` | [`compile::Interface`] | `x.cmi` |
//! | `x.cmi`, `x.cmo` | `x.mlpack` (wins over `x.ml`) | [`pack::Pack`] byte (native in a native-only build) | `x.cmo` |
//! | `x.cmx`, `x.o` | `x.mlpack` | [`pack::Pack`] native | `x.cmx` |
//! | `x.cmo` (and `x.cmi` without `x.mli`, unless native-only) | `x.ml` | [`compile::Implementation`] byte | `x.cmo` |
//! | `x.cmx`, `x.o` (and `x.cmi` without `x.mli` in a native-only build: written, or that of an up-to-date bytecode compilation) | `x.ml` | [`compile::Implementation`] native | `x.cmx` |
//! | `x.cmt` (`bin_annot`) | `x.ml` | the implementation that writes the `.cmi` | `x.cmo` or `x.cmx` |
//! | `x.cmti` (`bin_annot`) | `x.mli` | [`compile::Interface`] | `x.cmi` |
//! | `x.o` | `x.c` | [`c_stubs::CObject`] | `x.o` |
//! | `libX.a`, `dllX.so` | `libX.clib`, else `X.c` | [`c_stubs::CLibrary`] | `libX.a` |
//! | `x.byte`, `x.native` | `x.ml` | [`link::Link`] program | itself |
//! | `x.byte.o`, `x.byte.c`, `x.byte.so`, `x.native.o`, `x.native.so`, `x.byte.complete.o`, `x.native.complete.o`, `x.byte.exe` | `x.ml` | [`link::Link`] output kind ([`output_obj`]) | itself |
//! | `x.cma` | `x.mllib` | [`units::Units`] | itself |
//! | `x.cma` | `x.ml` (its closure) | [`link::Link`] archive | itself |
//! | `x.cmxa`, `x.a` | `x.mllib`, else `x.ml` | the same, native | `x.cmxa` |
//! | `x.cmxs` | `x.mldylib` | [`units::Units`] plugin | itself |
//! | `x.cmxs` | `x.cmxa` (from `x.mllib` or `x.ml`) | [`units::PluginOfArchive`] | itself |
//! | `x.top` | `x.mltop` | [`units::Units`] toplevel | itself |
//! | `x.otarget` | `x.itarget` | [`itarget::TargetGroup`] | itself |
//! | `x.inferred.mli` | `x.ml` | [`infer::InferredInterface`] | itself |
//! | `x.ml` (not a source) | `x.mll` | [`ocamllex::Ocamllex`] | `x.ml` |
//! | `x.ml`, `x.mli` (neither a source) | `x.mly` | [`ocamlyacc::Ocamlyacc`], or [`menhir::Menhir`] with menhir | `x.ml` |
//! | `x.ml`, `x.mli` (menhir) | `x.mlypack` | [`menhir::Menhir`] | `x.ml` |
//! | `x.mly.depends`, `x.mlypack.depends` (menhir) | `x.mly`, `x.mlypack` | [`menhir::MenhirDepends`] | itself |
//! | `d/foo__Bar.ml`, `.mli` (a member of a namespaced library) | `d/bar.ml`, `.mli` | [`namespace_source::NamespaceSource`] copy | itself |
//! | `d/foo.ml`, `d/foo__.ml` (its alias modules) | the `.mllib` | [`namespace_source::NamespaceSource`] alias | itself |
//! | `x.pp.ml` | `x.ml` | [`preprocess::PpMl`] | itself |
//! | `x.ml.ast`, `x.mli.ast` (a ppx driver applies) | `x.ml`, `x.mli` | [`ppx::Rewrite`] | itself |
//! | `.caravan/ppx/<hash>/ppx.exe` (asked for by a rewrite) | the rewriter packages | [`ppx::Driver`] | itself |
//! | `x.odoc` | `x.mli`, else `x.ml` | [`ocamldoc::Odoc`] | itself |
//! | `f.docdir/index.html`, `f.docdir/html.stamp` | `f.odocl` | [`ocamldoc::DocDir`] | `f.docdir/index.html` |
//! | `f.docdir/man`, `f.docdir/man.stamp` | `f.odocl` | [`ocamldoc::DocDir`] | `f.docdir/man` |
//! | `f.docdir/X.tex`, `.ltx`, `.texi`, `.dot` | `f.odocl` | [`ocamldoc::DocDir`] | itself |
//!
//! Which generator makes a module's `.ml` is the resolver's decision
//! ([`crate::resolver::Generator`]): a real source always wins, then
//! ocamlbuild's rule order (`.mll`, `.mlypack`, `.mly`).

use std::sync::Arc;

use engine::{Result, Target, Task, TaskCx, TaskValue};
use futures::future::BoxFuture;

use super::context::RuleContext;
use super::declared::DeclaredRules;
use super::link::LinkKind;
use super::units::UnitsKind;
use super::{
    c_stubs, compile, depends, infer, itarget, link, menhir, namespace_source, ocamldoc, ocamllex,
    ocamlyacc, output_obj, pack, ppx, ppx_drivers, preprocess, units,
};
use crate::mode::Mode;
use crate::resolver::Generator;
use crate::rule_error::{Category, RuleError};

/// The OCaml rule set.
#[derive(Clone)]
pub struct OcamlRules {
    cx: Arc<RuleContext>,
    plugin: Option<Arc<dyn DeclaredRules>>,
}

impl OcamlRules {
    /// Rules over a context, with the rules of the project's plugin if it
    /// has one (`cx.has_plugin` says whether it does).
    pub fn new(cx: RuleContext, plugin: Option<Arc<dyn DeclaredRules>>) -> OcamlRules {
        OcamlRules {
            cx: Arc::new(cx),
            plugin,
        }
    }

    /// The built-in rules over a context already shared (a plugin action
    /// made by `Ocaml_compiler` asks the built-in rule of its target this
    /// way).
    pub fn of_context(cx: Arc<RuleContext>) -> OcamlRules {
        OcamlRules { cx, plugin: None }
    }

    /// The rules of the project's plugin, if it has one.
    pub fn plugin(&self) -> Option<&Arc<dyn DeclaredRules>> {
        self.plugin.as_ref()
    }

    /// The shared context.
    pub fn context(&self) -> &Arc<RuleContext> {
        &self.cx
    }

    /// The target to build for a name given on the command line: a name
    /// without a directory whose sources are not at the root is looked up in
    /// the include directories, as ocamlbuild does.
    pub fn locate(&self, name: &str) -> Target {
        let target = Target::new(name);
        if !target.dir().is_empty() || self.has_sources(target.as_str()) {
            return target;
        }
        for dir in self
            .cx
            .project
            .include_dirs
            .iter()
            .filter(|d| !d.is_empty())
        {
            let candidate = format!("{dir}/{}", target.as_str());
            if self.has_sources(&candidate) {
                return Target::new(&candidate);
            }
        }
        target
    }

    /// Whether the sources a target is made from exist.
    fn has_sources(&self, target: &str) -> bool {
        if self.cx.resolver.is_source_or_generated(target) {
            return true;
        }
        if let Some(src) = target.strip_suffix(".depends") {
            return self.cx.resolver.is_source_or_generated(src);
        }
        let tc = &self.cx.toolchain;
        let stem = if let Some(stem) = target.strip_suffix(".inferred.mli") {
            stem
        } else if let Some((stem, _, _)) = output_obj::parse(target, tc.ext_obj(), tc.ext_dll()) {
            stem
        } else {
            match target.rsplit_once('.') {
                Some((stem, _)) => stem,
                None => return false,
            }
        };
        if self.cx.module_at(stem).is_some() || self.c_library(&Target::new(target)).is_some() {
            return true;
        }
        ["mllib", "mldylib", "mltop", "itarget", "c"]
            .iter()
            .any(|ext| {
                self.cx
                    .resolver
                    .is_source_or_generated(&format!("{stem}.{ext}"))
            })
    }

    /// The task of a C library file (`libX.a`, `dllX.so`), when one applies.
    fn c_library(&self, target: &Target) -> Option<(Target, Arc<dyn Task>)> {
        let cx = &self.cx;
        let tc = &cx.toolchain;
        let name = target.file_name();
        let lib_name = name
            .strip_prefix("lib")
            .and_then(|n| n.strip_suffix(&format!(".{}", tc.ext_lib())))
            .or_else(|| {
                name.strip_prefix("dll")
                    .and_then(|n| n.strip_suffix(&format!(".{}", tc.ext_dll())))
            })
            .filter(|n| !n.is_empty() && !n.contains('.'))?;
        let dir = target.dir();
        let in_dir = |f: String| {
            if dir.is_empty() {
                f
            } else {
                format!("{dir}/{f}")
            }
        };
        let base = in_dir(lib_name.to_string());
        let clib = in_dir(format!("lib{lib_name}.clib"));
        let source = if cx.resolver.is_source_or_generated(&clib) {
            c_stubs::CLibrarySource::List(Target::new(&clib))
        } else if cx.resolver.is_source(&format!("{base}.c")) {
            c_stubs::CLibrarySource::Single(Target::new(&format!("{base}.{}", tc.ext_obj())))
        } else {
            return None;
        };
        let key = c_stubs::library_files(cx, &base).into_iter().next()?;
        Some((
            key,
            Arc::new(c_stubs::CLibrary {
                cx: cx.clone(),
                source,
                base,
            }),
        ))
    }

    /// The task of a generator run on `source`, keyed by the `.ml` it writes.
    fn generator(&self, generator: Generator, source: &str) -> (Target, Arc<dyn Task>) {
        let cx = self.cx.clone();
        let stem = source.rsplit_once('.').map(|(s, _)| s).unwrap_or(source);
        let key = Target::new(&format!("{stem}.ml"));
        let source = Target::new(source);
        let task: Arc<dyn Task> = match generator {
            Generator::Ocamllex => Arc::new(ocamllex::Ocamllex { cx, mll: source }),
            Generator::Parser if cx.options.menhir => Arc::new(menhir::Menhir {
                cx,
                grammar: menhir::Grammar::Single(source),
            }),
            Generator::Parser => Arc::new(ocamlyacc::Ocamlyacc { cx, mly: source }),
            Generator::MenhirPack => Arc::new(menhir::Menhir {
                cx,
                grammar: menhir::Grammar::Pack(source),
            }),
        };
        (key, task)
    }

    /// The built-in rule that applies to `target`, if one does (see the
    /// table at the top of this module).
    pub fn builtin(&self, target: &Target) -> Option<(Target, Arc<dyn Task>)> {
        let s = target.as_str();
        let cx = self.cx.clone();
        if let Some(src) = depends::scanned_source(s) {
            if !cx.resolver.is_source_or_generated(src) {
                return Some((target.clone(), missing(target, src)));
            }
            let source = Target::new(src);
            return Some((target.clone(), Arc::new(depends::Depends { cx, source })));
        }
        if let Some(src) = s.strip_suffix(".depends")
            && (src.ends_with(".ml") || src.ends_with(".mli"))
        {
            let source = Target::new(src);
            if !cx.resolver.is_source_or_generated(src) {
                return Some((target.clone(), missing(target, src)));
            }
            return Some((target.clone(), Arc::new(depends::Depends { cx, source })));
        }
        if let Some(src) = s.strip_suffix(".depends")
            && cx.options.menhir
            && let Some(grammar) = grammar_of(src)
        {
            if !cx.resolver.is_source(src) {
                return Some((target.clone(), missing(target, src)));
            }
            return Some((
                target.clone(),
                Arc::new(menhir::MenhirDepends { cx, grammar }),
            ));
        }
        if let Some(src) = s.strip_suffix(".ast")
            && (src.ends_with(".ml") || src.ends_with(".mli"))
        {
            if !cx.resolver.is_source_or_generated(src) {
                return Some((target.clone(), missing(target, src)));
            }
            let source = Target::new(src);
            return Some((target.clone(), Arc::new(ppx::Rewrite { cx, source })));
        }
        if s.starts_with(ppx_drivers::DRIVER_DIR) {
            let rewriters = cx.ppx_drivers.rewriters_of(s)?;
            return Some((target.clone(), Arc::new(ppx::Driver { cx, rewriters })));
        }
        if let Some(generated) = cx.namespaces.generated(s) {
            return Some((
                target.clone(),
                Arc::new(namespace_source::NamespaceSource { generated }),
            ));
        }
        if let Some((generator, source)) = cx.resolver.generator_of(s) {
            return Some(self.generator(generator, &source));
        }
        if let Some((prefix, rest)) = s.split_once(".docdir/")
            && let Some(kind) = ocamldoc::DocKind::of(rest)
        {
            let odocl = format!("{prefix}.odocl");
            let key = kind.key(&format!("{prefix}.docdir"), rest);
            if !cx.resolver.is_source_or_generated(&odocl) {
                return Some((key, missing(target, &odocl)));
            }
            let odocl = Target::new(&odocl);
            return Some((key, Arc::new(ocamldoc::DocDir { cx, odocl, kind })));
        }
        if let Some(stem) = s.strip_suffix(".odoc") {
            return Some(match cx.module_at(stem) {
                Some(module) => (
                    target.clone(),
                    Arc::new(ocamldoc::Odoc { cx, module }) as Arc<dyn Task>,
                ),
                None => (target.clone(), missing(target, &format!("{stem}.ml"))),
            });
        }
        if let Some(stem) = s.strip_suffix(".pp.ml") {
            let ml = format!("{stem}.ml");
            if !cx.resolver.is_source_or_generated(&ml) {
                return Some((target.clone(), missing(target, &ml)));
            }
            let ml = Target::new(&ml);
            return Some((target.clone(), Arc::new(preprocess::PpMl { cx, ml })));
        }
        if let Some(stem) = s.strip_suffix(".inferred.mli") {
            return Some(match cx.module_at(stem).filter(|m| m.compiles_ml()) {
                Some(module) => (
                    target.clone(),
                    Arc::new(infer::InferredInterface { cx, module }) as Arc<dyn Task>,
                ),
                None => (target.clone(), missing(target, &format!("{stem}.ml"))),
            });
        }
        let (ext_obj, ext_lib) = (
            cx.toolchain.ext_obj().to_string(),
            cx.toolchain.ext_lib().to_string(),
        );
        if let Some((stem, mode, kind)) = output_obj::parse(s, &ext_obj, cx.toolchain.ext_dll()) {
            return Some(self.link(target, stem, mode, LinkKind::Output(kind)));
        }
        if let Some(p) = self.c_library(target) {
            return Some(p);
        }
        let (stem, ext) = s.rsplit_once('.')?;
        if stem.is_empty() || stem.ends_with('/') {
            return None;
        }
        let module = cx.module_at(stem);
        // A list file (`.mldylib`, `.itarget`...) or C file counts when it
        // is a source or a plugin rule makes it, as ocamlbuild would find
        // by trying the rule.
        let source = |e: &str| cx.resolver.is_source_or_generated(&format!("{stem}.{e}"));
        let implementation = |mode: Mode| -> (Target, Arc<dyn Task>) {
            let key = Target::new(&format!("{stem}.{}", mode.object_ext()));
            match module.clone() {
                Some(m) if m.pack => (
                    key,
                    Arc::new(pack::Pack {
                        cx: cx.clone(),
                        module: m,
                        mode,
                    }),
                ),
                Some(m) if m.has_ml => (
                    key,
                    Arc::new(compile::Implementation {
                        cx: cx.clone(),
                        module: m,
                        mode,
                    }),
                ),
                _ => (key, missing(target, &format!("{stem}.ml"))),
            }
        };
        let owner = compile::cmi_owner(&cx);
        Some(match ext {
            "cmi" => match &module {
                Some(m) if m.has_mli => (
                    target.clone(),
                    Arc::new(compile::Interface {
                        cx: cx.clone(),
                        module: m.clone(),
                    }),
                ),
                _ => implementation(owner),
            },
            "cmo" => implementation(Mode::Byte),
            "cmx" => implementation(Mode::Native),
            "cmt" | "cmti" => return Some(self.annotation(target, stem, ext == "cmti")),
            e if e == ext_obj && module.as_ref().is_some_and(|m| m.is_linkable()) => {
                implementation(Mode::Native)
            }
            e if e == ext_obj && source("c") => (
                target.clone(),
                Arc::new(c_stubs::CObject {
                    cx: cx.clone(),
                    source: Target::new(&format!("{stem}.c")),
                }),
            ),
            "byte" => self.link(target, stem, Mode::Byte, LinkKind::Program),
            "native" => self.link(target, stem, Mode::Native, LinkKind::Program),
            "cma" => self.archive(target, stem, Mode::Byte),
            e if e == "cmxa" || e == ext_lib => self.archive(target, stem, Mode::Native),
            "cmxs" if source("mldylib") => self.units(target, stem, "mldylib", UnitsKind::Plugin),
            "cmxs" => {
                let cmxa = Target::new(&format!("{stem}.cmxa"));
                if source("mllib") || module.as_ref().is_some_and(|m| m.is_linkable()) {
                    (
                        target.clone(),
                        Arc::new(units::PluginOfArchive {
                            cx: cx.clone(),
                            cmxa,
                        }),
                    )
                } else {
                    (target.clone(), missing(target, &format!("{stem}.mldylib")))
                }
            }
            "top" => self.units(target, stem, "mltop", UnitsKind::Toplevel),
            "otarget" => {
                let itarget = format!("{stem}.itarget");
                if source("itarget") {
                    (
                        target.clone(),
                        Arc::new(itarget::TargetGroup {
                            cx: cx.clone(),
                            itarget: Target::new(&itarget),
                        }),
                    )
                } else {
                    (target.clone(), missing(target, &itarget))
                }
            }
            _ => return None,
        })
    }

    /// A link of `stem`'s closure.
    fn link(
        &self,
        target: &Target,
        stem: &str,
        mode: Mode,
        kind: LinkKind,
    ) -> (Target, Arc<dyn Task>) {
        match self.cx.module_at(stem).filter(|m| m.is_linkable()) {
            Some(main) => (
                target.clone(),
                Arc::new(link::Link {
                    cx: self.cx.clone(),
                    main,
                    mode,
                    kind,
                }),
            ),
            None => (target.clone(), missing(target, &format!("{stem}.ml"))),
        }
    }

    /// An archive: from `stem.mllib`, else of `stem`'s closure.
    fn archive(&self, target: &Target, stem: &str, mode: Mode) -> (Target, Arc<dyn Task>) {
        let key = Target::new(&format!("{stem}.{}", mode.library_ext()));
        let (_, task) = if self
            .cx
            .resolver
            .is_source_or_generated(&format!("{stem}.mllib"))
        {
            self.units(&key, stem, "mllib", UnitsKind::Archive(mode))
        } else {
            match self.cx.module_at(stem).filter(|m| m.is_linkable()) {
                Some(_) => self.link(&key, stem, mode, LinkKind::Archive),
                None => (key.clone(), missing(target, &format!("{stem}.mllib"))),
            }
        };
        (key, task)
    }

    /// A link of the units of `stem.<list>`.
    fn units(
        &self,
        target: &Target,
        stem: &str,
        list: &str,
        kind: UnitsKind,
    ) -> (Target, Arc<dyn Task>) {
        let file = format!("{stem}.{list}");
        if !self.cx.resolver.is_source_or_generated(&file) {
            return (target.clone(), missing(target, &file));
        }
        (
            target.clone(),
            Arc::new(units::Units {
                cx: self.cx.clone(),
                list: Target::new(&file),
                entries: None,
                out: None,
                kind,
            }),
        )
    }

    /// `x.cmt` / `x.cmti`: written by the compilation of `x.ml` / `x.mli`
    /// when it is tagged `bin_annot`.
    fn annotation(&self, target: &Target, stem: &str, interface: bool) -> (Target, Arc<dyn Task>) {
        let cx = &self.cx;
        let Some(m) = cx.module_at(stem) else {
            let src = format!("{stem}.{}", if interface { "mli" } else { "ml" });
            return (target.clone(), missing(target, &src));
        };
        let (source, key, context) = if interface {
            if !m.has_mli {
                return (target.clone(), missing(target, &format!("{stem}.mli")));
            }
            let mli = format!("{stem}.mli");
            let mode = if cx.tagger.has(&mli, "native") {
                "native"
            } else {
                "byte"
            };
            (
                mli,
                format!("{stem}.cmi"),
                vec!["interf", "ocaml", mode, "compile"],
            )
        } else {
            if !m.compiles_ml() {
                return (target.clone(), missing(target, &format!("{stem}.ml")));
            }
            let mode = compile::cmi_owner(cx);
            let obj = format!("{stem}.{}", mode.object_ext());
            (
                format!("{stem}.ml"),
                obj,
                vec!["implem", "ocaml", mode.tag(), "compile"],
            )
        };
        let tags = cx.command_tags(&[source.as_str(), key.as_str()], &context);
        if !compile::has_bin_annot(&cx.flags_of(&tags)) {
            return (
                target.clone(),
                Arc::new(Refused {
                    message: format!(
                        "{}\nError: cannot build {target}: the compiler writes it only when \
                         {source} is compiled with -bin-annot.\nHint: add `<{source}>: \
                         bin_annot` to _tags (or pass -tag bin_annot).",
                        crate::solver_failure::SolverFailure::of_target(target.as_str())
                    ),
                }),
            );
        }
        match self.builtin(&Target::new(&key)) {
            Some(p) => p,
            None => (target.clone(), missing(target, &source)),
        }
    }
}

/// The grammar a menhir `.depends` file is about.
fn grammar_of(path: &str) -> Option<menhir::Grammar> {
    if path.ends_with(".mly") {
        Some(menhir::Grammar::Single(Target::new(path)))
    } else if path.ends_with(".mlypack") {
        Some(menhir::Grammar::Pack(Target::new(path)))
    } else {
        None
    }
}

/// A task that fails with a message about the project.
struct Refused {
    message: String,
}

impl Task for Refused {
    fn run(self: Arc<Self>, _cx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            Err(RuleError::new(Category::MissingSource, self.message.clone()).into())
        })
    }
}

/// A task that fails because the source a rule needs does not exist.
struct MissingSource {
    target: String,
    source: String,
}

fn missing(target: &Target, source: &str) -> Arc<dyn Task> {
    Arc::new(MissingSource {
        target: target.to_string(),
        source: source.to_string(),
    })
}

impl Task for MissingSource {
    fn run(self: Arc<Self>, _cx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            Err(RuleError::new(
                Category::MissingSource,
                format!(
                    "{}\nError: cannot build {}: its source {} does not exist in the \
                     traversed source tree.\nHint: check the target's name; if the file is \
                     in a sub-folder, add that folder with -I, or create a _tags file (or \
                     pass -r) so that sub-folders are traversed.",
                    crate::solver_failure::SolverFailure::of_missing_source(
                        &self.target,
                        &self.source
                    ),
                    self.target,
                    self.source
                ),
            )
            .into())
        })
    }
}

#[cfg(test)]
mod tests {
    use engine::Target;

    use crate::rules::testing::Fixture;

    /// The key of the built-in task for each target (`-` for none).
    fn keys(f: &Fixture, targets: &[&str]) -> Vec<String> {
        let setup = f.context();
        targets
            .iter()
            .map(|t| {
                setup
                    .rules
                    .builtin(&Target::new(t))
                    .map(|(k, _)| k.to_string())
                    .unwrap_or_else(|| "-".into())
            })
            .collect()
    }

    fn tree() -> Fixture {
        Fixture::new(&[
            ("a.ml", "let x = 1\n"),
            ("i.ml", "let x = 1\n"),
            ("i.mli", "val x : int\n"),
            ("p.ml", "let x = 1\n"),
            ("p.mlpack", "A\n"),
            ("lib.mllib", "A\n"),
            ("foo.c", "int f(void){return 0;}\n"),
            ("doc.odocl", "A\n"),
            ("all.itarget", "a.byte\n"),
            ("sub/s.ml", "let y = 1\n"),
        ])
        .tags("<sub>: include\n")
    }

    #[test]
    fn targets_map_to_the_tasks_of_ocamlbuilds_rule_order() {
        let got = keys(
            &tree(),
            &[
                "a.cmi",
                "i.cmi",
                "a.cmx",
                "a.o",
                "i.o",
                "p.cmi",
                "p.cmo",
                "lib.a",
                "lib.cmxa",
                "lib.cmxs",
                "a.cmxs",
                "libfoo.a",
                "dllfoo.so",
                "foo.o",
                "a.byte.o",
                "doc.docdir/html.stamp",
                "doc.docdir/man.stamp",
                "all.otarget",
                "a.ml.depends",
                "a.unknown",
                "a",
            ],
        );
        assert_eq!(
            got,
            [
                "a.cmo",
                "i.cmi",
                "a.cmx",
                "a.cmx",
                "i.cmx",
                "p.cmo",
                "p.cmo",
                "lib.cmxa",
                "lib.cmxa",
                "lib.cmxs",
                "a.cmxs",
                "libfoo.a",
                "libfoo.a",
                "foo.o",
                "a.byte.o",
                "doc.docdir/index.html",
                "doc.docdir/man",
                "all.otarget",
                "a.ml.depends",
                "-",
                "-",
            ]
        );
        // In a native-only build ocamlopt writes the .cmi of a module
        // without .mli.
        let native = tree().with(|f| f.options.cmi_from_native = true);
        assert_eq!(keys(&native, &["a.cmi", "i.cmi"]), ["a.cmx", "i.cmi"]);
    }

    #[test]
    fn an_mlpack_wins_over_an_ml_of_its_name() {
        let b = tree().build(&["p.cmo"]).ok();
        assert_eq!(b.line("p.cmo"), "ocamlc.opt -pack a.cmo -o p.cmo");
    }

    #[test]
    fn a_target_without_folder_is_looked_up_in_the_include_folders() {
        let setup = tree().context();
        assert_eq!(setup.rules.locate("s.byte").as_str(), "sub/s.byte");
        assert_eq!(setup.rules.locate("a.byte").as_str(), "a.byte");
        assert_eq!(setup.rules.locate("z.byte").as_str(), "z.byte");
    }

    #[test]
    fn a_missing_source_and_an_annotation_without_bin_annot_are_explained() {
        let b = tree().build(&["z.cmo"]);
        assert!(
            b.error()
                .contains("cannot build z.cmo: its source z.ml does not exist"),
            "{b:#?}"
        );
        let b = tree().build(&["a.cmt"]);
        assert!(
            b.error().contains("Hint: add `<a.ml>: bin_annot` to _tags"),
            "{b:#?}"
        );
        // The compiler writes the .cmt beside the .cmo: the task of a.cmt
        // is that compilation (whose .cmt the recorder does not write).
        let annotated = tree().tags("<a.ml> or <i.mli>: bin_annot\n");
        assert_eq!(keys(&annotated, &["a.cmt", "i.cmti"]), ["a.cmo", "i.cmi"]);
        let b = annotated.build(&["a.cmo"]).ok();
        assert_eq!(
            b.commands(),
            ["ocamlc.opt -c -bin-annot -I sub -o a.cmo a.ml"]
        );
    }
}
