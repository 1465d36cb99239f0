//! The plugin during the build: it evaluates rule actions on request.
//!
//! Each evaluation has an id and a channel. A reader thread owns the
//! plugin's output and routes every message: an action's `build` question
//! and its final command go to the rule task that asked for the
//! evaluation; other questions (tags of a path, flags of tags) are
//! answered on the spot. When the plugin dies, every waiting evaluation is
//! told so.

use std::io::{BufReader, BufWriter};
use std::process::{ChildStdin, ChildStdout};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use rustc_hash::FxHashMap;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::process::{Finisher, PluginProcess};
use super::protocol::{FromPlugin, Query, Raised, ToPlugin};
use super::spec::Command;
use super::wire::{self, Sexp};
use super::{PluginError, raised_error};

/// What happens to an evaluation.
#[derive(Debug)]
pub enum EvalEvent {
    /// The action called `build`: answer question `query`.
    Build {
        /// The question's id.
        query: String,
        /// Per target, its alternatives.
        targets: Vec<Vec<String>>,
    },
    /// The action asked for a built-in rule: answer question `query`.
    Builtin {
        /// The question's id.
        query: String,
        /// Which built-in rule.
        kind: String,
        /// Its arguments.
        args: Vec<String>,
    },
    /// The action returned this command.
    Done(Command),
    /// The action raised.
    Raised(Raised),
    /// The plugin died.
    Died(String),
}

/// Answers the plugin's questions that need no build.
pub trait Answerer: Send + Sync {
    /// The answer to `q` (never a `build`).
    fn answer(&self, q: &Query) -> Sexp;
}

type Routes = FxHashMap<String, UnboundedSender<EvalEvent>>;

/// The plugin serving evaluations.
pub struct Server {
    writer: Mutex<BufWriter<ChildStdin>>,
    routes: Arc<Mutex<Routes>>,
    dead: Arc<Mutex<Option<String>>>,
    next: AtomicU64,
    reader: Mutex<Option<JoinHandle<()>>>,
    finisher: Mutex<Finisher>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

impl Server {
    /// Switches a configured plugin to serving, from `build_dir`.
    pub fn start(
        mut process: PluginProcess,
        build_dir: &str,
        answerer: Arc<dyn Answerer>,
    ) -> Result<Arc<Server>, PluginError> {
        process.send(&ToPlugin::Serve(build_dir.to_string()))?;
        match process.receive()?.0 {
            FromPlugin::Serving => {}
            FromPlugin::Error(e) => return Err(raised_error("serving rules", &e)),
            other => {
                return Err(PluginError::new(
                    3,
                    format!("Internal error: unexpected message from the plugin: {other:?}"),
                ));
            }
        }
        let (input, output, finisher) = process.into_parts();
        let writer = Mutex::new(input);
        let routes: Arc<Mutex<Routes>> = Arc::new(Mutex::new(FxHashMap::default()));
        let dead = Arc::new(Mutex::new(None));
        let server = Arc::new(Server {
            writer,
            routes: routes.clone(),
            dead: dead.clone(),
            next: AtomicU64::new(1),
            reader: Mutex::new(None),
            finisher: Mutex::new(finisher),
        });
        let weak = Arc::downgrade(&server);
        let reader = std::thread::spawn(move || {
            read_loop(output, &routes, &dead, answerer, &|id, v| {
                if let Some(s) = weak.upgrade() {
                    let _ = s.send(&ToPlugin::Reply(id, v));
                }
            })
        });
        *lock(&server.reader) = Some(reader);
        Ok(server)
    }

    fn send(&self, msg: &ToPlugin) -> std::io::Result<()> {
        wire::write(&mut *lock(&self.writer), &msg.encode())
    }

    /// Starts evaluating rule `rule` with `bindings`.
    pub fn eval(
        &self,
        rule: &str,
        bindings: Vec<(String, String)>,
    ) -> Result<UnboundedReceiver<EvalEvent>, String> {
        if let Some(d) = lock(&self.dead).clone() {
            return Err(d);
        }
        let id = format!("e{}", self.next.fetch_add(1, Ordering::Relaxed));
        let (tx, rx) = unbounded_channel();
        lock(&self.routes).insert(id.clone(), tx);
        let msg = ToPlugin::Eval {
            eval: id.clone(),
            rule: rule.to_string(),
            bindings,
        };
        if let Err(e) = self.send(&msg) {
            lock(&self.routes).remove(&id);
            return Err(format!("cannot write to the plugin: {e}"));
        }
        Ok(rx)
    }

    /// Answers an action's question.
    pub fn reply(&self, query: String, value: Sexp) -> Result<(), String> {
        self.send(&ToPlugin::Reply(query, value))
            .map_err(|e| format!("cannot write to the plugin: {e}"))
    }

    /// Ends the plugin: asks it to quit and waits for it.
    pub fn shutdown(&self) {
        let _ = self.send(&ToPlugin::Quit);
        {
            // Closing its input ends the plugin even if it missed `quit`.
            let mut w = lock(&self.writer);
            let _ = std::io::Write::flush(&mut *w);
        }
        if let Some(h) = lock(&self.reader).take() {
            let _ = h.join();
        }
        lock(&self.finisher).finish();
    }
}

fn read_loop(
    mut output: BufReader<ChildStdout>,
    routes: &Mutex<Routes>,
    dead: &Mutex<Option<String>>,
    answerer: Arc<dyn Answerer>,
    reply: &dyn Fn(String, Sexp),
) {
    let route = |eval: &str, event: EvalEvent, last: bool| {
        let mut r = lock(routes);
        let tx = if last {
            r.remove(eval)
        } else {
            r.get(eval).cloned()
        };
        if let Some(tx) = tx {
            let _ = tx.send(event);
        }
    };
    let reason = loop {
        let raw = match wire::read(&mut output) {
            Ok(Some(raw)) => raw,
            Ok(None) => break "the plugin myocamlbuild.ml stopped during the build".to_string(),
            Err(e) => break format!("the plugin's messages cannot be read: {e}"),
        };
        match FromPlugin::decode(&raw) {
            Some(FromPlugin::Query(id, Query::Build { eval, targets })) => {
                if lock(routes).contains_key(&eval) {
                    route(&eval, EvalEvent::Build { query: id, targets }, false);
                } else {
                    reply(
                        id,
                        Sexp::List(vec![
                            Sexp::atom("error"),
                            Sexp::atom("build called outside of a rule action"),
                        ]),
                    );
                }
            }
            Some(FromPlugin::Query(id, Query::Builtin { eval, kind, args })) => {
                if lock(routes).contains_key(&eval) {
                    route(
                        &eval,
                        EvalEvent::Builtin {
                            query: id,
                            kind,
                            args,
                        },
                        false,
                    );
                } else {
                    reply(
                        id,
                        Sexp::List(vec![
                            Sexp::atom("error"),
                            Sexp::atom("a built-in rule asked for outside of a rule action"),
                        ]),
                    );
                }
            }
            Some(FromPlugin::Query(id, q)) => reply(id, answerer.answer(&q)),
            Some(FromPlugin::Result(eval, command)) => route(&eval, EvalEvent::Done(command), true),
            Some(FromPlugin::Failed(eval, e)) => route(&eval, EvalEvent::Raised(e), true),
            Some(FromPlugin::Error(e)) => break raised_error("the build", &e).message,
            // Declarations made while the build runs come too late to count.
            Some(_) => {}
            None => break format!("the plugin sent a message caravan does not know: {raw:?}"),
        }
    };
    *lock(dead) = Some(reason.clone());
    for (_, tx) in lock(routes).drain() {
        let _ = tx.send(EvalEvent::Died(reason.clone()));
    }
}
