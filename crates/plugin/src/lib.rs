//! `myocamlbuild.ml` plugins.
//!
//! ocamlbuild compiles a project's `myocamlbuild.ml` with its own library
//! and runs the result instead of itself. caravan compiles it against its
//! own implementation of the same API (`plugin/` at the top of the
//! repository, [`library`]), runs it as a child process, and asks it
//! questions over a pipe ([`protocol`]):
//!
//! 1. [`build`]: the plugin binary, `_build/myocamlbuild`, compiled when
//!    `myocamlbuild.ml` (or `myocamlbuild_config.ml(i)`) changed;
//! 2. [`session`]: the hooks, in ocamlbuild's order, interleaved with
//!    caravan's own configuration (options, then the tree and `_tags`,
//!    then rules); what they declare ([`declarations`]) joins caravan's
//!    flags, tags and rules. The conversation is recorded and replayed on
//!    the next run while its inputs are unchanged, so a null build runs no
//!    plugin;
//! 3. [`server`] and [`rule`]: during the build, rules whose action is an
//!    OCaml closure are evaluated in the plugin on request; their `build`
//!    calls are answered by the engine, and the command they return runs
//!    as an ordinary caravan action.

pub mod build;
pub mod builtin;
pub mod declarations;
pub mod library;
pub mod options;
pub mod process;
pub mod protocol;
pub mod rule;
pub mod server;
pub mod session;
pub mod spec;
pub mod tool_words;
pub mod wire;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use protocol::{Phase, Raised};
use server::{Answerer, Server};

/// A plugin failure, with the exit code ocamlbuild would use and the
/// message to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginError {
    /// The exit code.
    pub code: u8,
    /// The message (may span lines).
    pub message: String,
}

impl PluginError {
    /// A failure.
    pub fn new(code: u8, message: String) -> PluginError {
        PluginError { code, message }
    }
}

impl std::fmt::Display for PluginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PluginError {}

/// The report of an exception raised by plugin code during `step` (a
/// hook, a rule's action), with the plugin's backtrace.
pub fn raised_error(step: &str, e: &Raised) -> PluginError {
    let (code, what) = match e.kind.as_str() {
        "usage" => return PluginError::new(1, e.message.clone()),
        "exit" => {
            let code = e.message.parse::<u8>().unwrap_or(2);
            return PluginError::new(
                code,
                format!("Error: the plugin myocamlbuild.ml exited with code {code} in {step}."),
            );
        }
        "failure" => (2, format!("Failure(\"{}\")", e.message)),
        "invalid-argument" => (3, format!("Invalid_argument(\"{}\")", e.message)),
        "protocol" => {
            return PluginError::new(3, format!("Internal error: plugin protocol: {}", e.message));
        }
        _ => (100, e.message.clone()),
    };
    let mut message =
        format!("Error: the plugin myocamlbuild.ml raised an exception in {step}:\n  {what}");
    let backtrace = e.backtrace.trim_end();
    if backtrace.is_empty() {
        message.push_str("\n(no backtrace was recorded)");
    } else {
        message.push_str("\nBacktrace of the plugin:\n");
        message.push_str(backtrace);
    }
    PluginError::new(code, message)
}

/// Runs the plugin for the build, once, on first need.
pub struct PluginRunner {
    launch: process::Launch,
    build_dir: String,
    include_dirs: Vec<String>,
    parked: Mutex<Option<process::PluginProcess>>,
    server: tokio::sync::OnceCell<Result<Arc<Server>, PluginError>>,
}

impl PluginRunner {
    /// A runner; `parked` is the plugin still running from the
    /// configuration, if it ran live.
    pub fn new(
        launch: process::Launch,
        build_dir: PathBuf,
        include_dirs: Vec<String>,
        parked: Option<process::PluginProcess>,
    ) -> PluginRunner {
        PluginRunner {
            launch,
            build_dir: build_dir.to_string_lossy().into_owned(),
            include_dirs,
            parked: Mutex::new(parked),
            server: tokio::sync::OnceCell::new(),
        }
    }

    /// The serving plugin, started (or woken) on first call.
    pub async fn server(&self, answerer: Arc<dyn Answerer>) -> Result<Arc<Server>, PluginError> {
        let started = self
            .server
            .get_or_init(|| async {
                let parked = match self.parked.lock() {
                    Ok(mut g) => g.take(),
                    Err(p) => p.into_inner().take(),
                };
                let launch = self.launch.clone();
                let build_dir = self.build_dir.clone();
                let include_dirs = self.include_dirs.clone();
                let started = tokio::task::spawn_blocking(move || {
                    let process = match parked {
                        Some(p) => p,
                        None => warm_up(&launch, include_dirs, answerer.as_ref())?,
                    };
                    Server::start(process, &build_dir, answerer)
                })
                .await;
                match started {
                    Ok(r) => r,
                    Err(e) => Err(PluginError::new(
                        3,
                        format!("Internal error: starting the plugin failed: {e}"),
                    )),
                }
            })
            .await;
        started.clone()
    }

    /// Ends the plugin, if it runs.
    pub fn shutdown(&self) {
        if let Some(Ok(s)) = self.server.get() {
            s.shutdown();
        }
        let parked = match self.parked.lock() {
            Ok(mut g) => g.take(),
            Err(p) => p.into_inner().take(),
        };
        if let Some(p) = parked {
            p.quit();
        }
    }
}

/// Starts the plugin for the build after a replayed configuration: its
/// hooks run again (their declarations are already known), answering its
/// questions from the final configuration.
fn warm_up(
    launch: &process::Launch,
    include_dirs: Vec<String>,
    answerer: &dyn Answerer,
) -> Result<process::PluginProcess, PluginError> {
    struct Quiet<'a>(&'a dyn Answerer);
    impl session::Host for Quiet<'_> {
        fn declare(&mut self, _: protocol::Declaration) -> Result<(), PluginError> {
            Ok(())
        }
        fn answer(&mut self, q: &protocol::Query) -> wire::Sexp {
            self.0.answer(q)
        }
    }
    let mut s = session::Session::live(launch)?;
    let mut host = Quiet(answerer);
    for phase in Phase::HOOKS {
        let dirs = (phase == Phase::BeforeRules).then(|| include_dirs.clone());
        match s.hook(phase, dirs, &mut host) {
            Ok(_) => {}
            Err(session::SessionError::Failed(e)) => return Err(e),
            Err(session::SessionError::Stale) => {
                return Err(PluginError::new(
                    3,
                    "Internal error: stale live session".into(),
                ));
            }
        }
    }
    match s.finish().0 {
        Some(p) => Ok(p),
        None => Err(PluginError::new(
            3,
            "Internal error: no plugin process".into(),
        )),
    }
}
