//! Plugin rules in the engine.
//!
//! A plugin rule is a candidate for a target when one of its products
//! matches it (binding `%` and `%(name)`); as in ocamlbuild, it applies
//! when its static dependencies can be built, which the engine learns by
//! trying it (a failed dependency makes it fall to the next candidate; the
//! order is [`ocaml::rules::rule_order`]'s).
//!
//! Its task builds the static dependencies, asks the plugin to run the
//! action with the target's bindings, builds what the action asks for
//! (`build`, answered with outcomes), and runs the command the action
//! returns as one caravan action whose inputs are the static and dynamic
//! dependencies: traced, cached and shown like any other. `T` tags become
//! flags, `Sh` makes the command run through `sh -c`, `Echo` writes files.
//! An action that returns `Nop` after writing its products itself (from
//! OCaml) has them recorded and restored by an in-process step, so the
//! trace store sees them like any output.

use std::sync::{Arc, Weak};

use engine::{
    Action, DigestBuilder, Error, Input, LazyText, Result, Target, Task, TaskCx, TaskValue,
};
use futures::future::BoxFuture;
use rustc_hash::FxHashSet;
use tags::{Bindings, PathScheme, TagSet};

use super::builtin;
use super::declarations::{RuleOrder, tags_answer};
use super::protocol::{Query, RuleDecl};
use super::server::{Answerer, EvalEvent};
use super::spec::{self, Command, Expander, Line, Spec};
use super::tool_words::ToolWords;
use super::wire::Sexp;
use super::{PluginError, PluginRunner, raised_error};
use ocaml::rule_error::{Category, RuleError};
use ocaml::rules::RuleContext;
use ocaml::rules::declared::{DeclaredRules, Place};

/// A rule with its patterns parsed.
#[derive(Debug)]
pub struct CompiledRule {
    /// The declaration.
    pub decl: RuleDecl,
    prods: Vec<PathScheme>,
    deps: Vec<PathScheme>,
    stamp: Option<PathScheme>,
}

impl CompiledRule {
    fn new(decl: RuleDecl) -> std::result::Result<CompiledRule, PluginError> {
        let bad = |e: tags::Error| {
            PluginError::new(
                2,
                format!(
                    "{e}\nError: in the rule \"{}\" of myocamlbuild.ml: a product or \
                     dependency is not a valid pattern.",
                    decl.name
                ),
            )
        };
        let prods = decl
            .prods
            .iter()
            .map(|p| PathScheme::parse(p))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(bad)?;
        let deps = decl
            .deps
            .iter()
            .map(|p| PathScheme::parse_without_patterns(p))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(bad)?;
        let stamp = match &decl.stamp {
            Some(s) => Some(PathScheme::parse(s).map_err(bad)?),
            None => None,
        };
        Ok(CompiledRule {
            decl,
            prods,
            deps,
            stamp,
        })
    }

    fn matches(&self, target: &str) -> Option<Bindings> {
        self.prods
            .iter()
            .chain(&self.stamp)
            .find_map(|p| p.matches(target))
    }

    /// The products for these bindings: the products, then the stamp.
    fn products(&self, b: &Bindings) -> Vec<Target> {
        self.prods
            .iter()
            .chain(&self.stamp)
            .map(|p| Target::new(&p.substitute(b)))
            .collect()
    }

    fn dependencies(&self, b: &Bindings) -> Vec<Target> {
        self.deps
            .iter()
            .map(|d| Target::new(&d.substitute(b)))
            .collect()
    }
}

/// The plugin's rules and the plugin that runs their actions.
pub struct PluginRules {
    before: Vec<Arc<CompiledRule>>,
    after: Vec<Arc<CompiledRule>>,
    /// Whether ocamlbuild's built-in rules remain.
    pub builtins: bool,
    /// The plugin, started on the first evaluation.
    pub runner: Arc<PluginRunner>,
    /// The tools of `build_tools`, for `%{name}` in commands.
    tools: Arc<ToolWords>,
}

impl PluginRules {
    /// The rules of a plugin, in order.
    pub fn new(
        order: RuleOrder,
        runner: Arc<PluginRunner>,
    ) -> std::result::Result<PluginRules, PluginError> {
        let compile =
            |v: Vec<RuleDecl>| -> std::result::Result<Vec<Arc<CompiledRule>>, PluginError> {
                v.into_iter()
                    .map(|d| CompiledRule::new(d).map(Arc::new))
                    .collect()
            };
        Ok(PluginRules {
            before: compile(order.before)?,
            after: compile(order.after)?,
            builtins: order.builtins,
            runner,
            tools: Arc::new(ToolWords::default()),
        })
    }

    /// The tools `%{name}` in a rule's command names.
    pub fn with_tools(mut self, tools: ToolWords) -> PluginRules {
        self.tools = Arc::new(tools);
        self
    }

    /// The files the rules can make from `sources`: each rule's products
    /// for every binding of its dependencies that exists, repeated until
    /// nothing new appears (so generated files can feed other rules).
    /// Rules whose products are not fixed by their dependencies make
    /// nothing here; they apply when a target asks for them.
    pub fn generated(&self, sources: &[String]) -> Vec<String> {
        let mut known: FxHashSet<String> = sources.iter().cloned().collect();
        let mut out = Vec::new();
        for _ in 0..8 {
            let mut added = false;
            for rule in self.before.iter().chain(&self.after) {
                let bindings: Vec<Bindings> =
                    match rule.deps.iter().find(|d| !d.variables().is_empty()) {
                        None => vec![Bindings::default()],
                        Some(d) => known.iter().filter_map(|f| d.matches(f)).collect(),
                    };
                for b in bindings {
                    let bound = |s: &PathScheme| s.variables().iter().all(|v| b.get(v).is_some());
                    // A dependency named outright (no variable) may be made
                    // by a built-in rule (`gen.byte`): the rule is taken to
                    // apply, as ocamlbuild would find when it tries it.
                    if !rule
                        .deps
                        .iter()
                        .all(|d| d.variables().is_empty() || known.contains(&d.substitute(&b)))
                    {
                        continue;
                    }
                    for p in rule.prods.iter().filter(|p| bound(p)) {
                        let path = p.substitute(&b);
                        // A product's own constraints hold too
                        // (`%(ext:<{byte,native}>)` makes no `.ml`).
                        if p.matches(&path).is_none() {
                            continue;
                        }
                        if known.insert(path.clone()) {
                            out.push(path);
                            added = true;
                        }
                    }
                }
            }
            if !added {
                break;
            }
        }
        out.sort();
        out
    }
}

impl DeclaredRules for PluginRules {
    /// Whether there is any rule.
    fn is_empty(&self) -> bool {
        self.before.is_empty() && self.after.is_empty()
    }

    /// Every rule at `place` with a product (or stamp) matching `target`,
    /// in the plugin's order, as tasks with their keys. Whether a rule's
    /// static dependencies can be built is learnt by trying it (see
    /// [`ocaml::rules::rule_order`]).
    fn matching(
        &self,
        cx: &Arc<RuleContext>,
        target: &Target,
        place: Place,
    ) -> Vec<(Target, Arc<dyn Task>)> {
        let rules = match place {
            Place::Before => &self.before,
            Place::After => &self.after,
        };
        let mut out: Vec<(Target, Arc<dyn Task>)> = Vec::new();
        for rule in rules {
            let Some(b) = rule.matches(target.as_str()) else {
                continue;
            };
            let deps = rule.dependencies(&b);
            let products = rule.products(&b);
            let key = products.first().cloned().unwrap_or_else(|| target.clone());
            out.push((
                key,
                Arc::new(RuleTask {
                    cx: cx.clone(),
                    runner: self.runner.clone(),
                    tools: self.tools.clone(),
                    rule: rule.clone(),
                    bindings: b,
                    products,
                    deps,
                }),
            ));
        }
        out
    }

    fn keeps_builtins(&self) -> bool {
        self.builtins
    }
}

/// Answers the plugin's questions during the build from the rules'
/// configuration.
struct ContextAnswerer(Weak<RuleContext>);

impl Answerer for ContextAnswerer {
    fn answer(&self, q: &Query) -> Sexp {
        let Some(cx) = self.0.upgrade() else {
            return Sexp::List(vec![Sexp::atom("error"), Sexp::atom("the build is over")]);
        };
        match q {
            Query::TagsOf(p) => tags_answer(cx.tagger.config(), p),
            Query::TagFlags(tags) => {
                let set: TagSet = tags.iter().map(String::as_str).collect();
                Spec::atoms(&cx.flag_words(&set)).encode()
            }
            Query::Build { .. } | Query::Builtin { .. } => Sexp::List(vec![
                Sexp::atom("error"),
                Sexp::atom("build can only be called from a rule's action"),
            ]),
        }
    }
}

/// Renders specs with the rules' flags and tools.
struct ContextExpander<'a>(&'a RuleContext);

impl Expander for ContextExpander<'_> {
    fn flags(&self, tags: &[String]) -> Vec<String> {
        let set: TagSet = tags.iter().map(String::as_str).collect();
        self.0.flag_words(&set)
    }

    fn virtual_tool(&self, name: &str) -> Vec<String> {
        virtual_tool(name)
    }
}

/// A virtual tool found as ocamlbuild finds it (`OCAMLC` → `ocamlc.opt`).
pub fn virtual_tool(name: &str) -> Vec<String> {
    let lower = name.to_lowercase();
    ocaml::toolchain::tool_command(None, &lower).unwrap_or_else(|_| vec![lower])
}

/// A plugin rule applied to a target.
struct RuleTask {
    cx: Arc<RuleContext>,
    runner: Arc<PluginRunner>,
    tools: Arc<ToolWords>,
    rule: Arc<CompiledRule>,
    bindings: Bindings,
    products: Vec<Target>,
    deps: Vec<Target>,
}

fn plugin_failure(e: PluginError) -> Error {
    let message = match e.message.strip_prefix("Error: ") {
        Some(m) => m.to_string(),
        None => e.message,
    };
    RuleError::new(Category::Plugin, message).into()
}

impl Task for RuleTask {
    fn rule_id(&self) -> &str {
        &self.rule.decl.name
    }

    /// A plugin's rule is OCaml code that may look at any file (or the
    /// clock) to decide its command: it runs at every build that asks for
    /// it, and the tasks above it are checked against its value.
    fn volatile(&self) -> bool {
        true
    }

    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let name = &self.rule.decl.name;
            tcx.need(&self.deps).await?;
            let mut inputs: Vec<Target> = Vec::new();
            for d in &self.deps {
                if !inputs.contains(d) {
                    inputs.push(d.clone());
                }
            }
            let answerer: Arc<dyn Answerer> = Arc::new(ContextAnswerer(Arc::downgrade(&self.cx)));
            let server = self.runner.server(answerer).await.map_err(plugin_failure)?;
            let bindings: Vec<(String, String)> = self
                .bindings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let mut events = server
                .eval(name, bindings)
                .map_err(|m| RuleError::new(Category::Plugin, m))?;
            let mut dependency_error: Option<Error> = None;
            let mut delegated: Option<TaskValue> = None;
            let command = loop {
                match events.recv().await {
                    Some(EvalEvent::Build { query, targets }) => {
                        let outcomes = futures::future::join_all(
                            targets
                                .iter()
                                .map(|alternatives| build_one(&tcx, alternatives)),
                        )
                        .await;
                        let mut answer = Vec::new();
                        for o in outcomes {
                            match o {
                                Ok(t) => {
                                    answer.push(Sexp::atoms(["ok", t.as_str()]));
                                    if !inputs.contains(&t) {
                                        inputs.push(t);
                                    }
                                }
                                Err(e) => {
                                    answer.push(Sexp::atoms(["failed", &e.to_string()]));
                                    dependency_error.get_or_insert(e);
                                }
                            }
                        }
                        server
                            .reply(query, Sexp::List(answer))
                            .map_err(|m| RuleError::new(Category::Plugin, m))?;
                    }
                    Some(EvalEvent::Builtin { query, kind, args }) => {
                        let answer = match self
                            .builtin(&tcx, &kind, &args, &mut inputs, &mut delegated)
                            .await
                        {
                            Ok(()) => Sexp::List(vec![Sexp::atom("ok")]),
                            Err(e) => {
                                let answer = Sexp::atoms(["failed", &e.to_string()]);
                                dependency_error.get_or_insert(e);
                                answer
                            }
                        };
                        server
                            .reply(query, answer)
                            .map_err(|m| RuleError::new(Category::Plugin, m))?;
                    }
                    Some(EvalEvent::Done(c)) => break c,
                    Some(EvalEvent::Raised(r)) => {
                        if let Some(e) = dependency_error {
                            return Err(e);
                        }
                        let step = format!("the action of its rule \"{name}\"");
                        return Err(plugin_failure(raised_error(&step, &r)));
                    }
                    Some(EvalEvent::Died(m)) => {
                        return Err(RuleError::new(Category::Plugin, m).into());
                    }
                    None => {
                        return Err(RuleError::new(
                            Category::Plugin,
                            "the plugin stopped during the build".to_string(),
                        )
                        .into());
                    }
                }
            };
            // `%{tool}` in the command: the tool's path; an internal tool is
            // built first and is an input.
            let command = if self.tools.tools.is_empty() {
                command
            } else {
                let (command, tools) = self.tools.substitute(&command).map_err(|m| {
                    Error::from(RuleError::new(
                        Category::Plugin,
                        format!("the action of the plugin's rule \"{name}\": {m}"),
                    ))
                })?;
                tcx.need(&tools).await?;
                for t in tools {
                    if !inputs.contains(&t) {
                        inputs.push(t);
                    }
                }
                command
            };
            let Some(mut value) = delegated else {
                let action = self.action(&tcx, &command, &inputs)?;
                return Ok(TaskValue::files(tcx.run(action).await?));
            };
            // The built-in rule ran in the rule's place; what the action
            // added to it (`Seq [builtin; more]`) runs after it.
            if command.flatten().is_empty() {
                return Ok(value);
            }
            let made: Vec<Target> = value.outputs.iter().map(|(t, _)| t.clone()).collect();
            for t in &made {
                if !inputs.contains(t) {
                    inputs.push(t.clone());
                }
            }
            let mut action = self.action(&tcx, &command, &inputs)?;
            action.outputs.retain(|t| !made.contains(t));
            value.outputs.extend(tcx.run(action).await?);
            Ok(value)
        })
    }
}

/// Builds the first alternative that can be built.
async fn build_one(tcx: &TaskCx, alternatives: &[String]) -> Result<Target> {
    let mut last = None;
    for a in alternatives {
        let t = Target::new(a);
        match tcx.need_one(&t).await {
            Ok(_) => return Ok(t),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        RuleError::new(
            Category::Plugin,
            "build called with no alternative".to_string(),
        )
        .into()
    }))
}

/// One step of the rendered command.
enum Step {
    Run(Line),
    Write(String, String),
}

impl RuleTask {
    /// Answers a `builtin` question: the rule's own target (its key, or
    /// another of its products for a task that names its output) is made
    /// by the built-in task in the rule's place (once); another target is
    /// built as a dependency.
    async fn builtin(
        &self,
        tcx: &Arc<TaskCx>,
        kind: &str,
        args: &[String],
        inputs: &mut Vec<Target>,
        delegated: &mut Option<TaskValue>,
    ) -> Result<()> {
        let builtin::Builtin {
            target,
            task,
            explicit_output,
        } = builtin::task(&self.cx, kind, args)?;
        let in_place = &target == tcx.key() || (explicit_output && self.products.contains(&target));
        if in_place {
            if delegated.is_none() {
                *delegated = Some(task.run(tcx.clone()).await?);
            }
        } else {
            tcx.need_one(&target).await?;
            if !inputs.contains(&target) {
                inputs.push(target);
            }
        }
        Ok(())
    }

    /// The caravan action running `command`.
    fn action(&self, tcx: &TaskCx, command: &Command, inputs: &[Target]) -> Result<Action> {
        let name = &self.rule.decl.name;
        let x = ContextExpander(&self.cx);
        let mut tags = TagSet::new();
        let mut steps = Vec::new();
        for c in command.flatten() {
            match c {
                Command::Cmd(s) => {
                    collect_tags(s, &mut tags);
                    steps.push(Step::Run(spec::render(s, &x)));
                }
                Command::Echo(texts, path) => steps.push(Step::Write(path.clone(), texts.concat())),
                Command::Seq(_) | Command::Nop => {}
            }
        }
        let stamp = self.rule.stamp.as_ref().map(|_| {
            let mut d = DigestBuilder::new("plugin-stamp");
            for i in inputs {
                d.str(i.as_str());
                if let Some(x) = tcx.digest_of(i) {
                    d.digest(&x);
                }
            }
            d.finish().to_hex()
        });
        let stamp_target = stamp.as_ref().and_then(|_| self.products.last().cloned());
        let target = steps
            .iter()
            .rev()
            .find_map(|s| match s {
                Step::Run(l) => l.target.clone(),
                Step::Write(..) => None,
            })
            .or_else(|| self.products.first().map(|t| t.to_string()))
            .unwrap_or_default();
        let runs = steps.iter().any(|s| matches!(s, Step::Run(_)));

        let mut action = if !runs {
            // Files to write in process: echoes, the stamp, and products
            // the action wrote itself (it returned Nop).
            let mut writes: Vec<(String, Vec<u8>)> = steps
                .iter()
                .filter_map(|s| match s {
                    Step::Write(p, t) => Some((p.clone(), t.clone().into_bytes())),
                    Step::Run(_) => None,
                })
                .collect();
            for p in &self.products {
                if Some(p) == stamp_target.as_ref() || writes.iter().any(|(w, _)| w == p.as_str()) {
                    continue;
                }
                match tcx.read(p) {
                    Ok(bytes) => writes.push((p.to_string(), bytes)),
                    Err(_) => {
                        return Err(RuleError::new(
                            Category::Plugin,
                            format!(
                                "the action of the plugin's rule \"{name}\" produced no command \
                                 and did not write {p} itself."
                            ),
                        )
                        .into());
                    }
                }
            }
            if let (Some(s), Some(t)) = (&stamp, &stamp_target) {
                writes.push((t.to_string(), s.clone().into_bytes()));
            }
            let args: Vec<String> = writes
                .iter()
                .map(|(p, b)| format!("{p} {}", engine::Digest::of_bytes(b).to_hex()))
                .collect();
            let display = writes
                .iter()
                .map(|(p, _)| format!("write {p}"))
                .collect::<Vec<_>>()
                .join("; ");
            Action::internal(
                "plugin-write-1",
                args,
                format!("{display} (rule \"{name}\") # in-process"),
                move |dir| {
                    for (p, bytes) in &writes {
                        let full = dir.join(p);
                        if let Some(parent) = full.parent() {
                            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                        }
                        std::fs::write(&full, bytes).map_err(|e| Error::io(&full, e))?;
                    }
                    Ok(Vec::new())
                },
            )
        } else {
            match (steps.as_slice(), &stamp) {
                ([Step::Run(line)], None) if line.argv().is_some() => {
                    Action::process(line.argv().unwrap_or_default())
                }
                _ => {
                    let mut script: Vec<String> = steps
                        .iter()
                        .map(|s| match s {
                            Step::Run(l) => l.to_shell(),
                            Step::Write(p, t) => format!(
                                "printf '%s' {} > {}",
                                engine::shell_quote(t),
                                engine::shell_quote(p)
                            ),
                        })
                        .collect();
                    if let (Some(s), Some(t)) = (&stamp, &stamp_target) {
                        script.push(format!(
                            "printf '%s' {s} > {}",
                            engine::shell_quote(t.as_str())
                        ));
                    }
                    let script = if script.len() == 1 {
                        script.concat()
                    } else {
                        script
                            .iter()
                            .map(|c| format!("( {c} )"))
                            .collect::<Vec<_>>()
                            .join(" && ")
                    };
                    Action::process(vec!["/bin/sh".into(), "-c".into(), script])
                }
            }
        };
        action.inputs = inputs.iter().cloned().map(Input::File).collect();
        action.outputs = self.products.clone();
        // A plugin's command may read and write files its rule does not
        // name: never cached, never sent away.
        action.sharing = engine::Sharing::Private("a plugin rule's command");
        action.log.target = target;
        action.log.tags = LazyText::new(move || tags.to_string());
        Ok(action)
    }
}

fn collect_tags(s: &Spec, out: &mut TagSet) {
    match s {
        Spec::T(tags) => {
            for t in tags {
                out.insert(t.as_str());
            }
        }
        Spec::S(l) => l.iter().for_each(|x| collect_tags(x, out)),
        Spec::Quote(x) => collect_tags(x, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Insert, Phase};

    fn decl(name: &str, prods: &[&str], deps: &[&str]) -> RuleDecl {
        RuleDecl {
            name: name.into(),
            phase: Phase::AfterRules,
            prods: prods.iter().map(|s| s.to_string()).collect(),
            deps: deps.iter().map(|s| s.to_string()).collect(),
            stamp: None,
            insert: Insert::Bottom,
            doc: None,
        }
    }

    fn rules(decls: Vec<RuleDecl>) -> PluginRules {
        let runner = Arc::new(PluginRunner::new(
            super::super::process::Launch {
                binary: "/nonexistent".into(),
                runner: vec![],
                root: ".".into(),
                args: vec![],
            },
            ".".into(),
            vec![],
            None,
        ));
        let order = RuleOrder {
            before: vec![],
            after: decls,
            builtins: true,
        };
        match PluginRules::new(order, runner) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn generated_files_follow_dependencies_transitively() {
        let r = rules(vec![
            decl("ml", &["%.ml"], &["%.data"]),
            decl("data", &["%.data"], &["%.raw"]),
            decl("version", &["version.ml"], &[]),
            decl("anything", &["%.stamp"], &[]),
            // A product made from a program the build links.
            decl("import", &["config/import.ml"], &["config/gen.byte"]),
            // Its own constraint keeps a product out.
            decl("copy", &["bin/%(n).%(e:<{byte,native}>)"], &["%(n).%(e)"]),
        ]);
        let g = r.generated(&["a.raw".to_string(), "b.data".to_string()]);
        assert_eq!(
            g,
            ["a.data", "a.ml", "b.ml", "config/import.ml", "version.ml"]
        );
    }

    #[test]
    fn products_and_dependencies_follow_the_bindings() {
        let rule = CompiledRule::new(decl("x", &["%(dir)/gen_%(n).ml"], &["%(dir)/%(n).txt"]))
            .unwrap_or_else(|e| panic!("{e}"));
        let b = rule.matches("src/gen_foo.ml").unwrap();
        assert_eq!(rule.dependencies(&b), [Target::new("src/foo.txt")]);
        assert_eq!(rule.products(&b), [Target::new("src/gen_foo.ml")]);
    }
}
