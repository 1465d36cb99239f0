//! Documentation through ocamldoc, with ocamlbuild's rules and commands.
//!
//! - `x.odoc`: `ocamldoc -dump x.odoc <flags> <-pp> <-I dirs> x.mli` (the
//!   `.ml` when there is no `.mli`), after the interfaces of the modules it
//!   mentions are built. Tags: the source's, plus `interf` or `implem`,
//!   `ocaml`, `doc`.
//! - `foo.docdir/index.html` (and `foo.docdir/html.stamp`): the modules
//!   listed in `foo.odocl`, each found like a module from the `.odocl`'s
//!   folder, are dumped, then `rm -rf foo.docdir; mkdir -p foo.docdir;
//!   ocamldoc -load a.odoc ... -html -d foo.docdir`. `foo.docdir/man` the
//!   same with `-man`. Tags: `html` or `man`, `ocaml`, the tags of the
//!   target and of `foo.docdir`, `doc`, `docdir`.
//! - `foo.docdir/X.tex` (or `.ltx`), `.texi`, `.dot`: `rm -rf F; mkdir -p
//!   foo.docdir; ocamldoc -load ... -latex|-texi|-dot -o F`, with `docfile`
//!   instead of `docdir`.
//!
//! The pages of a directory are not known in advance: the action declares
//! `index.html` (for HTML) and a stamp (`html.stamp`, `man.stamp`) that the
//! engine writes after ocamldoc succeeds, as ocamlbuild does.
//!
//! HTML and man pages empty the `.docdir` first, so when one run asks for
//! several documents of one `.docdir` they are made in ocamlbuild's
//! (sequential) order, HTML, then man, then single files, each waiting for
//! those before it: the files a later one writes are never removed by an
//! earlier one. (As with ocamlbuild, HTML and man pages asked for together
//! replace each other.)

use std::sync::Arc;

use engine::{Action, Input, Prepare, Result, Target, Task, TaskCx, TaskValue};
use futures::future::BoxFuture;

use super::compile::{local_deps, need_interfaces};
use super::context::{RuleContext, log_tags};
use super::list_file;
use crate::ocamlfind::{CommandParts, FrontEnd};
use crate::resolver::ModuleSource;
use crate::rule_error::{Category, RuleError};
use crate::toolchain::Tool;

/// `x.odoc` from `x.mli` or `x.ml`.
pub struct Odoc {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The module.
    pub module: ModuleSource,
}

impl Task for Odoc {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let cx = &self.cx;
            let m = &self.module;
            let (src, kind) = if m.has_mli {
                (Target::new(&format!("{}.mli", m.stem)), "interf")
            } else {
                (Target::new(&format!("{}.ml", m.stem)), "implem")
            };
            let out = tcx.key().clone();
            tcx.need_one(&src).await?;
            let deps = local_deps(&tcx, cx, src.as_str(), m).await?;
            let ifaces = need_interfaces(&tcx, &deps).await?;
            let tool = cx.tool(Tool::Ocamldoc, out.as_str())?;
            let tags = cx.command_tags(&[src.as_str()], &[kind, "ocaml", "doc"]);
            let tag_inputs = cx.tag_deps(&tcx, &tags).await?;
            let mut before = vec!["-dump".to_string(), out.to_string()];
            before.extend(cx.flags_of(&tags));
            before.extend(cx.namespaces.compile_flags(&m.stem));
            before.extend(cx.pp_args(src.as_str(), &[kind, "pp:doc"]));
            before.extend(cx.include_args(m.dir(), ifaces.dirs.iter().map(String::as_str)));
            // In ocamlfind mode, `ocamlfind ocamldoc -package ...` as ocamlbuild.
            let (argv, packages) = cx.command(
                FrontEnd::Ocamlc,
                &tool.argv,
                CommandParts {
                    before,
                    files: vec![src.to_string()],
                    after: Vec::new(),
                },
            )?;
            let mut action = Action::process(argv);
            action
                .salt
                .extend([tool.identity, cx.toolchain.identity.clone(), packages]);
            action.inputs.push(Input::File(src.clone()));
            action.inputs.extend(ifaces.inputs);
            action.inputs.extend(tag_inputs);
            action.outputs.push(out.clone());
            action.log.target = out.to_string();
            action.log.tags = log_tags(tags);
            Ok(TaskValue::files(tcx.run(action).await?))
        })
    }
}

/// What a documentation task makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    /// `foo.docdir/index.html`: HTML pages in `foo.docdir`.
    Html,
    /// `foo.docdir/man`: man pages in `foo.docdir`.
    Man,
    /// `foo.docdir/X.tex` or `X.ltx`: one LaTeX file.
    Latex,
    /// `foo.docdir/X.texi`: one Texinfo file.
    Texinfo,
    /// `foo.docdir/X.dot`: the modules' dependency graph.
    Dot,
}

impl DocKind {
    /// The kind of documentation target `rest` names inside a `.docdir`,
    /// and whether it is one of the stamps.
    pub fn of(rest: &str) -> Option<DocKind> {
        match rest {
            "index.html" | "html.stamp" => Some(DocKind::Html),
            "man" | "man.stamp" => Some(DocKind::Man),
            _ if rest.ends_with(".tex") || rest.ends_with(".ltx") => Some(DocKind::Latex),
            _ if rest.ends_with(".texi") => Some(DocKind::Texinfo),
            _ if rest.ends_with(".dot") => Some(DocKind::Dot),
            _ => None,
        }
    }

    /// The task's key for the target `rest` in `docdir`.
    pub fn key(self, docdir: &str, rest: &str) -> Target {
        match self {
            DocKind::Html => Target::new(&format!("{docdir}/index.html")),
            DocKind::Man => Target::new(&format!("{docdir}/man")),
            _ => Target::new(&format!("{docdir}/{rest}")),
        }
    }

    fn tag(self) -> &'static str {
        match self {
            DocKind::Html => "html",
            DocKind::Man => "man",
            DocKind::Latex => "tex",
            DocKind::Texinfo => "texi",
            DocKind::Dot => "dot",
        }
    }

    fn fills_directory(self) -> bool {
        matches!(self, DocKind::Html | DocKind::Man)
    }

    /// Which of two documents of one `.docdir` must be made first when both
    /// are asked for: the ones emptying the directory, HTML first.
    fn rank(self) -> u8 {
        match self {
            DocKind::Html => 0,
            DocKind::Man => 1,
            _ => 2,
        }
    }
}

/// Documentation of the modules an `.odocl` lists.
pub struct DocDir {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The `.odocl` file.
    pub odocl: Target,
    /// What to make.
    pub kind: DocKind,
}

impl Task for DocDir {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let cx = &self.cx;
            let docout = tcx.key().clone();
            let odocl = self.odocl.as_str();
            let docdir = format!("{}.docdir", odocl.trim_end_matches(".odocl"));
            tcx.need_one(&self.odocl).await?;
            let text = String::from_utf8_lossy(&tcx.read(&self.odocl)?).into_owned();
            let dirs = cx.project.include_dirs_of(self.odocl.dir());
            let mut odocs = Vec::new();
            for entry in list_file::words(&text) {
                let found = list_file::candidates(&dirs, &entry, "odoc")
                    .into_iter()
                    .find(|c| cx.module_at(c.trim_end_matches(".odoc")).is_some())
                    .ok_or_else(|| {
                        RuleError::new(
                            Category::MissingSource,
                            format!(
                                "{odocl} lists {entry}, but no module {entry} was found in its \
                                 folder or the include folders.\nHint: an .odocl names modules \
                                 (`Parser Lexer` or `sub/Util`), one per line or separated by \
                                 blanks; check the name, or add the module's folder with -I."
                            ),
                        )
                    })?;
                odocs.push(Target::new(&found));
            }
            tcx.need(&odocs).await?;
            // Documents of the same .docdir asked for in this run that empty
            // the directory are made first.
            let before: Vec<Target> = cx
                .options
                .targets
                .iter()
                .filter_map(|t| {
                    let rest = t.strip_prefix(&docdir)?.strip_prefix('/')?;
                    let k = DocKind::of(rest)?;
                    (k.rank() < self.kind.rank()).then(|| k.key(&docdir, rest))
                })
                .collect();
            tcx.need(&before).await?;

            let tool = cx.tool(Tool::Ocamldoc, docout.as_str())?;
            let kind = self.kind;
            let mut tags =
                cx.command_tags(&[docout.as_str(), docdir.as_str()], &[kind.tag(), "ocaml"]);
            tags.insert("doc");
            tags.insert(if kind.fills_directory() {
                "docdir"
            } else {
                "docfile"
            });
            let tag_inputs = cx.tag_deps(&tcx, &tags).await?;
            let mut argv = tool.argv;
            for o in &odocs {
                argv.extend(["-load".to_string(), o.to_string()]);
            }
            argv.extend(cx.flags_of(&tags));
            let dir = Target::new(&docdir);
            let mut action = if kind.fills_directory() {
                argv.extend(["-d".to_string(), docdir.clone()]);
                let mut a = Action::process(argv);
                a.prepare = vec![Prepare::RemoveAll(dir.clone()), Prepare::CreateDir(dir)];
                let stamp = Target::new(&format!("{docdir}/{}.stamp", kind.tag()));
                if kind == DocKind::Html {
                    a.outputs.push(docout.clone());
                }
                a.outputs.push(stamp.clone());
                a.stamp = Some(stamp);
                a.log.target = docdir.clone();
                a
            } else {
                argv.extend(["-o".to_string(), docout.to_string()]);
                let mut a = Action::process(argv);
                let parent = Target::new(docout.dir());
                a.prepare = vec![
                    Prepare::RemoveAll(docout.clone()),
                    Prepare::CreateDir(parent),
                ];
                a.outputs.push(docout.clone());
                a.log.target = docout.to_string();
                a
            };
            action
                .salt
                .extend([tool.identity, cx.toolchain.identity.clone()]);
            action.inputs.push(Input::File(self.odocl.clone()));
            action.inputs.extend(odocs.into_iter().map(Input::File));
            action.inputs.extend(tag_inputs);
            action.log.tags = log_tags(tags);
            let mut outputs = tcx.run(action).await?;
            if kind == DocKind::Man {
                // `foo.docdir/man` stands for the man pages: its stamp.
                if let Some((_, d)) = outputs.first().cloned() {
                    outputs.push((docout, d));
                }
            }
            Ok(TaskValue::files(outputs))
        })
    }
}

#[cfg(test)]
mod tests {
    //! Expected commands are those of ocamlbuild 0.14.1's `_log` for the
    //! same tree (without `/usr/bin/`).

    use crate::rules::testing::Fixture;

    fn tree() -> Fixture {
        Fixture::new(&[
            ("a.ml", "let x = B.y\n"),
            ("a.mli", "val x : int\n"),
            ("b.ml", "let y = 2\n"),
            ("doc.odocl", "A\nB\n"),
        ])
        .tags("true: principal\n")
    }

    #[test]
    fn html_documentation_dumps_each_module_then_loads_them() {
        let b = tree()
            .with(|f| f.flag_options.docflags = vec!["-stars".into()])
            .build(&["doc.docdir/index.html"])
            .ok();
        assert_eq!(b.line("a.odoc"), "ocamldoc.opt -dump a.odoc -stars a.mli");
        assert_eq!(b.line("b.odoc"), "ocamldoc.opt -dump b.odoc -stars b.ml");
        let html = b.action("doc.docdir/index.html");
        assert_eq!(
            html.outputs,
            ["doc.docdir/index.html", "doc.docdir/html.stamp"]
        );
        assert_eq!(html.inputs, ["doc.odocl", "a.odoc", "b.odoc"]);
        assert_eq!(html.prepare, ["rm -rf doc.docdir", "mkdir -p doc.docdir"]);
        assert_eq!(
            html.line,
            "ocamldoc.opt -load a.odoc -load b.odoc -stars -html -d doc.docdir"
        );
    }

    #[test]
    fn man_pages_and_latex() {
        let b = tree().build(&["doc.docdir/man", "doc.docdir/doc.tex"]).ok();
        // The man pages' names are not known in advance: a stamp stands
        // for them.
        let man = b.action("doc.docdir/man.stamp");
        assert_eq!(man.outputs, ["doc.docdir/man.stamp"]);
        assert_eq!(man.prepare, ["rm -rf doc.docdir", "mkdir -p doc.docdir"]);
        assert_eq!(
            man.line,
            "ocamldoc.opt -load a.odoc -load b.odoc -man -d doc.docdir"
        );
        let tex = b.action("doc.docdir/doc.tex");
        assert_eq!(
            tex.prepare,
            ["rm -rf doc.docdir/doc.tex", "mkdir -p doc.docdir"]
        );
        assert_eq!(
            tex.line,
            "ocamldoc.opt -load a.odoc -load b.odoc -latex -o doc.docdir/doc.tex"
        );
    }
}
