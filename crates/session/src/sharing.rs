//! Where a build's results come from and where its commands run: the
//! local cache, a remote cache or remote execution, set up once per
//! session from the request's `SharingRequest`.
//!
//! The remote is reached when the session opens (before any runtime runs:
//! the connection keeps a small runtime of its own) and serves every build
//! of the session. A remote that cannot be reached does not stop anything:
//! each build says so once, at its start, and builds without it.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use cache::LocalCache;
use engine::{ActionCache, CacheChain, Event, EventSink, Executor, LocalExecutor};
use ocaml::toolchain::Toolchain;

use crate::sharing_request::SharingRequest;

/// The caches and the executor of a session's builds.
pub(crate) struct Sharing {
    local: Option<(PathBuf, u64)>,
    remote: Option<RemoteState>,
    verbose: bool,
}

enum RemoteState {
    Connected {
        remote: remote::Remote,
        execute: bool,
    },
    /// Why the remote cannot be used (said at the start of each build).
    Unusable(String),
}

impl Sharing {
    /// Sets up what `request` asks for; connects to the remote when
    /// `building`.
    pub(crate) fn open(request: &SharingRequest, toolchain: &Toolchain, building: bool) -> Sharing {
        let local = request
            .cache_dir()
            .map(|dir| (dir, request.cache_max_bytes()));
        let remote = match &request.remote {
            Some(r) if building => Some(connect(request, r, toolchain)),
            _ => None,
        };
        Sharing {
            local,
            remote,
            verbose: request.verbose,
        }
    }

    /// What a build asks before running an action: the local cache, then
    /// the remote one (`None` when neither is on).
    pub(crate) fn cache(&self) -> Option<Arc<dyn ActionCache>> {
        let mut caches: Vec<Arc<dyn ActionCache>> = Vec::new();
        if let Some((dir, max)) = &self.local {
            caches.push(Arc::new(LocalCache::new(dir, *max)));
        }
        if let Some(RemoteState::Connected { remote, .. }) = &self.remote {
            caches.push(remote.cache());
        }
        match caches.len() {
            0 => None,
            1 => caches.pop(),
            _ => Some(Arc::new(CacheChain::new(caches))),
        }
    }

    /// Where a build's commands run; says once through `events` why the
    /// remote is not used, when it cannot be.
    pub(crate) fn executor(&self, events: &Arc<dyn EventSink>) -> Arc<dyn Executor> {
        let local: Arc<dyn Executor> = Arc::new(LocalExecutor);
        match &self.remote {
            Some(RemoteState::Unusable(why)) => {
                events.event(&Event::Notice {
                    message: why,
                    warning: true,
                });
                local
            }
            Some(RemoteState::Connected {
                remote,
                execute: true,
            }) => match remote.executor(local.clone(), events.clone(), self.verbose) {
                Ok(executor) => executor,
                Err(e) => {
                    let message =
                        format!("remote execution is not available: {e}; running locally");
                    events.event(&Event::Notice {
                        message: &message,
                        warning: true,
                    });
                    local
                }
            },
            _ => local,
        }
    }
}

fn connect(
    request: &SharingRequest,
    remote: &crate::sharing_request::RemoteRequest,
    toolchain: &Toolchain,
) -> RemoteState {
    let endpoint = match remote::Endpoint::parse(&remote.url) {
        Ok(e) => e,
        Err(e) => return RemoteState::Unusable(format!("{e}; building without the remote")),
    };
    let mut options = remote::RemoteOptions::new(endpoint);
    options.instance_name = request.remote_instance.clone();
    options.headers = request.remote_headers.clone();
    options.ca_file = request.remote_ca.clone();
    options.platform = platform(toolchain);
    match remote::connect_blocking(options) {
        Ok(r) => RemoteState::Connected {
            remote: r,
            execute: remote.execute,
        },
        Err(e) => RemoteState::Unusable(format!(
            "the remote at {} cannot be used: {e}; building locally without it",
            remote.url
        )),
    }
}

/// The platform properties of every remote action: the system, the OCaml
/// version, and the SHA-256 of `ocamlc -config` (so that a worker or a
/// cached result made by another compiler never serves this build).
fn platform(toolchain: &Toolchain) -> Vec<(String, String)> {
    let version = toolchain.config.get("version").cloned().unwrap_or_default();
    let config = toolchain
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
        ("caravan-ocaml-version".to_string(), version),
    ]
}
