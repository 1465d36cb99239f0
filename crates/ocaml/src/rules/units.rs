//! Linking exactly the modules a list file names: archives from `.mllib`
//! (`x.cma`, `x.cmxa` + `x.a`), plugins from `.mldylib` (`x.cmxs`) and
//! toplevels from `.mltop` (`x.top`); and `x.cmxs` from `x.cmxa`.
//!
//! As in ocamlbuild (its `link_units`), the listed modules are ordered by
//! their dependencies, otherwise kept in list order ([`closure::units_order`]);
//! libraries named by `use_<lib>` tags on the output come first. Commands:
//!
//! | target | command | tags besides the output's |
//! |---|---|---|
//! | `x.cma` | `ocamlc -a <flags> <-I> units -o x.cma` | `ocaml link byte library` |
//! | `x.cmxa` | `ocamlopt -a <flags> <-I> units -o x.cmxa` | `ocaml link native library` |
//! | `x.cmxs` (`.mldylib`) | `ocamlopt -shared <flags> <-I> units -o x.cmxs` | `ocaml link native library shared` |
//! | `x.cmxs` (from `x.cmxa`) | `ocamlopt -shared <flags> x.cmxa -o x.cmxs` | `ocaml link native shared library linkall` |
//! | `x.top` | `ocamlmktop <flags> units -o x.top` | `ocaml link byte toplevel mktop` |
//!
//! An archive tagged `ocamlmklib` is made by `ocamlmklib <flags> units -o x`
//! instead. An archive carries the C libraries of the project its flags
//! link (`-cclib -lfoo`, `-dllib -lfoo`, see [`super::c_stubs`]): they are built
//! before it, and before anything that links it.

use std::sync::Arc;

use engine::{Action, Input, Result, Target, Task, TaskCx, TaskValue};
use futures::future::BoxFuture;

use super::archive::{archive_argv, archive_log_target};
use super::closure;
use super::context::{RuleContext, log_tags};
use super::libraries::{self, LibraryInfo};
use super::link_inputs::{link_dirs, link_inputs, need_flag_inputs, need_libraries};
use super::list_file;
use crate::mode::Mode;
use crate::ocamlfind::CommandParts;

/// What the units of a list file become.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitsKind {
    /// `.mllib` → `.cma` or `.cmxa`.
    Archive(Mode),
    /// `.mldylib` → `.cmxs`.
    Plugin,
    /// `.mltop` → `.top`.
    Toplevel,
}

impl UnitsKind {
    fn mode(self) -> Mode {
        match self {
            UnitsKind::Archive(m) => m,
            UnitsKind::Plugin => Mode::Native,
            UnitsKind::Toplevel => Mode::Byte,
        }
    }

    fn context(self) -> Vec<&'static str> {
        match self {
            UnitsKind::Archive(m) => vec!["ocaml", "link", m.tag(), "library"],
            UnitsKind::Plugin => vec!["ocaml", "link", "native", "library", "shared"],
            UnitsKind::Toplevel => vec!["ocaml", "link", "byte", "toplevel", "mktop"],
        }
    }
}

/// Links the units of a list file.
pub struct Units {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The list file (`x.mllib`, `x.mldylib`, `x.mltop`).
    pub list: Target,
    /// The entries, when given instead of the list file's (a plugin's
    /// `Ocaml_compiler.byte_library_link_modules`...); they are looked up
    /// as the file's would be.
    pub entries: Option<Vec<String>>,
    /// The output, when it is not the task's key (a plugin rule whose
    /// first product is another file runs this task in its place).
    pub out: Option<Target>,
    /// What it becomes.
    pub kind: UnitsKind,
}

impl Task for Units {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let cx = &self.cx;
            let kind = self.kind;
            let mode = kind.mode();
            let out = self.out.clone().unwrap_or_else(|| tcx.key().clone());
            let members = match &self.entries {
                Some(entries) => list_file::resolve_entries(cx, entries, &self.list)?,
                None => list_file::modules(&tcx, cx, &self.list).await?,
            };
            let used = libraries::used_by(cx, &out, &cx.tagger.tags_of(out.as_str()))?;
            let libs = libraries::prepare(&tcx, cx, &used, mode).await?;
            let graph = closure::discover(&tcx, cx, &members, mode, &[], &|m| {
                members.iter().any(|x| x.stem == m.stem)
            })
            .await?;
            let ext_obj = cx.toolchain.ext_obj().to_string();
            let ext_lib = cx.toolchain.ext_lib().to_string();
            let units = closure::units_order(&graph, &members, mode)?;
            let mut list: Vec<Target> = libs.iter().map(|l| l.archive.clone()).collect();
            list.extend(units);
            tcx.need(&link_inputs(&list, mode, &ext_obj, &ext_lib))
                .await?;
            let mut stubs = need_libraries(&tcx, &libs).await?;

            let tags = cx.command_tags(&[out.as_str()], &kind.context());
            let tag_inputs = cx.tag_deps(&tcx, &tags).await?;
            let flags = cx.flags_of(&tags);
            let named = need_flag_inputs(&tcx, cx, &flags, &out, &mut stubs).await?;
            let (argv, packages) = match kind {
                UnitsKind::Archive(_) => archive_argv(cx, mode, &tags, flags, &list, &[], &out)?,
                UnitsKind::Plugin => {
                    let mut before = vec!["-shared".to_string()];
                    before.extend(flags);
                    before.extend(link_dirs(&list, &[]));
                    let parts = CommandParts {
                        before,
                        files: list.iter().map(|t| t.to_string()).collect(),
                        after: vec!["-o".to_string(), out.to_string()],
                    };
                    cx.compiler_command(Mode::Native, parts)?
                }
                UnitsKind::Toplevel => {
                    let mut argv = cx.toolchain.ocamlmktop()?.to_vec();
                    argv.extend(flags);
                    argv.extend(list.iter().map(|t| t.to_string()));
                    argv.extend(["-o".to_string(), out.to_string()]);
                    (argv, String::new())
                }
            };
            let mut action = Action::process(argv);
            action.salt.push(packages);
            action.salt.push(cx.toolchain.identity.clone());
            action.salt.push(cx.toolchain.tools_identity());
            action.inputs = link_inputs(&list, mode, &ext_obj, &ext_lib)
                .into_iter()
                .chain(stubs.iter().cloned())
                .chain(named)
                .map(Input::File)
                .collect();
            if self.entries.is_none() {
                action.inputs.push(Input::File(self.list.clone()));
            } else {
                action.salt.push(format!("entries {:?}", self.entries));
            }
            action.inputs.extend(tag_inputs);
            action.outputs.push(out.clone());
            if kind == UnitsKind::Archive(Mode::Native) {
                let stem = list_file::stem_of(out.as_str());
                action
                    .outputs
                    .push(Target::new(&format!("{stem}.{ext_lib}")));
            }
            action.log.target = match kind {
                UnitsKind::Archive(_) => archive_log_target(&tags, &out),
                _ => out.to_string(),
            };
            action.log.tags = log_tags(tags);
            let outputs = tcx.run(action).await?;
            Ok(TaskValue {
                outputs,
                data: Some(Arc::new(LibraryInfo {
                    members: members.iter().map(|m| m.stem.clone()).collect(),
                    stubs,
                })),
            })
        })
    }
}

/// `x.cmxa` → `x.cmxs`: `ocamlopt -shared -linkall <flags> x.cmxa -o x.cmxs`.
pub struct PluginOfArchive {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The archive.
    pub cmxa: Target,
}

impl Task for PluginOfArchive {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let cx = &self.cx;
            let out = tcx.key().clone();
            let lib = Target::new(&format!(
                "{}.{}",
                list_file::stem_of(self.cmxa.as_str()),
                cx.toolchain.ext_lib()
            ));
            let built = tcx.need(&[self.cmxa.clone(), lib.clone()]).await?;
            let stubs = built
                .first()
                .and_then(|b| b.value.data::<LibraryInfo>())
                .map(|i| i.stubs.clone())
                .unwrap_or_default();
            tcx.need(&stubs).await?;
            let tags = cx.command_tags(
                &[out.as_str()],
                &["ocaml", "link", "native", "shared", "library", "linkall"],
            );
            let tag_inputs = cx.tag_deps(&tcx, &tags).await?;
            let mut before = vec!["-shared".to_string()];
            before.extend(cx.flags_of(&tags));
            before.extend(link_dirs(std::slice::from_ref(&self.cmxa), &[]));
            let parts = CommandParts {
                before,
                files: vec![self.cmxa.to_string()],
                after: vec!["-o".to_string(), out.to_string()],
            };
            let (argv, packages) = cx.compiler_command(Mode::Native, parts)?;
            let mut action = Action::process(argv);
            action.salt.push(packages);
            action.salt.push(cx.toolchain.identity.clone());
            action.inputs = [self.cmxa.clone(), lib]
                .into_iter()
                .chain(stubs)
                .map(Input::File)
                .collect();
            action.inputs.extend(tag_inputs);
            action.outputs.push(out.clone());
            action.log.target = out.to_string();
            action.log.tags = log_tags(tags);
            Ok(TaskValue::files(tcx.run(action).await?))
        })
    }
}

#[cfg(test)]
mod tests {
    //! Expected commands are those of ocamlbuild 0.14.1's `_log` for the
    //! same trees (without `/usr/bin/`).

    use crate::rules::testing::Fixture;

    fn library() -> Fixture {
        Fixture::new(&[
            ("a.ml", "let a = B.b\n"),
            ("b.ml", "let b = 1\n"),
            ("lib.mllib", "A\nB\n"),
            ("t.mltop", "B\n"),
        ])
        .tags("true: debug\n<lib.cmxs>: principal\n")
    }

    #[test]
    fn an_mllib_archive_has_its_units_in_dependency_order() {
        let b = library().build(&["lib.cma", "lib.cmxa"]).ok();
        assert_eq!(b.line("lib.cma"), "ocamlc.opt -a b.cmo a.cmo -o lib.cma");
        assert_eq!(
            b.line("lib.cmxa"),
            "ocamlopt.opt -a b.cmx a.cmx -o lib.cmxa"
        );
        assert_eq!(b.action("lib.cmxa").outputs, ["lib.cmxa", "lib.a"]);
    }

    #[test]
    fn a_plugin_without_mldylib_is_made_of_the_archive_with_linkall() {
        let b = library().build(&["lib.cmxs"]).ok();
        assert_eq!(
            b.line("lib.cmxs"),
            "ocamlopt.opt -shared -linkall lib.cmxa -o lib.cmxs"
        );
    }

    #[test]
    fn an_mldylib_plugin_and_an_mllib_in_a_folder_get_its_include() {
        let b = Fixture::new(&[
            ("mylib/a.ml", "let a = B.b\n"),
            ("mylib/b.ml", "let b = 1\n"),
            ("mylib/mylib.mllib", "B\nA\n"),
            ("mylib/mylib.mldylib", "A\n"),
        ])
        .tags("<mylib/*.cmxs>: debug\n")
        .build(&["mylib/mylib.cma", "mylib/mylib.cmxs"])
        .ok();
        assert_eq!(
            b.line("mylib/mylib.cma"),
            "ocamlc.opt -a -I mylib mylib/b.cmo mylib/a.cmo -o mylib/mylib.cma"
        );
        assert_eq!(
            b.line("mylib/mylib.cmxs"),
            "ocamlopt.opt -shared -I mylib mylib/a.cmx -o mylib/mylib.cmxs"
        );
    }

    #[test]
    fn a_toplevel_is_made_by_ocamlmktop() {
        let b = library().build(&["t.top"]).ok();
        assert_eq!(b.line("t.top"), "ocamlmktop.opt b.cmo -o t.top");
    }
}
