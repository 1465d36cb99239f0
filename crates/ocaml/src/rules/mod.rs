//! The built-in OCaml rules, as one [`engine::Rules`] value.
//!
//! A target is mapped to its task by its extension and by which sources
//! exist (decided up front from the project tree, instead of ocamlbuild's
//! trial-and-error over an ordered rule list). Where several rules could
//! apply, the choice is ocamlbuild's rule order:
//!
//! | target | from | task | key |
//! |---|---|---|---|
//! | `x.ml.depends`, `x.mli.depends` | `x.ml`, `x.mli` | [`depends::Depends`] (in-process scan) | itself |
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

pub mod c_stubs;
pub mod closure;
pub mod compile;
pub mod declared;
pub mod depends;
pub mod findlib_error;
pub mod infer;
pub mod itarget;
pub mod libraries;
pub mod link;
pub mod list_file;
pub mod menhir;
pub mod ocamldoc;
pub mod ocamllex;
pub mod ocamlyacc;
pub mod output_obj;
pub mod pack;
pub mod ppx;
pub mod preprocess;
pub mod rule_order;
pub mod units;

use std::sync::Arc;

use engine::{LazyText, Producer, Result, Rules, Target, Task, TaskCx, TaskValue};
use futures::future::BoxFuture;
use tags::TagSet;

use crate::ocamlfind::{CommandParts, FrontEnd, Ocamlfind};
use crate::options::{BuildOptions, Mode};
use crate::project::Project;
use crate::resolver::{Generator, ModuleSource, Resolver};
use crate::rule_error::{Category, RuleError};
use crate::tagging::Tagger;
use crate::toolchain::{FoundTool, Tool, Toolchain};
use libraries::ProjectLibrary;
use link::LinkKind;
use units::UnitsKind;

/// Everything the rules read: the project, the toolchain and the options.
pub struct RuleContext {
    /// The scanned project.
    pub project: Project,
    /// Module resolution over the project's files.
    pub resolver: Resolver,
    /// The compilers.
    pub toolchain: Toolchain,
    /// Command-line options.
    pub options: BuildOptions,
    /// Tags of paths and commands.
    pub tagger: Tagger,
    /// Flag declarations: which flags a command's tags give it.
    pub flags: tags::Declarations,
    /// In ocamlfind mode, the in-process ocamlfind that turns commands with
    /// findlib options into compiler commands.
    pub ocamlfind: Option<Ocamlfind>,
    /// The rules of the project's `myocamlbuild.ml`, if it has one.
    pub plugin: Option<Arc<dyn declared::DeclaredRules>>,
    /// The project's libraries (its `.mllib` files), for `use_<lib>`.
    pub libraries: Vec<ProjectLibrary>,
    /// The ppx drivers asked for so far, by the name of their folder.
    pub ppx_drivers: ppx::Drivers,
}

/// `includes` (`-I dir` pairs) without the directories `flags` already
/// include (a `use_<lib>` tag gives `-I lib` among the flags).
pub fn without_included(flags: &[String], includes: Vec<String>) -> Vec<String> {
    let given: Vec<&str> = flags
        .windows(2)
        .filter(|w| w[0] == "-I")
        .map(|w| w[1].as_str())
        .collect();
    if given.is_empty() {
        return includes;
    }
    let mut out = Vec::new();
    for pair in includes.chunks(2) {
        if pair.len() == 2 && pair[0] == "-I" && given.contains(&pair[1].as_str()) {
            continue;
        }
        out.extend(pair.iter().cloned());
    }
    out
}

/// The log's rendering of a command's tag set, made only if a log is written.
pub fn log_tags(tags: TagSet) -> LazyText {
    LazyText::new(move || tags.to_string())
}

impl RuleContext {
    /// A compiler's `-I` arguments after its flags: without the directories
    /// the flags already include, except in a project with a plugin, where
    /// ocamlbuild's commands repeat them (an `ocaml_lib ~dir` flag, then
    /// the include directories).
    pub fn includes_after_flags(&self, flags: &[String], includes: Vec<String>) -> Vec<String> {
        if self.plugin.is_some() {
            includes
        } else {
            without_included(flags, includes)
        }
    }

    /// `-I` arguments for a command about a file in `dir`: its include
    /// directories without the root, then `extra` directories not already
    /// listed.
    pub fn include_args<'a>(
        &self,
        dir: &str,
        extra: impl IntoIterator<Item = &'a str>,
    ) -> Vec<String> {
        let mut dirs: Vec<&str> = self.project.include_dirs_of(dir);
        for d in extra {
            if !dirs.contains(&d) {
                dirs.push(d);
            }
        }
        let mut args = Vec::new();
        for d in dirs {
            if !d.is_empty() {
                args.push("-I".to_string());
                args.push(d.to_string());
            }
        }
        args
    }

    /// The compiler of a mode.
    pub fn compiler(&self, mode: Mode) -> Result<Vec<String>> {
        match mode {
            Mode::Byte => Ok(self.toolchain.ocamlc.clone()),
            Mode::Native => self
                .toolchain
                .ocamlopt()
                .map(|c| c.to_vec())
                .map_err(|e| RuleError::from_source(Category::Toolchain, e).into()),
        }
    }

    /// The tags of a command on `paths` with context tags `context`.
    pub fn command_tags(&self, paths: &[&str], context: &[&str]) -> TagSet {
        self.tagger.command(paths, context)
    }

    /// The flags a command's tags give it, in ocamlbuild's order.
    pub fn flags_of(&self, tags: &TagSet) -> Vec<String> {
        crate::flags::word::argv(self.flag_words(tags))
    }

    /// The flag words of `tags`, `T` specs of plugin flags replaced by
    /// their tags' flags, raw shell texts still marked (see
    /// [`crate::flags::word`]).
    pub fn flag_words(&self, tags: &TagSet) -> Vec<String> {
        crate::flags::word::expand_tags(self.flags.flags_of(tags), &|t: &[&str]| {
            let set: TagSet = t.iter().copied().collect();
            self.flags.flags_of(&set)
        })
    }

    /// Builds what `dep` declarations attach to a command's tags (before
    /// the command runs, as ocamlbuild does); the files, to declare as the
    /// action's inputs.
    pub async fn tag_deps(&self, tcx: &TaskCx, tags: &TagSet) -> Result<Vec<engine::Input>> {
        let targets: Vec<Target> = self
            .flags
            .deps_of(tags)
            .iter()
            .map(|d| Target::new(d))
            .collect();
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        tcx.need(&targets).await?;
        Ok(targets.into_iter().map(engine::Input::File).collect())
    }

    /// `-pp '<words>'` for a source, when preprocessor words apply to it
    /// (`-pp`/`-ppflag`, camlp4 tags); `context` is the rule's extra tag
    /// (`pp:dep`, `pp:doc`) if any.
    pub fn pp_args(&self, source: &str, context: &[&str]) -> Vec<String> {
        let mut tags = self.tagger.command(&[source], &["ocaml", "pp"]);
        for c in context {
            tags.insert(*c);
        }
        self.pp_of_tags(tags)
    }

    /// `-pp '<words>'` for a command whose preprocessor tags are `tags`
    /// (which include `ocaml` and `pp`), when they give any words: one
    /// argument, the words as ocamlbuild's `Quote` renders them (each
    /// ordinary word shell-quoted if needed, raw `Sh` texts as they are).
    pub fn pp_of_tags(&self, tags: TagSet) -> Vec<String> {
        let words = self.flag_words(&tags);
        if words.is_empty() {
            Vec::new()
        } else {
            vec!["-pp".to_string(), crate::flags::word::shell_text(&words)]
        }
    }

    /// The argv of a command written as ocamlbuild writes it, through
    /// ocamlfind in ocamlfind mode, with the identity of the installed
    /// packages it uses (to put in the action's key).
    pub fn command(
        &self,
        tool: FrontEnd,
        program: &[String],
        parts: CommandParts,
    ) -> Result<(Vec<String>, String)> {
        self.command_with(tool, program, parts, true)
    }

    /// [`Self::command`], without the packages' `-ppx` commands when `ppx`
    /// is false (the command reads an AST a ppx driver wrote).
    pub fn command_with(
        &self,
        tool: FrontEnd,
        program: &[String],
        parts: CommandParts,
        ppx: bool,
    ) -> Result<(Vec<String>, String)> {
        match &self.ocamlfind {
            None => Ok((parts.plain(program), String::new())),
            Some(of) => {
                let t = of
                    .translate_with(tool, program, parts, ppx)
                    .map_err(|e| findlib_error::command_error(&self.tagger, e))?;
                Ok((t.argv, t.identity))
            }
        }
    }

    /// The compiler command of `mode` on `parts` (see [`Self::command`]).
    pub fn compiler_command(
        &self,
        mode: Mode,
        parts: CommandParts,
    ) -> Result<(Vec<String>, String)> {
        self.command(mode.front_end(), &self.compiler(mode)?, parts)
    }

    /// A generator or documentation tool (see [`Tool`]), to run on `file`.
    pub fn tool(&self, tool: Tool, file: &str) -> Result<FoundTool> {
        self.toolchain.tool(tool).map_err(|e| {
            RuleError::new(Category::Toolchain, format!("cannot make {file}: {e}"))
                .with_source(e)
                .into()
        })
    }

    /// The sources of the module at `stem`.
    pub fn module_at(&self, stem: &str) -> Option<ModuleSource> {
        self.resolver.module_at(stem)
    }
}

/// The OCaml rule set.
#[derive(Clone)]
pub struct OcamlRules {
    cx: Arc<RuleContext>,
}

impl OcamlRules {
    /// Rules over a context.
    pub fn new(cx: RuleContext) -> OcamlRules {
        OcamlRules { cx: Arc::new(cx) }
    }

    /// Rules over a context already shared (a plugin action made by
    /// `Ocaml_compiler` asks the built-in rule of its target this way).
    pub fn of_context(cx: Arc<RuleContext>) -> OcamlRules {
        OcamlRules { cx }
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
        if s.starts_with(ppx::DRIVER_DIR) {
            let rewriters = cx.ppx_drivers.rewriters_of(s)?;
            return Some((target.clone(), Arc::new(ppx::Driver { cx, rewriters })));
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

impl Rules for OcamlRules {
    fn producer(&self, target: &Target) -> Option<Producer> {
        self.candidates(target).into_iter().next()
    }

    fn candidates(&self, target: &Target) -> Vec<Producer> {
        rule_order::candidates(self, target)
            .into_iter()
            .map(|(key, task)| Producer { key, task })
            .collect()
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
