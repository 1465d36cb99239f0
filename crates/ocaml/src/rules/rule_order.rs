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

use std::sync::Arc;

use engine::{Producer, Rules, Target, Task};

use super::declared::Place;
use super::dispatch::OcamlRules;

/// The tasks that may produce `target`, in the order to try them.
pub fn candidates(rules: &OcamlRules, target: &Target) -> Vec<(Target, Arc<dyn Task>)> {
    let cx = rules.context();
    let Some(plugin) = cx.plugin.as_ref().filter(|p| !p.is_empty()) else {
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
}
