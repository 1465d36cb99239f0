//! What a plugin declared, and how it joins caravan's configuration.
//!
//! - Flags and dependencies (`flag`, `pflag`, `dep`, `pdep`...) join the
//!   flag table in ocamlbuild's order: those made before `After_rules` come
//!   before the built-in declarations, the others after them; parametrised
//!   ones are instantiated for the parameters the tags use, in
//!   acknowledgement order, built-in and plugin alike.
//! - `tag_file`/`tag_any` lines (and `Configuration.parse_string` text)
//!   join the tag configuration as they are made
//!   (before the `_tags` files when made before the tree is read).
//! - Rules keep ocamlbuild's order relative to its built-in rules
//!   ([`RuleOrder`]).
//! - The rest (`define_context`, `non_dependency`, `ocaml_lib`...) is kept
//!   for the rules.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use tags::{Configuration, Declarations};

use super::PluginError;
use super::options::PluginOptions;
use super::protocol::{Declaration, Insert, Instance, Phase, Query, RuleDecl};
use super::session::Host;
use super::spec::{Expander, Spec, flag_words};
use super::wire::Sexp;

/// Everything the hooks declared, in order.
#[derive(Clone, Debug, Default)]
pub struct PluginDeclarations {
    /// The declarations, in the order they were made.
    pub all: Vec<Declaration>,
    /// The options after the last hook.
    pub options: PluginOptions,
    /// Values of parametrised declarations, by function id and parameter.
    pub instances: FxHashMap<(String, String), Result<Sexp, String>>,
}

/// Rules in ocamlbuild's order around its built-in ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleOrder {
    /// Tried before the built-in rules.
    pub before: Vec<RuleDecl>,
    /// Tried after them.
    pub after: Vec<RuleDecl>,
    /// Whether the built-in rules remain (`clear_rules` removes them).
    pub builtins: bool,
}

enum Slot {
    Plugin(RuleDecl),
    Builtins,
}

impl PluginDeclarations {
    /// Records the values of parametrised declarations.
    pub fn set_instances(&mut self, instances: Vec<Instance>) {
        for i in instances {
            self.instances.insert((i.id, i.param), i.value);
        }
    }

    /// The `(function id, parameter)` pairs to evaluate: every parameter the
    /// configuration gives a parametrised tag the plugin declared (and the
    /// one `-documentation` shows, when asked).
    pub fn instantiation_requests(
        &self,
        config: &Configuration,
        documentation: bool,
    ) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut push = |id: &str, param: &str| {
            let pair = (id.to_string(), param.to_string());
            if !out.contains(&pair) {
                out.push(pair);
            }
        };
        let params = config.parametrised_tags();
        for d in &self.all {
            let (name, id, doc) = match d {
                Declaration::PFlag {
                    name,
                    id,
                    doc_param,
                    ..
                } => (name, id, doc_param.as_deref()),
                Declaration::PDep { name, id, .. } => (name, id, None),
                _ => continue,
            };
            for t in &params {
                if t.name() == Some(name.as_str())
                    && let Some(p) = t.param()
                {
                    push(id, p);
                }
            }
            if documentation {
                push(id, doc.unwrap_or("X"));
            }
        }
        out
    }

    /// Adds the plugin's flag and dependency declarations made before
    /// (`before`) or after the built-in ones.
    pub fn declare_flags(&self, decls: &mut Declarations, before: bool, x: &dyn Expander) {
        let when = |p: &Phase| p.before_builtins() == before;
        for d in &self.all {
            match d {
                Declaration::Flag {
                    phase,
                    tags,
                    spec,
                    deprecated,
                } if when(phase) => {
                    let words = flag_words(spec, x);
                    if *deprecated {
                        decls.deprecated_flag(tags.iter().map(String::as_str), words);
                    } else {
                        decls.flag(tags.iter().map(String::as_str), words);
                    }
                }
                Declaration::PFlag {
                    phase,
                    tags,
                    name,
                    id,
                    doc_param,
                } if when(phase) => {
                    let values: FxHashMap<String, Result<Vec<String>, String>> = self
                        .instances
                        .iter()
                        .filter(|((i, _), _)| i == id)
                        .map(|((_, p), v)| {
                            let words = match v {
                                Ok(s) => match Spec::decode(s) {
                                    Some(spec) => Ok(flag_words(&spec, x)),
                                    None => Err(format!("{name}: not a command spec")),
                                },
                                Err(e) => Err(e.clone()),
                            };
                            (p.clone(), words)
                        })
                        .collect();
                    let values = Arc::new(values);
                    decls.pflag_checked(
                        tags.iter().map(String::as_str),
                        name,
                        doc_param.as_deref(),
                        move |p| match values.get(p) {
                            Some(v) => v.clone(),
                            None => Ok(Vec::new()),
                        },
                    );
                }
                Declaration::Dep { phase, tags, paths } if when(phase) => {
                    decls.dep(tags.iter().map(String::as_str), paths.clone());
                }
                Declaration::PDep {
                    phase,
                    tags,
                    name,
                    id,
                } if when(phase) => {
                    let values: FxHashMap<String, Vec<String>> = self
                        .instances
                        .iter()
                        .filter(|((i, _), _)| i == id)
                        .filter_map(|((_, p), v)| {
                            let paths = v.as_ref().ok()?.as_strings()?;
                            Some((p.clone(), paths))
                        })
                        .collect();
                    let values = Arc::new(values);
                    decls.pdep(tags.iter().map(String::as_str), name, move |p| {
                        values.get(p).cloned().unwrap_or_default()
                    });
                }
                Declaration::MarkTagUsed(t) if before => decls.mark_tag_used(t.as_str()),
                _ => {}
            }
        }
    }

    /// The rules, ordered around the built-in ones as ocamlbuild orders
    /// them: the built-in rules are added (at the bottom) between the
    /// `Before_rules` and `After_rules` hooks.
    pub fn rules(&self) -> RuleOrder {
        let mut list: Vec<Slot> = Vec::new();
        let mut builtins_added = false;
        let position = |list: &[Slot], name: &str| {
            list.iter()
                .position(|s| matches!(s, Slot::Plugin(r) if r.name == name))
                .or_else(|| list.iter().position(|s| matches!(s, Slot::Builtins)))
        };
        for d in &self.all {
            let phase = match d {
                Declaration::Rule(r) => r.phase,
                Declaration::ClearRules { phase } => *phase,
                _ => continue,
            };
            if !phase.before_builtins() && !builtins_added {
                list.push(Slot::Builtins);
                builtins_added = true;
            }
            match d {
                Declaration::Rule(r) => {
                    let at = match &r.insert {
                        Insert::Top => Some(0),
                        Insert::Bottom => None,
                        Insert::Before(n) => position(&list, n),
                        Insert::After(n) => position(&list, n).map(|i| i + 1),
                    };
                    match at {
                        Some(i) if i <= list.len() => list.insert(i, Slot::Plugin(r.clone())),
                        _ => list.push(Slot::Plugin(r.clone())),
                    }
                }
                _ => list.clear(),
            }
        }
        if !builtins_added {
            list.push(Slot::Builtins);
        }
        let mut order = RuleOrder::default();
        for s in list {
            match s {
                Slot::Builtins => order.builtins = true,
                Slot::Plugin(r) if order.builtins => order.after.push(r),
                Slot::Plugin(r) => order.before.push(r),
            }
        }
        order
    }

    /// `define_context` calls: the include directories of a directory.
    pub fn contexts(&self) -> Vec<(String, Vec<String>)> {
        self.all
            .iter()
            .filter_map(|d| match d {
                Declaration::DefineContext { dir, dirs, .. } => Some((dir.clone(), dirs.clone())),
                _ => None,
            })
            .collect()
    }

    /// The names of the parametrised tags the plugin declares.
    pub fn parametrised_names(&self) -> Vec<String> {
        self.all
            .iter()
            .filter_map(|d| match d {
                Declaration::PFlag { name, .. } | Declaration::PDep { name, .. } => {
                    Some(name.clone())
                }
                _ => None,
            })
            .collect()
    }

    /// The tags of the project libraries the plugin declares with
    /// `ocaml_lib` (without `~extern:true`).
    pub fn internal_library_tags(&self) -> Vec<String> {
        self.all
            .iter()
            .filter_map(|d| match d {
                Declaration::OcamlLib {
                    extern_: false,
                    tag,
                    ..
                } => Some(tag.clone()),
                _ => None,
            })
            .collect()
    }

    /// `non_dependency` calls: (file, module).
    pub fn non_dependencies(&self) -> Vec<(String, String)> {
        self.all
            .iter()
            .filter_map(|d| match d {
                Declaration::NonDependency { path, module } => Some((path.clone(), module.clone())),
                _ => None,
            })
            .collect()
    }
}

/// The host of a configuration session: records declarations, applies
/// tag lines to `config` as they come, and answers questions from it.
pub struct Recorder<'a> {
    /// Where declarations go.
    pub decls: &'a mut PluginDeclarations,
    /// The tag configuration read so far.
    pub config: &'a mut Configuration,
    /// The flags of a tag set, as far as they are known.
    pub flags: &'a dyn Fn(&[String]) -> Vec<String>,
}

/// `use_lib m lib`: ocamlbuild links the programs `m.byte` and `m.native`
/// with the project library `lib` (its archive built first), as the tag
/// `use_<basename of lib>` on those programs does.
fn use_lib(config: &mut Configuration, module: &str, lib: &str) -> tags::Result<()> {
    let name = lib.rsplit('/').next().unwrap_or(lib);
    let tag = format!("use_{name}");
    for program in ["byte", "native"] {
        config.tag_file(&format!("{module}.{program}"), &[tag.as_str()])?;
    }
    Ok(())
}

impl Host for Recorder<'_> {
    fn declare(&mut self, d: Declaration) -> Result<(), PluginError> {
        let applied = match &d {
            Declaration::TagFile { path, tags, .. } => self.config.tag_file(path, tags),
            Declaration::TagAny { tags, .. } => self.config.tag_any(tags),
            Declaration::TagLines { text, .. } => self.config.add_configuration(text),
            Declaration::UseLib { module, lib } => use_lib(self.config, module, lib),
            _ => Ok(()),
        };
        applied.map_err(|e| PluginError::new(e.exit_code() as u8, e.to_string()))?;
        self.decls.all.push(d);
        Ok(())
    }

    fn answer(&mut self, q: &Query) -> Sexp {
        match q {
            Query::TagsOf(p) => tags_answer(self.config, p),
            Query::TagFlags(tags) => Spec::atoms(&(self.flags)(tags)).encode(),
            Query::Build { .. } | Query::Builtin { .. } => Sexp::List(vec![
                Sexp::atom("error"),
                Sexp::atom("build can only be called from a rule's action"),
            ]),
        }
    }
}

/// `tags_of_pathname`'s answer.
pub fn tags_answer(config: &Configuration, path: &str) -> Sexp {
    Sexp::atoms(config.tags_of(path).iter().map(|t| t.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str, phase: Phase, insert: Insert) -> Declaration {
        Declaration::Rule(RuleDecl {
            name: name.into(),
            phase,
            prods: vec![format!("%.{name}")],
            deps: vec![],
            stamp: None,
            insert,
            doc: None,
        })
    }

    fn names(v: &[RuleDecl]) -> Vec<&str> {
        v.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn rules_are_ordered_around_the_builtins_as_ocamlbuild_does() {
        let d = PluginDeclarations {
            all: vec![
                rule("a", Phase::BeforeRules, Insert::Bottom),
                rule("b", Phase::AfterRules, Insert::Bottom),
                rule("c", Phase::AfterRules, Insert::Top),
                rule(
                    "d",
                    Phase::AfterRules,
                    Insert::Before("ocaml: ml -> cmo & cmi".into()),
                ),
                rule("e", Phase::AfterRules, Insert::After("b".into())),
            ],
            ..Default::default()
        };
        let o = d.rules();
        assert!(o.builtins);
        assert_eq!(names(&o.before), ["c", "a", "d"]);
        assert_eq!(names(&o.after), ["b", "e"]);
    }

    #[test]
    fn clear_rules_in_after_rules_drops_the_builtins() {
        let d = PluginDeclarations {
            all: vec![
                rule("a", Phase::BeforeRules, Insert::Bottom),
                Declaration::ClearRules {
                    phase: Phase::AfterRules,
                },
                rule("b", Phase::AfterRules, Insert::Bottom),
            ],
            ..Default::default()
        };
        let o = d.rules();
        assert!(!o.builtins);
        assert_eq!(names(&o.before), ["b"]);
        assert!(o.after.is_empty());
    }

    #[test]
    fn parameters_come_from_the_configuration() {
        let mut c = Configuration::new();
        c.add_tags_file("", b"true: inline(3)\n<a.ml>: inline(5), other(1)\n")
            .unwrap();
        let d = PluginDeclarations {
            all: vec![Declaration::PFlag {
                phase: Phase::AfterRules,
                tags: vec!["ocaml".into()],
                name: "inline".into(),
                id: "7".into(),
                doc_param: None,
            }],
            ..Default::default()
        };
        assert_eq!(
            d.instantiation_requests(&c, false),
            [("7".to_string(), "5".to_string()), ("7".into(), "3".into())]
        );
    }
}
