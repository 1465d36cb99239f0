//! Rules a project declares besides the built-in ones (a plugin's), as
//! the rule order (`rules::rule_order`) sees them.
//!
//! The rules know nothing of where such rules come from: the plugin host
//! (the `plugin` crate) implements [`DeclaredRules`] and hands it to the
//! rule set (`OcamlRules`), so the dependency goes one way only.

use std::sync::Arc;

use engine::{Target, Task};

use super::context::RuleContext;

/// Where a declared rule stands against the built-in rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Before the built-in rules.
    Before,
    /// After them.
    After,
}

/// A project's own rules.
pub trait DeclaredRules: Send + Sync {
    /// Whether there is any rule.
    fn is_empty(&self) -> bool;

    /// Whether the built-in rules still apply (no `clear_rules`).
    fn keeps_builtins(&self) -> bool;

    /// Every rule at `place` that may make `target`, in the project's
    /// order, as tasks with their keys.
    fn matching(
        &self,
        cx: &Arc<RuleContext>,
        target: &Target,
        place: Place,
    ) -> Vec<(Target, Arc<dyn Task>)>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    /// A plugin that declares no rule but would clear the built-in ones.
    struct NoRules;

    impl DeclaredRules for NoRules {
        fn is_empty(&self) -> bool {
            true
        }

        fn keeps_builtins(&self) -> bool {
            false
        }

        fn matching(
            &self,
            _cx: &Arc<RuleContext>,
            _target: &Target,
            _place: Place,
        ) -> Vec<(Target, Arc<dyn Task>)> {
            panic!("an empty rule set is not asked")
        }
    }

    #[test]
    fn a_plugin_without_rules_leaves_the_builtin_rules_alone() {
        let b = Fixture::new(&[("a.ml", "let x = 1\n")])
            .with(|f| f.plugin = Some(Arc::new(NoRules)))
            .build(&["a.cmo"])
            .ok();
        assert_eq!(b.commands(), ["ocamlc.opt -c -o a.cmo a.ml"]);
    }
}
