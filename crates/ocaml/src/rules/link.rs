//! Linking a module and everything it needs: programs (`x.byte`,
//! `x.native`), archives of a module's closure (`x.cma`/`x.cmxa` without an
//! `.mllib`), and the output kinds of [`super::output_obj`] (`x.byte.o`,
//! `x.native.so`, `x.byte.exe`...).
//!
//! The modules to link are the main module and, transitively, the local
//! modules its implementation mentions ([`super::closure`]); libraries of
//! the project named by `use_<lib>` tags replace their modules. The command
//! is ocamlbuild's: `<compiler> [-a] <flags> <-I of each linked file's
//! folder> <files> -o <out>`, its tags those of the output plus
//! `ocaml link byte|native` and `program`, `library` or the output kind's.

use std::sync::Arc;

use engine::{Action, Input, Result, Target, Task, TaskCx, TaskValue};
use futures::future::BoxFuture;
use tags::TagSet;

use super::archive;
use super::c_stubs;
use super::closure::{self, ModuleGraph};
use super::context::{RuleContext, log_tags};
use super::libraries::{self, LibraryInfo, UsedLibrary};
use super::link_inputs::{link_dirs, link_inputs, need_flag_inputs, need_libraries};
use super::output_obj::OutputKind;
use crate::mode::Mode;
use crate::ocamlfind::CommandParts;
use crate::resolver::ModuleSource;

/// What a link produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// An executable (`x.byte`, `x.native`).
    Program,
    /// An archive of the main module's closure (`x.cma`, `x.cmxa`).
    Archive,
    /// An object, a C file or a shared library for C programs, or a
    /// self-contained executable.
    Output(OutputKind),
}

/// Links a module's closure.
pub struct Link {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The main module.
    pub main: ModuleSource,
    /// Bytecode or native.
    pub mode: Mode,
    /// What is produced.
    pub kind: LinkKind,
}

impl Link {
    /// The context tags of the command (besides the output's own tags).
    fn context(&self) -> Vec<&'static str> {
        let mode = self.mode.tag();
        match self.kind {
            LinkKind::Program => vec!["dont_link_with", "ocaml", "link", mode, "program"],
            LinkKind::Archive => vec!["dont_link_with", "ocaml", "link", mode, "library"],
            LinkKind::Output(k) => {
                let mut c = vec!["dont_link_with", "ocaml", "link", mode];
                c.extend(k.context_tags());
                c
            }
        }
    }
}

impl Task for Link {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let cx = &self.cx;
            let mode = self.mode;
            let out = tcx.key().clone();
            let used = libraries::used_by(cx, &out, &cx.tagger.tags_of(out.as_str()))?;
            let libs = libraries::prepare(&tcx, cx, &used, mode).await?;
            let graph = closure::discover(
                &tcx,
                cx,
                std::slice::from_ref(&self.main),
                mode,
                &libs,
                &|_| true,
            )
            .await?;
            // Compile everything before ordering: a compilation error (or a
            // cycle between interfaces) is the better message.
            let ext_obj = cx.toolchain.ext_obj().to_string();
            let ext_lib = cx.toolchain.ext_lib().to_string();
            let objects = own_objects(&graph, &libs, mode);
            tcx.need(&link_inputs(&objects, mode, &ext_obj, &ext_lib))
                .await?;
            let mut stubs = need_libraries(&tcx, &libs).await?;
            let list = closure::program_order(&graph, &self.main.stem, mode, &libs)?;
            tcx.need(&link_inputs(&list, mode, &ext_obj, &ext_lib))
                .await?;

            let tags = cx.command_tags(&[out.as_str()], &self.context());
            // As ocamlbuild's link_gen: what `dep` attaches to the link's
            // tags plus `link_with` is linked after the modules (a C stub
            // object, a library); with `dont_link_with`, only built.
            let linked = link_with_deps(&tcx, cx, &tags, &list).await?;
            let tag_inputs = cx
                .tag_deps(&tcx, &tags.clone().with("dont_link_with"))
                .await?;
            let flags = cx.flags_of(&tags);
            let named = need_flag_inputs(&tcx, cx, &flags, &out, &mut stubs).await?;
            let files: Vec<Target> = list.iter().chain(&linked).cloned().collect();
            let (argv, packages) = if self.kind == LinkKind::Archive {
                archive::archive_argv(cx, mode, &tags, flags, &files, &stubs, &out)?
            } else {
                let mut before = Vec::new();
                if let LinkKind::Output(k) = self.kind {
                    before.extend(k.option().map(str::to_string));
                }
                before.extend(flags);
                before.extend(link_dirs(&list, &stubs));
                before.extend(c_stubs::root_library_path(&stubs));
                let parts = CommandParts {
                    before,
                    files: files.iter().map(|o| o.to_string()).collect(),
                    after: vec!["-o".into(), out.to_string()],
                };
                cx.compiler_command(mode, parts)?
            };
            let mut action = match self.kind {
                LinkKind::Output(k) if k.needs_private_dir(mode) => {
                    super::output_obj::private_link(argv, &out)
                }
                _ => Action::process(argv),
            };
            action.salt.push(packages);
            action.salt.push(cx.toolchain.identity.clone());
            if self.kind == LinkKind::Archive {
                action.salt.push(cx.toolchain.tools_identity());
            }
            action.inputs = link_inputs(&list, mode, &ext_obj, &ext_lib)
                .into_iter()
                .chain(stubs.iter().cloned())
                .chain(named)
                .chain(linked)
                .map(Input::File)
                .collect();
            action.inputs.extend(tag_inputs);
            action.outputs.push(out.clone());
            if self.kind == LinkKind::Archive && mode == Mode::Native {
                let stem = super::list_file::stem_of(out.as_str());
                action
                    .outputs
                    .push(Target::new(&format!("{stem}.{ext_lib}")));
            }
            action.log.target = if self.kind == LinkKind::Archive {
                archive::archive_log_target(&tags, &out)
            } else {
                out.to_string()
            };
            action.log.tags = log_tags(tags);
            let outputs = tcx.run(action).await?;
            let data = (self.kind == LinkKind::Archive).then(|| {
                Arc::new(LibraryInfo {
                    members: graph.modules().map(|m| m.stem.clone()).collect(),
                    stubs,
                }) as Arc<dyn std::any::Any + Send + Sync>
            });
            Ok(TaskValue { outputs, data })
        })
    }
}

/// Builds the files that `dep` declarations attach to a link's tags plus
/// `link_with`, and returns those the link list does not have yet, in
/// declaration order: ocamlbuild puts them after the program's modules.
pub async fn link_with_deps(
    tcx: &TaskCx,
    cx: &RuleContext,
    tags: &TagSet,
    list: &[Target],
) -> Result<Vec<Target>> {
    let mut extra: Vec<Target> = Vec::new();
    for d in cx.flags.deps_of(&tags.clone().with("link_with")) {
        let t = Target::new(&d);
        if !list.contains(&t) && !extra.contains(&t) {
            extra.push(t);
        }
    }
    tcx.need(&extra).await?;
    Ok(extra)
}

/// The objects of the graph's modules that no used library contains.
fn own_objects(graph: &ModuleGraph, libs: &[UsedLibrary], mode: Mode) -> Vec<Target> {
    graph
        .modules()
        .filter(|m| {
            !libs
                .iter()
                .any(|l| l.members.iter().any(|x| x.stem == m.stem))
        })
        .map(|m| Target::new(&closure::object_of(&m.stem, mode)))
        .collect()
}

#[cfg(test)]
mod tests {
    //! Expected commands are those of ocamlbuild 0.14.1's `_log` for the
    //! same trees (without `/usr/bin/`).

    use crate::rules::testing::{A_USES_B_AND_UTIL, Fixture};

    fn tree() -> Fixture {
        Fixture::new(A_USES_B_AND_UTIL).tags("<a.ml>: debug\n<lib>: include\n<a.byte>: debug\n")
    }

    #[test]
    fn a_program_links_dependencies_first_siblings_in_path_order() {
        let b = tree().build(&["a.byte", "a.native"]).ok();
        assert_eq!(
            b.line("a.byte"),
            "ocamlc.opt -g -I lib c.cmo b.cmo lib/util.cmo a.cmo -o a.byte"
        );
        assert_eq!(
            b.line("a.native"),
            "ocamlopt.opt -I lib c.cmx b.cmx lib/util.cmx a.cmx -o a.native"
        );
        let native = b.action("a.native");
        assert_eq!(native.outputs, ["a.native"]);
        for o in ["c.o", "b.o", "lib/util.o", "a.o", "a.cmx"] {
            assert!(native.inputs.iter().any(|i| i == o), "{native:#?}");
        }
        assert_eq!(
            b.action("a.byte").tags,
            "{ byte, debug, dont_link_with, extension:byte, file:a.byte, link, ocaml, program, \
             quiet, traverse }"
        );
    }

    #[test]
    fn an_archive_without_mllib_is_the_closure_of_its_module() {
        let b = tree().build(&["b.cma"]).ok();
        assert_eq!(b.line("b.cma"), "ocamlc.opt -a c.cmo b.cmo -o b.cma");
    }

    #[test]
    fn a_module_missing_from_the_tree_is_an_error_naming_it() {
        let b = tree().build(&["nothere.byte"]);
        assert!(b.error().contains("nothere.ml"), "{b:#?}");
        assert!(b.actions.is_empty());
    }
}
