//! `RemoteExecutor`: an engine [`Executor`] that runs commands on a REAPI
//! server's workers.
//!
//! An action that may run remotely is described (its input root holds its
//! declared inputs only), the blobs the server lacks are uploaded, the
//! action is executed, and its outputs are downloaded into the build
//! directory (checked against their digests, written under a temporary
//! name then renamed). A command that fails on the worker is a failed
//! command, as it would be locally. Actions that must stay local (internal
//! steps, rules that say so, commands filling a prepared directory) go to
//! the local executor; in verbose mode each distinct reason is said once.
//!
//! Faults never lose a build: when the server cannot be reached or
//! answers with an error, or sends a blob with the wrong digest, the
//! executor says so once, runs that action locally, and (a circuit
//! breaker) every later action too.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use engine::{Action, Command, EventSink, ExecOutcome, Executor};
use futures::future::BoxFuture;

use crate::error::{Error, Result};
use crate::io_runtime::IoRuntime;
use crate::notices::Notices;
use crate::reapi_client::ReapiClient;
use crate::remote_action::ActionDescriber;
use crate::result_cache::describe_action;
use crate::result_files::ResultFiles;
use crate::result_store::{Blob, BlobSource, ResultStore, upload_missing};

/// Runs actions on a REAPI server, falling back to a local executor.
pub struct RemoteExecutor {
    client: Arc<ReapiClient>,
    describer: Arc<ActionDescriber>,
    local: Arc<dyn Executor>,
    events: Arc<dyn EventSink>,
    verbose: bool,
    io: Arc<IoRuntime>,
    broken: AtomicBool,
    notices: Notices,
}

impl RemoteExecutor {
    /// An executor sending actions to `client`'s server, and those that
    /// must stay local (or all, after a fault) to `local`. Notices go to
    /// `events`; `verbose` says why actions run locally. Calls run on `io`.
    pub fn new(
        client: Arc<ReapiClient>,
        describer: Arc<ActionDescriber>,
        io: Arc<IoRuntime>,
        local: Arc<dyn Executor>,
        events: Arc<dyn EventSink>,
        verbose: bool,
    ) -> RemoteExecutor {
        RemoteExecutor {
            client,
            describer,
            local,
            events,
            verbose,
            io,
            broken: AtomicBool::new(false),
            notices: Notices::default(),
        }
    }

    /// Whether a fault made the executor give up on its server.
    pub fn is_broken(&self) -> bool {
        self.broken.load(Ordering::SeqCst)
    }

    /// Why `action` must run locally, if it must.
    fn local_reason(action: &Action) -> Option<&'static str> {
        if matches!(action.command, Command::Internal { .. }) {
            return Some("runs inside caravan");
        }
        if let Some(why) = action.sharing.local_reason() {
            return Some(why);
        }
        if !action.prepare.is_empty() || action.stamp.is_some() {
            return Some("fills a directory with files it does not declare");
        }
        None
    }

    fn say_local(&self, why: &str) {
        if self.verbose {
            self.notices.once_info(
                &*self.events,
                why,
                &format!("running locally (not on {}): {why}", self.client.url()),
            );
        }
    }
}

/// Runs `action` on `client`'s server and writes its outputs into
/// `build_dir`.
async fn run_remotely(
    client: Arc<ReapiClient>,
    describer: Arc<ActionDescriber>,
    build_dir: PathBuf,
    action: Action,
) -> Result<ExecOutcome> {
    let remote = describe_action(&describer, build_dir.clone(), action).await?;
    let mut blobs: Vec<Blob> = remote
        .blobs
        .iter()
        .map(|(d, bytes)| Blob {
            digest: *d,
            source: BlobSource::Bytes(bytes.clone()),
        })
        .collect();
    blobs.extend(remote.input_files.iter().map(|(d, path)| Blob {
        digest: *d,
        source: BlobSource::File(path.clone()),
    }));
    upload_missing(&*client, blobs).await?;
    let inline = remote.outputs.iter().map(|t| t.to_string()).collect();
    let result = client.execute(remote.digest, inline).await?;
    let files = ResultFiles::fetch(&*client, &remote, &result, false)
        .await?
        .ok_or_else(|| Error::Execution {
            message: "the result cannot be read".into(),
        })?;
    let output = files.write(&build_dir, &remote)?;
    Ok(ExecOutcome {
        exit_code: Some(result.exit_code),
        signal: None,
        output,
        value: Vec::new(),
    })
}

impl Executor for RemoteExecutor {
    fn execute<'a>(
        &'a self,
        build_dir: &'a Path,
        action: &'a Action,
    ) -> BoxFuture<'a, engine::Result<ExecOutcome>> {
        Box::pin(async move {
            if let Some(why) = Self::local_reason(action) {
                self.say_local(why);
                return self.local.execute(build_dir, action).await;
            }
            if self.is_broken() {
                return self.local.execute(build_dir, action).await;
            }
            let run = run_remotely(
                self.client.clone(),
                self.describer.clone(),
                build_dir.to_path_buf(),
                action.clone(),
            );
            match self.io.run(run).await {
                Ok(outcome) => Ok(outcome),
                Err(e) if e.is_server_fault() => {
                    self.broken.store(true, Ordering::SeqCst);
                    self.notices.once(
                        &*self.events,
                        "remote execution failed",
                        &format!(
                            "remote execution at {} failed: {e}; running actions locally",
                            self.client.url()
                        ),
                    );
                    self.local.execute(build_dir, action).await
                }
                Err(e) => {
                    // Not the server's fault (an input that cannot be
                    // read, a path outside the build dir): this action
                    // runs here, the next ones are still sent.
                    if self.verbose {
                        self.notices.once_info(
                            &*self.events,
                            "cannot describe",
                            &format!(
                                "running an action locally (not on {}): {e}",
                                self.client.url()
                            ),
                        );
                    }
                    self.local.execute(build_dir, action).await
                }
            }
        })
    }
}
