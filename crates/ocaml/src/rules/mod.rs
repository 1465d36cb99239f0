//! The built-in OCaml rules, as one [`engine::Rules`] value
//! ([`OcamlRules`]) over a shared [`RuleContext`].
//!
//! [`context`] holds what every rule reads, and [`rule_setup`] assembles
//! it and the rules over it; [`dispatch`] maps a target to
//! its built-in rule (the table of targets, sources and tasks);
//! [`rule_order`] is the one place that orders plugin and built-in rules;
//! the other modules are the rules' tasks and what they share.

pub mod archive;
pub mod c_stubs;
pub mod closure;
pub mod compile;
pub mod context;
pub mod declared;
pub mod depends;
pub mod dispatch;
pub mod findlib_error;
pub mod infer;
pub mod itarget;
pub mod libraries;
pub mod link;
pub mod link_inputs;
pub mod list_file;
pub mod menhir;
pub mod namespace_source;
pub mod ocamldoc;
pub mod ocamllex;
pub mod ocamlyacc;
pub mod output_obj;
pub mod pack;
pub mod ppx;
pub mod ppx_drivers;
pub mod preprocess;
pub mod project_library;
pub mod rule_order;
pub mod rule_setup;
pub mod scan_command;
pub mod stored_data;
#[cfg(test)]
pub(crate) mod testing;
pub mod units;

pub use context::{RuleContext, log_tags, without_included};
pub use dispatch::OcamlRules;
pub use rule_setup::RuleSetup;
