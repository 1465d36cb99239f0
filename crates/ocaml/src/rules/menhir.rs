//! menhir, when chosen with `-use-menhir` or the global `use_menhir` tag:
//! ocamlbuild's four rules "ocaml: menhir", "ocaml: menhir dependencies",
//! "ocaml: modular menhir (mlypack)" and "ocaml: menhir modular
//! dependencies".
//!
//! A grammar is one `x.mly`, or an `x.mlypack` listing the modules of
//! several `.mly` files that menhir joins (`--base x a.mly b.mly`). First
//! `menhir --raw-depend` lists the modules the grammar's semantic actions
//! use (`x.mly.depends`, `x.mlypack.depends`); their interfaces are built,
//! because `--infer` (on by default through the built-in
//! `<**/*.mly>: infer` line) type-checks the grammar with the `ocamlc`
//! command menhir is given: `--ocamlc '<ocamlc> <flags> <-I dirs>'`. Then
//! one action writes `x.ml` and `x.mli`.
//!
//! The tags are ocamlbuild's: the grammar's files' tags plus `ocaml`,
//! `parser`, `menhir` for menhir (`--explain`, `--infer`, `--table`,
//! `--only-tokens`, `--external-tokens M`, `-yaccflag(s)`), plus `ocaml`,
//! `menhir_ocamldep` for `--raw-depend`; the nested `ocamlc` gets the tags
//! of `x.ml` (of the grammar's files for a pack) plus `ocaml`, `byte`,
//! `compile`.

use std::sync::Arc;

use engine::{Action, Command, Input, Result, Target, Task, TaskCx, TaskValue, shell_quote};
use futures::future::BoxFuture;
use tags::TagSet;

use super::compile::{local_deps, need_interfaces};
use super::context::{RuleContext, log_tags};
use super::depends::ModuleRefs;
use super::list_file;
use super::ocamllex::generator_hint;
use crate::depends_file::parse;
use crate::ocamlfind::{CommandParts, FrontEnd};
use crate::resolver::ModuleSource;
use crate::rule_error::{Category, RuleError};
use crate::toolchain::Tool;

/// What menhir reads.
#[derive(Clone, Debug)]
pub enum Grammar {
    /// One `x.mly`.
    Single(Target),
    /// An `x.mlypack` listing `.mly` modules.
    Pack(Target),
}

impl Grammar {
    /// The `.mly` or `.mlypack` file.
    pub fn file(&self) -> &Target {
        match self {
            Grammar::Single(t) | Grammar::Pack(t) => t,
        }
    }

    /// The path of the generated files without extension.
    fn base(&self) -> &str {
        let f = self.file().as_str();
        f.rsplit_once('.').map(|(b, _)| b).unwrap_or(f)
    }
}

/// A grammar with its files found and built.
struct Resolved {
    /// The `.mly` files, in order.
    files: Vec<Target>,
    /// The union of the tags of the `.mlypack` and the `.mly` files.
    tags: TagSet,
    /// What names the grammar on menhir's command line.
    spec: Vec<String>,
}

async fn resolve(tcx: &TaskCx, cx: &RuleContext, grammar: &Grammar) -> Result<Resolved> {
    match grammar {
        Grammar::Single(mly) => {
            tcx.need_one(mly).await?;
            Ok(Resolved {
                files: vec![mly.clone()],
                tags: cx.tagger.tags_of(mly.as_str()),
                spec: vec![mly.to_string()],
            })
        }
        Grammar::Pack(pack) => {
            tcx.need_one(pack).await?;
            let text = String::from_utf8_lossy(&tcx.read(pack)?).into_owned();
            let dirs = cx.project.include_dirs_of(pack.dir());
            let mut files = Vec::new();
            for entry in list_file::words(&text) {
                let found = list_file::candidates(&dirs, &entry, "mly")
                    .into_iter()
                    .find(|c| cx.resolver.is_source(c))
                    .ok_or_else(|| {
                        RuleError::new(
                            Category::MissingSource,
                            format!(
                                "{pack} lists {entry}, but no {}.mly was found in its folder \
                                 or the include folders.\nHint: an .mlypack names the modules \
                                 of .mly files (`Tokens Parser`); check the name, or add the \
                                 folder of the .mly with -I.",
                                crate::module_name::uncapitalize(
                                    entry.rsplit('/').next().unwrap_or(&entry)
                                )
                            ),
                        )
                    })?;
                files.push(Target::new(&found));
            }
            tcx.need(&files).await?;
            let mut tags = cx.tagger.tags_of(pack.as_str());
            for f in &files {
                tags.union_with(&cx.tagger.tags_of(f.as_str()));
            }
            let mut spec = vec!["--base".to_string(), grammar.base().to_string()];
            spec.extend(files.iter().map(|f| f.to_string()));
            Ok(Resolved { files, tags, spec })
        }
    }
}

fn with(tags: &TagSet, context: &[&str]) -> TagSet {
    let mut t = tags.clone();
    for c in context {
        t.insert(*c);
    }
    t
}

/// A command given to menhir as one argument (`--ocamlc '...'`), its words
/// quoted as a shell reads them.
fn quoted(words: &[String]) -> String {
    words
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `x.mly.depends` / `x.mlypack.depends`: `menhir --raw-depend`.
pub struct MenhirDepends {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The grammar.
    pub grammar: Grammar,
}

impl Task for MenhirDepends {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let cx = &self.cx;
            let out = tcx.key().clone();
            let r = resolve(&tcx, cx, &self.grammar).await?;
            let tool = cx.tool(Tool::Menhir, self.grammar.file().as_str())?;
            let tags = with(&r.tags, &["ocaml", "menhir_ocamldep"]);
            let tag_inputs = cx.tag_deps(&tcx, &tags).await?;
            let dep_tags: TagSet = ["ocaml", "ocamldep"].into_iter().collect();
            let mut ocamldep = cx.toolchain.ocamldep.clone();
            ocamldep.extend(cx.flags_of(&dep_tags));
            ocamldep.extend(cx.pp_of_tags(["pp:dep", "ocaml", "pp"].into_iter().collect()));
            ocamldep.push("-modules".into());
            let mut argv = tool.argv;
            argv.extend(cx.flags_of(&tags));
            argv.extend([
                "--raw-depend".into(),
                "--ocamldep".into(),
                quoted(&ocamldep),
            ]);
            argv.extend(r.spec);
            let mut action = Action::process(argv);
            if let Command::Process { stdout, .. } = &mut action.command {
                *stdout = Some(out.clone());
            }
            action
                .salt
                .extend([tool.identity, cx.toolchain.identity.clone()]);
            action.inputs.push(Input::File(self.grammar.file().clone()));
            action.inputs.extend(tag_inputs);
            if let Grammar::Pack(_) = self.grammar {
                action
                    .inputs
                    .extend(r.files.iter().cloned().map(Input::File));
            }
            action.outputs.push(out.clone());
            action.log.target = out.to_string();
            let mut log = tags;
            log.union_with(&dep_tags);
            action.log.tags = log_tags(log);
            let outputs = tcx.run(action).await?;
            let text = String::from_utf8_lossy(&tcx.read(&out)?).into_owned();
            let modules = parse(self.grammar.file().as_str(), &text)
                .map_err(|m| RuleError::new(Category::Ocamldep, m))?
                .into_iter()
                .filter(|m| !cx.options.ignore.contains(m))
                .collect();
            Ok(TaskValue {
                outputs,
                data: Some(Arc::new(ModuleRefs::names(modules))),
            })
        })
    }
}

/// `x.ml` and `x.mli` from a grammar; the task's key is the `.ml`.
pub struct Menhir {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The grammar.
    pub grammar: Grammar,
}

impl Task for Menhir {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let cx = &self.cx;
            let ml = tcx.key().clone();
            let stem = ml.as_str().trim_end_matches(".ml");
            let mli = Target::new(&format!("{stem}.mli"));
            let r = resolve(&tcx, cx, &self.grammar).await?;
            // The interfaces of the modules the semantic actions use: menhir
            // --infer type-checks the grammar against them.
            let module = ModuleSource::new(stem, true, true);
            let file = self.grammar.file().as_str();
            let deps = local_deps(&tcx, cx, file, &module).await?;
            let ifaces = need_interfaces(&tcx, &deps).await?;

            let tool = cx.tool(Tool::Menhir, self.grammar.file().as_str())?;
            let ocamlc_tags = match &self.grammar {
                Grammar::Single(_) => {
                    cx.command_tags(&[ml.as_str()], &["ocaml", "byte", "compile"])
                }
                Grammar::Pack(_) => with(&r.tags, &["ocaml", "byte", "compile"]),
            };
            let menhir_tags = with(&r.tags, &["ocaml", "parser", "menhir"]);
            let tag_inputs = cx.tag_deps(&tcx, &menhir_tags).await?;
            // The nested compiler goes through ocamlfind's translation too
            // (ocamlbuild gives menhir `ocamlfind ocamlc -package ...`).
            let mut nested = cx.flags_of(&ocamlc_tags);
            nested.extend(cx.include_args(module.dir(), ifaces.dirs.iter().map(String::as_str)));
            let (ocamlc, packages) = cx.command(
                FrontEnd::Ocamlc,
                &cx.toolchain.ocamlc,
                CommandParts {
                    before: nested,
                    ..CommandParts::default()
                },
            )?;
            let mut argv = tool.argv;
            argv.extend(["--ocamlc".into(), quoted(&ocamlc)]);
            argv.extend(cx.flags_of(&menhir_tags));
            argv.extend(r.spec);
            let mut action = Action::process(argv);
            action
                .salt
                .extend([tool.identity, cx.toolchain.identity.clone(), packages]);
            if let Grammar::Pack(p) = &self.grammar {
                action.inputs.push(Input::File(p.clone()));
            }
            action
                .inputs
                .extend(r.files.iter().cloned().map(Input::File));
            action.inputs.extend(ifaces.inputs.iter().cloned());
            action.inputs.extend(tag_inputs);
            action.outputs.extend([ml.clone(), mli]);
            action.log.target = match &self.grammar {
                Grammar::Single(mly) => mly.to_string(),
                Grammar::Pack(_) => self.grammar.base().to_string(),
            };
            let mut log = menhir_tags;
            log.union_with(&ocamlc_tags);
            action.log.tags = log_tags(log);
            let outputs = tcx.run(action).await.map_err(|e| generator_hint(e, file))?;
            Ok(TaskValue::files(outputs))
        })
    }
}

#[cfg(test)]
mod tests {
    //! menhir's binary is never needed: the actions are only recorded.

    use crate::rules::testing::Fixture;

    const GRAMMAR: &str = "%token EOF\n%start <unit> main\n%%\nmain: EOF { () }\n";

    fn menhir(tags: &str) -> Fixture {
        Fixture::new(&[("parser.mly", GRAMMAR)])
            .tags(tags)
            .with(|f| {
                f.options.menhir = true;
                f.commands.parser_generator = Some("menhir".into());
            })
    }

    #[test]
    fn menhir_asks_its_dependencies_then_infers_with_ocamlc() {
        // ocamlbuild 0.14.1 with -use-menhir.
        let b = menhir("").build(&["parser.ml"]).ok();
        assert_eq!(
            b.commands(),
            [
                "menhir --raw-depend --ocamldep 'ocamldep.opt -modules' parser.mly > \
                 parser.mly.depends",
                "menhir --ocamlc ocamlc.opt --infer parser.mly",
            ]
        );
        assert_eq!(b.action("parser.ml").outputs, ["parser.ml", "parser.mli"]);
    }

    #[test]
    fn menhir_flags_come_from_its_tags() {
        // ocamlbuild 0.14.1 with -use-menhir -tag explain.
        let b = menhir("true: explain\n").build(&["parser.ml"]).ok();
        assert_eq!(
            b.line("parser.ml"),
            "menhir --ocamlc ocamlc.opt --explain --infer parser.mly"
        );
    }
}
