//! `ResultCache`: a remote store of action results as an engine
//! [`ActionCache`]: [`RemoteCache`] on a REAPI server, [`HttpCache`] on a
//! Bazel HTTP cache.
//!
//! A lookup describes the action to REAPI (the digest of its `Action`
//! message is the key), asks for its result, downloads and checks every
//! output and writes them into the build directory. A store uploads the
//! outputs the server does not hold, then the result, in the background
//! (the action's dependents do not wait for the network); the engine's
//! `flush` at the end of the build waits for the uploads. The cache never fails
//! a build: when the server cannot be reached or answers errors, it says so
//! once and answers "miss" (and stores nothing) for the rest of the
//! session, so that a dead server costs one timeout, not one per action.
//! A blob with the wrong digest is refused: the lookup is a miss, said once.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use engine::{Action, ActionCache, CacheQuery, Digest, EventSink, Offered, Restored, Target};
use futures::future::BoxFuture;
use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use crate::http_store::HttpStore;
use crate::io_runtime::IoRuntime;
use crate::notices::Notices;
use crate::reapi_client::ReapiClient;
use crate::remote_action::{ActionDescriber, RemoteAction};
use crate::result_files::{ResultFiles, offered_result};
use crate::result_store::{ResultStore, upload_missing};

/// The cache on a REAPI server.
pub type RemoteCache = ResultCache<ReapiClient>;
/// The cache on a Bazel HTTP cache.
pub type HttpCache = ResultCache<HttpStore>;

/// A remote store of action results used as a cache.
pub struct ResultCache<S: ResultStore> {
    store: Arc<S>,
    describer: Arc<ActionDescriber>,
    io: Arc<IoRuntime>,
    /// Set when the server failed: the cache is off for the session.
    down: Arc<AtomicBool>,
    notices: Notices,
    /// Results waiting to be uploaded, and whether a task uploads them.
    queue: Arc<Mutex<Queue>>,
    /// The tasks that uploaded or upload the queue, awaited by `flush`.
    pending: Mutex<Vec<JoinHandle<Result<()>>>>,
    /// The descriptions of the actions a lookup missed, by engine key,
    /// kept for their upload (describing hashes every input again).
    described: Mutex<HashMap<Digest, RemoteAction>>,
}

/// Results offered and not uploaded yet.
#[derive(Default)]
struct Queue {
    offers: Vec<Upload>,
    draining: bool,
}

/// One run's result to upload.
struct Upload {
    build_dir: PathBuf,
    action: Action,
    /// The description made by the lookup, when there was one.
    remote: Option<RemoteAction>,
    offer: OwnedOffer,
}

impl<S: ResultStore> ResultCache<S> {
    /// The cache on `store`, describing actions with `describer`, its
    /// calls running on `io`.
    pub fn new(
        store: Arc<S>,
        describer: Arc<ActionDescriber>,
        io: Arc<IoRuntime>,
    ) -> ResultCache<S> {
        ResultCache {
            store,
            describer,
            io,
            down: Arc::new(AtomicBool::new(false)),
            notices: Notices::default(),
            queue: Arc::new(Mutex::new(Queue::default())),
            pending: Mutex::new(Vec::new()),
            described: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the cache gave up on its server for this session.
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::SeqCst)
    }

    /// Reports `e` once per kind; a server fault turns the cache off.
    fn problem(&self, events: &dyn EventSink, e: &Error) {
        let url = self.store.url();
        match e {
            Error::WrongDigest { .. } | Error::Decode { .. } => self.notices.once(
                events,
                "corrupt",
                &format!("remote cache at {url}: {e}; the action runs instead"),
            ),
            Error::MissingBlob { .. } => {}
            Error::Io { .. } | Error::NotRemotable { .. } => self.notices.once(
                events,
                "local",
                &format!("remote cache at {url} not used for an action: {e}"),
            ),
            _ => {
                debug_assert!(is_fault(e));
                self.down.store(true, Ordering::SeqCst);
                self.notices.once(
                    events,
                    "down",
                    &format!("remote cache at {url} failed: {e}; going on without it"),
                );
            }
        }
    }
}

/// Whether `e` is the server's fault, which turns the cache off (what
/// `ResultCache::problem` reports as such).
fn is_fault(e: &Error) -> bool {
    !matches!(
        e,
        Error::WrongDigest { .. }
            | Error::Decode { .. }
            | Error::MissingBlob { .. }
            | Error::Io { .. }
            | Error::NotRemotable { .. }
    )
}

/// Looks `action` up in `store` and writes its outputs into `build_dir`.
/// On a miss, gives the action's description back, for its upload.
async fn lookup<S: ResultStore>(
    store: Arc<S>,
    describer: Arc<ActionDescriber>,
    build_dir: PathBuf,
    action: Action,
) -> Result<std::result::Result<Restored, RemoteAction>> {
    let remote = describe_action(&describer, build_dir.clone(), action).await?;
    let inline = remote.outputs.iter().map(|t| t.to_string()).collect();
    let Some(result) = store.get_action_result(remote.digest, inline).await? else {
        return Ok(Err(remote));
    };
    if result.exit_code != 0 {
        return Ok(Err(remote));
    }
    let Some(files) = ResultFiles::fetch(&*store, &remote, &result, true).await? else {
        return Ok(Err(remote));
    };
    let output = files.write(&build_dir, &remote)?;
    Ok(Ok(Restored {
        output,
        duration_ms: files
            .duration
            .map(|d| d.as_millis().min(u32::MAX as u128) as u32)
            .unwrap_or(0),
        origin: "remote cache",
    }))
}

/// What a successful run offers, owned (to cross to the remote's runtime).
struct OwnedOffer {
    outputs: Vec<(Target, Digest)>,
    side_outputs: Vec<(Target, Digest)>,
    output: String,
    duration_ms: u32,
}

/// Uploads what is queued until the queue is empty: every result
/// described, the contents they name uploaded together, then each result.
/// Stops at the first failure (the server's fault turns the cache off, and
/// what is still queued is dropped).
async fn drain<S: ResultStore>(
    queue: Arc<Mutex<Queue>>,
    store: Arc<S>,
    describer: Arc<ActionDescriber>,
    down: Arc<AtomicBool>,
) -> Result<()> {
    loop {
        let offers = {
            let mut q = queue.lock().unwrap_or_else(|e| e.into_inner());
            if q.offers.is_empty() || down.load(Ordering::SeqCst) {
                q.offers.clear();
                q.draining = false;
                return Ok(());
            }
            std::mem::take(&mut q.offers)
        };
        let sent = upload_all(&*store, &describer, offers).await;
        if let Err(e) = sent {
            if is_fault(&e) {
                down.store(true, Ordering::SeqCst);
            }
            let mut q = queue.lock().unwrap_or_else(|e| e.into_inner());
            q.offers.clear();
            q.draining = false;
            return Err(e);
        }
    }
}

/// Uploads the results of several successful runs.
async fn upload_all<S: ResultStore>(
    store: &S,
    describer: &Arc<ActionDescriber>,
    offers: Vec<Upload>,
) -> Result<()> {
    let described = futures::future::join_all(offers.iter().map(|u| async {
        match &u.remote {
            Some(r) => Ok(r.clone()),
            None => describe_action(describer, u.build_dir.clone(), u.action.clone()).await,
        }
    }))
    .await;
    let mut results = Vec::with_capacity(offers.len());
    let mut blobs = Vec::new();
    for (upload, remote) in offers.iter().zip(described) {
        let remote = remote?;
        let offered = Offered {
            outputs: &upload.offer.outputs,
            side_outputs: &upload.offer.side_outputs,
            output: &upload.offer.output,
            duration_ms: upload.offer.duration_ms,
        };
        let (result, named) = offered_result(&upload.build_dir, &remote, &offered)?;
        blobs.extend(named);
        results.push((remote.digest, result));
    }
    upload_missing(store, blobs).await?;
    let updates = results
        .into_iter()
        .map(|(digest, result)| store.update_action_result(digest, result));
    for r in futures::future::join_all(updates).await {
        r?;
    }
    Ok(())
}

/// Describes `action` on a blocking thread (it may read and hash inputs).
pub(crate) async fn describe_action(
    describer: &Arc<ActionDescriber>,
    build_dir: PathBuf,
    action: Action,
) -> Result<RemoteAction> {
    let describer = describer.clone();
    tokio::task::spawn_blocking(move || describer.describe(&build_dir, &action))
        .await
        .map_err(|e| Error::NotRemotable {
            why: format!("describing the action panicked: {e}"),
        })?
}

impl<S: ResultStore> ActionCache for ResultCache<S> {
    fn name(&self) -> &'static str {
        "remote cache"
    }

    fn restore<'a>(&'a self, query: CacheQuery<'a>) -> BoxFuture<'a, Option<Restored>> {
        Box::pin(async move {
            if self.is_down() {
                return None;
            }
            let found = lookup(
                self.store.clone(),
                self.describer.clone(),
                query.build_dir.to_path_buf(),
                query.action.clone(),
            );
            match self.io.run(found).await {
                Ok(Ok(restored)) => Some(restored),
                Ok(Err(described)) => {
                    self.described
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(*query.key, described);
                    None
                }
                Err(e) => {
                    self.problem(query.events, &e);
                    None
                }
            }
        })
    }

    /// Queues the upload: the action's dependents need not wait for the
    /// network. One task at a time uploads everything queued, the contents
    /// of many results in one `FindMissingBlobs` and a few batches (a
    /// server's work, on the same machine or not, is mostly per call).
    /// `flush` waits for the queue to empty.
    fn store<'a>(&'a self, query: CacheQuery<'a>, offered: Offered<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if self.is_down() {
                return;
            }
            let remote = self
                .described
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(query.key);
            let upload = Upload {
                build_dir: query.build_dir.to_path_buf(),
                action: query.action.clone(),
                remote,
                offer: OwnedOffer {
                    outputs: offered.outputs.to_vec(),
                    side_outputs: offered.side_outputs.to_vec(),
                    output: offered.output.to_string(),
                    duration_ms: offered.duration_ms,
                },
            };
            let start = {
                let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
                q.offers.push(upload);
                !std::mem::replace(&mut q.draining, true)
            };
            if start {
                let task = self.io.spawn(drain(
                    self.queue.clone(),
                    self.store.clone(),
                    self.describer.clone(),
                    self.down.clone(),
                ));
                self.pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(task);
            }
        })
    }

    fn flush<'a>(&'a self, events: &'a dyn EventSink) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            loop {
                let tasks: Vec<_> =
                    std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
                if tasks.is_empty() {
                    // Descriptions of actions that failed, never offered.
                    self.described
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .clear();
                    return;
                }
                for task in tasks {
                    let outcome = match task.await {
                        Ok(r) => r,
                        Err(e) => Err(Error::Execution {
                            message: format!("an upload ended early: {e}"),
                        }),
                    };
                    if let Err(e) = outcome {
                        self.problem(events, &e);
                    }
                }
            }
        })
    }
}
