//! The order in which rules are tried for a target, plugin and built-in
//! alike: the one place that owns it.
//!
//! As in ocamlbuild, a plugin's rules inserted before the built-in ones
//! (`~insert:`top`, or declared before `After_rules`) come first, in the
//! plugin's order; then the built-in rule that applies (one at most: the
//! built-in table of [`super::dispatch`] already encodes ocamlbuild's order among
//! built-ins, from the files that exist); then the plugin's other rules.
//! `clear_rules` leaves the built-in rule out. The engine tries the
//! candidates in this order and falls to the next one when a candidate's
//! sources cannot be built ([`engine::Error::is_inapplicable`]), which is
//! ocamlbuild's backtracking solver. [`OcamlRules`]' [`Rules`] methods,
//! what the engine asks, are these candidates.

use std::any::Any;
use std::sync::Arc;

use engine::{DataReader, DataWriter, Producer, Rules, Target, Task};

use super::declared::Place;
use super::dispatch::OcamlRules;

/// The tasks that may produce `target`, in the order to try them.
pub fn candidates(rules: &OcamlRules, target: &Target) -> Vec<(Target, Arc<dyn Task>)> {
    let cx = rules.context();
    let Some(plugin) = rules.plugin().filter(|p| !p.is_empty()) else {
        return rules.builtin(target).into_iter().collect();
    };
    let mut out = plugin.matching(cx, target, Place::Before);
    if plugin.keeps_builtins() {
        out.extend(rules.builtin(target));
    }
    out.extend(plugin.matching(cx, target, Place::After));
    out
}

impl Rules for OcamlRules {
    fn producer(&self, target: &Target) -> Option<Producer> {
        self.candidates(target).into_iter().next()
    }

    fn candidates(&self, target: &Target) -> Vec<Producer> {
        candidates(self, target)
            .into_iter()
            .map(|(key, task)| Producer { key, task })
            .collect()
    }

    fn encode_data(&self, data: &(dyn Any + Send + Sync), out: &mut DataWriter) -> Option<Vec<u8>> {
        super::stored_data::encode(data, out)
    }

    fn decode_data(&self, bytes: &[u8], groups: &DataReader) -> Option<Arc<dyn Any + Send + Sync>> {
        super::stored_data::decode(bytes, groups)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use engine::{Action, Input, Result, Target, Task, TaskCx, TaskValue};
    use futures::future::BoxFuture;

    use super::*;
    use crate::rules::RuleContext;
    use crate::rules::declared::DeclaredRules;
    use crate::rules::testing::Fixture;

    /// A plugin rule: runs `<name> <target>`, after needing `needs`.
    struct Step {
        name: &'static str,
        target: Target,
        needs: Option<Target>,
    }

    impl Task for Step {
        fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
            Box::pin(async move {
                let mut a = Action::process(vec![self.name.to_string(), self.target.to_string()]);
                if let Some(n) = &self.needs {
                    tcx.need_one(n).await?;
                    a.inputs.push(Input::File(n.clone()));
                }
                a.outputs.push(self.target.clone());
                Ok(TaskValue::files(tcx.run(a).await?))
            })
        }

        fn rule_id(&self) -> &str {
            self.name
        }
    }

    /// A rule before the built-in ones and one after, for every `.cmo`; the
    /// one before needs `needs` when given.
    struct Plugin {
        keeps_builtins: bool,
        needs: Option<&'static str>,
    }

    impl DeclaredRules for Plugin {
        fn is_empty(&self) -> bool {
            false
        }

        fn keeps_builtins(&self) -> bool {
            self.keeps_builtins
        }

        fn matching(
            &self,
            _cx: &Arc<RuleContext>,
            target: &Target,
            place: Place,
        ) -> Vec<(Target, Arc<dyn Task>)> {
            if !target.as_str().ends_with(".cmo") {
                return Vec::new();
            }
            let (name, needs) = match place {
                Place::Before => ("before", self.needs.map(Target::new)),
                Place::After => ("after", None),
            };
            let task = Step {
                name,
                target: target.clone(),
                needs,
            };
            vec![(target.clone(), Arc::new(task) as Arc<dyn Task>)]
        }
    }

    fn fixture(plugin: Plugin) -> Fixture {
        Fixture::new(&[("a.ml", "let x = 1\n")]).with(|f| f.plugin = Some(Arc::new(plugin)))
    }

    fn order(f: &Fixture, target: &str) -> Vec<String> {
        let setup = f.context();
        candidates(&setup.rules, &Target::new(target))
            .into_iter()
            .map(|(key, task)| format!("{key} {}", task.rule_id()))
            .collect()
    }

    #[test]
    fn plugin_rules_come_before_and_after_the_builtin_one() {
        let keep = fixture(Plugin {
            keeps_builtins: true,
            needs: None,
        });
        assert_eq!(
            order(&keep, "a.cmo"),
            ["a.cmo before", "a.cmo ", "a.cmo after"]
        );
        assert_eq!(order(&keep, "a.cmi"), ["a.cmo "]);
        let cleared = fixture(Plugin {
            keeps_builtins: false,
            needs: None,
        });
        assert_eq!(order(&cleared, "a.cmo"), ["a.cmo before", "a.cmo after"]);
        assert!(order(&cleared, "a.cmi").is_empty());
        assert_eq!(order(&Fixture::new(&[("a.ml", "")]), "a.cmo"), ["a.cmo "]);
    }

    #[test]
    fn the_first_rule_that_applies_runs() {
        let b = fixture(Plugin {
            keeps_builtins: true,
            needs: None,
        })
        .build(&["a.cmo"])
        .ok();
        assert_eq!(b.commands(), ["before a.cmo"]);
    }

    #[test]
    fn a_rule_whose_sources_cannot_be_built_gives_way_to_the_next() {
        let b = fixture(Plugin {
            keeps_builtins: true,
            needs: Some("nowhere.src"),
        })
        .build(&["a.cmo"])
        .ok();
        assert_eq!(b.commands(), ["ocamlc.opt -c -o a.cmo a.ml"]);
        let b = fixture(Plugin {
            keeps_builtins: false,
            needs: Some("nowhere.src"),
        })
        .build(&["a.cmo"])
        .ok();
        assert_eq!(b.commands(), ["after a.cmo"]);
    }
}
