//! Where a build's results come from and where its commands run: the
//! local cache, a remote cache or remote execution, set up once per
//! session from the request's `SharingRequest`.
//!
//! The remote is reached when the first build of the session runs (never
//! at start-up, nor for a null build, which runs nothing), then serves
//! every later build (the connection keeps a small runtime of its own). A
//! remote that cannot be reached does not stop anything: each build says
//! so once, at its start, and builds without it.

use std::process::Command;
use std::sync::{Arc, Mutex};

use cache::LocalCache;
use engine::{ActionCache, CacheChain, Event, EventSink, Executor, LocalExecutor};

use crate::sharing_request::{RemoteRequest, SharingRequest};

/// The caches and the executor of a session's builds.
pub(crate) struct Sharing {
    request: SharingRequest,
    /// The bytecode compiler's command, whose `-config` identifies the
    /// toolchain to remote workers.
    ocamlc: Vec<String>,
    /// The OCaml version.
    version: String,
    /// The remote, once the first build reached (or failed to reach) it.
    remote: Mutex<Option<Arc<RemoteState>>>,
}

enum RemoteState {
    Connected {
        remote: remote::Remote,
        execute: bool,
    },
    /// Why the remote cannot be used (said at the start of each build).
    Unusable(String),
}

/// A build's cache and executor.
pub(crate) struct ForBuild {
    pub(crate) cache: Option<Arc<dyn ActionCache>>,
    pub(crate) executor: Arc<dyn Executor>,
}

impl Sharing {
    /// What `request` asks for, with the toolchain's compiler and version;
    /// nothing is reached yet.
    pub(crate) fn new(request: &SharingRequest, ocamlc: &[String], version: &str) -> Sharing {
        Sharing {
            request: request.clone(),
            ocamlc: ocamlc.to_vec(),
            version: version.to_string(),
            remote: Mutex::new(None),
        }
    }

    /// The cache (the local one, then the remote one) and the executor of
    /// a build; reaches the remote the first time. Says once through
    /// `events` why the remote is not used, when it cannot be.
    pub(crate) async fn for_build(&self, events: &Arc<dyn EventSink>) -> ForBuild {
        let remote = self.remote().await;
        let mut caches: Vec<Arc<dyn ActionCache>> = Vec::new();
        if let Some(dir) = self.request.cache_dir() {
            caches.push(Arc::new(LocalCache::new(
                &dir,
                self.request.cache_max_bytes(),
            )));
        }
        let local: Arc<dyn Executor> = Arc::new(LocalExecutor);
        let mut executor = local.clone();
        match remote.as_deref() {
            Some(RemoteState::Unusable(why)) => events.event(&Event::Notice {
                message: why,
                warning: true,
            }),
            Some(RemoteState::Connected { remote, execute }) => {
                caches.push(remote.cache());
                if *execute {
                    match remote.executor(local, events.clone(), self.request.verbose) {
                        Ok(e) => executor = e,
                        Err(e) => {
                            let message =
                                format!("remote execution is not available: {e}; running locally");
                            events.event(&Event::Notice {
                                message: &message,
                                warning: true,
                            });
                        }
                    }
                }
            }
            None => {}
        }
        let cache: Option<Arc<dyn ActionCache>> = match caches.len() {
            0 => None,
            1 => caches.pop(),
            _ => Some(Arc::new(CacheChain::new(caches))),
        };
        ForBuild { cache, executor }
    }

    /// The remote the request names, reached the first time it is asked.
    async fn remote(&self) -> Option<Arc<RemoteState>> {
        let wanted = self.request.remote.as_ref()?;
        if let Some(known) = self.lock().clone() {
            return Some(known);
        }
        let state = Arc::new(self.connect(wanted).await);
        Some(self.lock().get_or_insert(state).clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Arc<RemoteState>>> {
        self.remote.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn connect(&self, wanted: &RemoteRequest) -> RemoteState {
        let endpoint = match remote::Endpoint::parse(&wanted.url) {
            Ok(e) => e,
            Err(e) => return RemoteState::Unusable(format!("{e}; building without the remote")),
        };
        let mut options = remote::RemoteOptions::new(endpoint);
        options.instance_name = self.request.remote_instance.clone();
        options.headers = self.request.remote_headers.clone();
        options.ca_file = self.request.remote_ca.clone();
        options.platform = self.platform();
        match remote::connect(options).await {
            Ok(r) => RemoteState::Connected {
                remote: r,
                execute: wanted.execute,
            },
            Err(e) => RemoteState::Unusable(format!(
                "the remote at {} cannot be used: {e}; building locally without it",
                wanted.url
            )),
        }
    }

    /// The platform properties of every remote action: the system, the
    /// OCaml version, and the SHA-256 of `ocamlc -config` (so that a worker
    /// or a cached result made by another compiler never serves this
    /// build).
    fn platform(&self) -> Vec<(String, String)> {
        let config = self
            .ocamlc
            .split_first()
            .and_then(|(program, args)| {
                Command::new(program)
                    .args(args)
                    .arg("-config")
                    .output()
                    .ok()
            })
            .filter(|out| out.status.success())
            .map(|out| remote::BlobDigest::of_bytes(&out.stdout).hex())
            .unwrap_or_default();
        vec![
            ("OSFamily".to_string(), "linux".to_string()),
            ("caravan-ocaml-config".to_string(), config),
            ("caravan-ocaml-version".to_string(), self.version.clone()),
        ]
    }
}
