//! Remote caching and remote execution for caravan: a REAPI v2 client
//! (on the `bazel-remote-apis` bindings, tonic and tokio) and a Bazel HTTP
//! cache client, behind the engine's two seams.
//!
//! # Model
//!
//! - [`connect`] reaches the server named by [`RemoteOptions`] (a
//!   [`Endpoint`]: `grpc://`, `grpcs://` or `http://`) and gives a
//!   [`Remote`]; it fails quickly with a typed [`Error`] when nothing
//!   answers.
//! - [`Remote::cache`] is an [`engine::ActionCache`] ([`RemoteCache`] on a
//!   REAPI server, [`HttpCache`] on an HTTP cache): look up before running,
//!   upload after a successful run.
//! - [`Remote::executor`] is an [`engine::Executor`] ([`RemoteExecutor`])
//!   that runs commands on the server's workers and falls back to the
//!   local executor for actions that must stay local and after any fault.
//!
//! An engine [`Action`](engine::Action) becomes a REAPI `Action` and
//! `Command` ([`ActionDescriber`], [`RemoteAction`]) whose input root (a
//! Merkle tree of `Directory` messages, [`InputTree`]) holds exactly its
//! declared inputs. Digests on the wire are SHA-256 ([`BlobDigest`]),
//! memoised per input file ([`InputHashes`]); the engine keeps BLAKE3.
//!
//! # Example
//!
//! Parsing an endpoint needs no server:
//!
//! ```
//! let e = remote::Endpoint::parse("grpc://127.0.0.1:50071").unwrap();
//! assert!(!e.is_http());
//! let mut options = remote::RemoteOptions::new(e);
//! options.platform.push(("OSFamily".into(), "linux".into()));
//! // let remote = remote::connect(options).await?;
//! // let cache = remote.cache();
//! ```
//!
//! The connection lives on a small runtime of its own, so one `Remote`
//! serves every build of a session, whatever runtime each build runs on.

#![deny(missing_docs)]

mod blob_digest;
mod bytestream;
mod endpoint;
mod error;
mod execution;
mod http_store;
mod input_hashes;
mod io_runtime;
mod merkle;
mod notices;
mod reapi_client;
mod remote_action;
mod remote_executor;
mod result_cache;
mod result_files;
mod result_store;
mod retry;

use std::sync::Arc;

use engine::{ActionCache, EventSink, Executor};

pub use blob_digest::BlobDigest;
pub use endpoint::{CONNECT_TIMEOUT, Endpoint, RemoteOptions};
pub use error::{Error, Result};
pub use http_store::HttpStore;
pub use input_hashes::InputHashes;
pub use io_runtime::IoRuntime;
pub use merkle::{InputTree, TreeFile};
pub use reapi_client::ReapiClient;
pub use remote_action::{ActionDescriber, REMOTE_SCHEME_VERSION, RemoteAction};
pub use remote_executor::RemoteExecutor;
pub use result_cache::{HttpCache, RemoteCache, ResultCache};
pub use result_store::{Blob, BlobSource, ResultStore};

/// The remote a session talks to, connected.
pub struct Remote {
    endpoint: Endpoint,
    server: Server,
    describer: Arc<ActionDescriber>,
    io: Arc<IoRuntime>,
}

enum Server {
    Reapi(Arc<ReapiClient>),
    Http(Arc<HttpStore>),
}

/// Connects to the remote of `options`: for REAPI, asks its capabilities
/// (SHA-256 must be supported); for an HTTP cache, checks that it
/// answers. Fails within about [`CONNECT_TIMEOUT`] when nothing listens.
///
/// The connection lives on a runtime of its own ([`IoRuntime`]): the
/// remote may be used from any runtime, outlives the one this is awaited
/// on, and serves build after build.
pub async fn connect(options: RemoteOptions) -> Result<Remote> {
    let io = Arc::new(IoRuntime::new()?);
    let server = io.run(connect_server(options.clone())).await?;
    Ok(Remote::new(options, server, io))
}

async fn connect_server(options: RemoteOptions) -> Result<Server> {
    Ok(match options.endpoint {
        Endpoint::Grpc { .. } => Server::Reapi(Arc::new(ReapiClient::connect(&options).await?)),
        Endpoint::Http { .. } => Server::Http(Arc::new(HttpStore::connect(&options).await?)),
    })
}

impl Remote {
    fn new(options: RemoteOptions, server: Server, io: Arc<IoRuntime>) -> Remote {
        let describer = Arc::new(ActionDescriber::new(
            &options.platform,
            Arc::new(InputHashes::new()),
        ));
        Remote {
            endpoint: options.endpoint,
            server,
            describer,
            io,
        }
    }

    /// Where the remote is.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The remote as an action cache (a new one each call: each says its
    /// problems once).
    pub fn cache(&self) -> Arc<dyn ActionCache> {
        match &self.server {
            Server::Reapi(c) => Arc::new(RemoteCache::new(
                c.clone(),
                self.describer.clone(),
                self.io.clone(),
            )),
            Server::Http(s) => Arc::new(HttpCache::new(
                s.clone(),
                self.describer.clone(),
                self.io.clone(),
            )),
        }
    }

    /// An executor running actions on the remote's workers, `local` running
    /// those that must stay here (and all of them after a fault). An HTTP
    /// cache, or a REAPI server without execution, cannot execute.
    pub fn executor(
        &self,
        local: Arc<dyn Executor>,
        events: Arc<dyn EventSink>,
        verbose: bool,
    ) -> Result<Arc<dyn Executor>> {
        match &self.server {
            Server::Http(_) => Err(Error::NoExecution {
                url: self.endpoint.to_string(),
            }),
            Server::Reapi(c) if !c.exec_enabled() => Err(Error::Unsupported {
                url: self.endpoint.to_string(),
                why: "it does not execute actions".into(),
            }),
            Server::Reapi(c) => Ok(Arc::new(RemoteExecutor::new(
                c.clone(),
                self.describer.clone(),
                self.io.clone(),
                local,
                events,
                verbose,
            ))),
        }
    }

    /// The memo of input digests (shared by the cache and the executor).
    pub fn input_hashes(&self) -> &Arc<InputHashes> {
        self.describer.hashes()
    }
}
