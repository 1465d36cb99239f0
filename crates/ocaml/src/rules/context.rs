//! The context every rule reads ([`RuleContext`]: the project, the
//! toolchain, the options, tags and flags) and the command-building helpers
//! on it: include arguments, flags of tags, preprocessor arguments, and the
//! commands as ocamlbuild writes them (through ocamlfind in ocamlfind mode).

use engine::{LazyText, Result, Target, TaskCx};
use tags::TagSet;

use super::findlib_error;
use super::ppx_drivers::Drivers;
use super::project_library::ProjectLibrary;
use crate::build_options::BuildOptions;
use crate::mode::Mode;
use crate::namespace::Namespaces;
use crate::ocamlfind::{CommandParts, FrontEnd, Ocamlfind};
use crate::project::Project;
use crate::resolver::{ModuleSource, Resolver};
use crate::rule_error::{Category, RuleError};
use crate::tagging::Tagger;
use crate::toolchain::{FoundTool, Tool, Toolchain};

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
    /// Whether the project has a plugin (a `myocamlbuild.ml`), whose rules
    /// the rule set holds beside the built-in ones (`OcamlRules::plugin`).
    pub has_plugin: bool,
    /// Whether that plugin declares rules (any of which may make or replace
    /// `%.ml.depends`): then the build's scans stay `x.ml.depends`
    /// (`depends::scan_target`).
    pub declared_rules: bool,
    /// The project's libraries (its `.mllib` files), for `use_<lib>`.
    pub libraries: Vec<ProjectLibrary>,
    /// The ppx drivers asked for so far, by the name of their folder.
    pub ppx_drivers: Drivers,
    /// The namespaced libraries, their members and alias modules.
    pub namespaces: Namespaces,
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
        if self.has_plugin {
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
        flags::word::argv(self.flag_words(tags))
    }

    /// The flag words of `tags`, `T` specs of plugin flags replaced by
    /// their tags' flags, raw shell texts still marked (see
    /// [`flags::word`]).
    pub fn flag_words(&self, tags: &TagSet) -> Vec<String> {
        flags::word::expand_tags(self.flags.flags_of(tags), &|t: &[&str]| {
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
            vec!["-pp".to_string(), flags::word::shell_text(&words)]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn folders_the_flags_include_are_not_repeated_after_them() {
        assert_eq!(
            without_included(&words("-g -I lib"), words("-I lib -I sub")),
            words("-I sub")
        );
        assert_eq!(
            without_included(&words("-g"), words("-I lib")),
            words("-I lib")
        );
    }

    #[test]
    fn a_command_includes_its_folders_include_dirs_then_the_extra_ones_once() {
        let setup = Fixture::new(&[("a.ml", ""), ("lib/b.ml", ""), ("sub/c.ml", "")])
            .tags("<lib>: include\n")
            .context();
        let cx = setup.cx();
        assert_eq!(cx.include_args("", ["sub", "lib"]), words("-I lib -I sub"));
        // Without a plugin the flags' folders are not repeated; with one,
        // they are, as ocamlbuild's commands repeat them.
        assert_eq!(
            cx.includes_after_flags(&words("-I lib"), words("-I lib -I sub")),
            words("-I sub")
        );
    }

    #[test]
    fn the_preprocessor_words_of_a_source_are_one_pp_argument() {
        // `camlp4o` gives the words of `ocaml, pp` commands; `pp(...)` is
        // a compile and ocamldep flag, not a preprocessor word.
        let setup = Fixture::new(&[("a.ml", ""), ("b.ml", "")])
            .tags("<a.ml>: camlp4o, pp(cpp -P)\n")
            .context();
        assert_eq!(setup.cx().pp_args("a.ml", &[]), ["-pp", "camlp4o"]);
        assert!(setup.cx().pp_args("b.ml", &[]).is_empty());
    }
}
