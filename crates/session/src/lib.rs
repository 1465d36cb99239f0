//! A caravan build session as a library: what a run of ocamlbuild does
//! between parsing its command line and printing its last line.
//!
//! A [`Request`] holds the targets and ocamlbuild's options as data. A
//! [`Session`] opened on it in a [`Layout`] (the root and the build folder)
//! finds the toolchain once and compiles `myocamlbuild.ml`; each
//! [`Session::configure`] reads the tree, `_tags` and the plugin's hooks
//! (which may rewrite the request, as ocamlbuild's `Options` references)
//! and returns a [`Build`], which runs the engine and can be configured and
//! run again after files change. The session prints ocamlbuild's own
//! notices (startup warnings, `-show-tags`, hygiene reports, the plugin's
//! compilation) on standard output, in ocamlbuild's order; the build's
//! events go to the caller's [`engine::EventSink`]. Errors are typed
//! ([`Error`]); the caller chooses the exit code.

#![deny(missing_docs)]

mod build;
mod build_rules;
mod cache_maintenance;
mod clean;
mod configure;
mod context_patterns;
mod declared_layer;
mod documentation;
mod dot_merlin;
mod error;
mod hygiene_check;
mod install;
mod install_error;
mod install_manifest;
mod install_plan;
mod install_request;
mod install_root;
mod layout;
mod links;
mod menhir_lib;
mod meta_file;
mod null_build_key;
mod opam_install_file;
mod plugin_binary;
mod plugin_request;
mod project_info;
mod report;
mod request;
mod run_program;
mod session;
mod sharing;
mod sharing_request;
mod timings;
mod tool_paths;
mod unbound_module;
mod which;

pub use build::Build;
pub use cache_maintenance::{cache_stats, cache_trim, human_size, parse_size};
pub use clean::clean;
pub use declared_layer::DeclaredLayer;
pub use error::Error;
pub use install::uninstall_request as uninstall;
pub use install_error::InstallError;
pub use install_request::{InstallAction, InstallRequest};
pub use install_root::INSTALL_ROOT_VARIABLE;
pub use layout::Layout;
pub use request::Request;
pub use session::{PPX_DRIVER_VARIABLE, Session, ppx_driver_enabled};
pub use sharing_request::{RemoteRequest, SharingRequest};
pub use which::which;

/// The rules' error categories, for callers that choose exit codes.
pub use ocaml::rule_error::{Category, RuleError};
