//! `Error`: what can go wrong talking to a remote cache or execution
//! service. Callers see these from [`connect`](crate::connect) and
//! [`Remote::executor`](crate::Remote::executor); during a build they only
//! become notices, since a remote never fails a build.

use std::path::PathBuf;

/// A failure of the remote client.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The URL of the remote is not one caravan understands.
    #[error("bad remote URL {url:?}: {why}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        why: String,
    },
    /// A header (`-remote-header K=V`) that cannot be sent.
    #[error("bad remote header {name:?}: {why}")]
    BadHeader {
        /// The header's name.
        name: String,
        /// What is wrong with it.
        why: String,
    },
    /// The CA file given for TLS cannot be read.
    #[error("cannot read the CA file {path}: {source}")]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Nothing answers at the URL, or the connection could not be set up.
    #[error("cannot connect to {url}: {message}")]
    Connect {
        /// The remote's URL.
        url: String,
        /// What the transport said.
        message: String,
    },
    /// The server does not offer what caravan needs.
    #[error("{url} cannot serve caravan: {why}")]
    Unsupported {
        /// The remote's URL.
        url: String,
        /// What is missing.
        why: String,
    },
    /// Remote execution was asked of an endpoint that only caches.
    #[error("{url} is an HTTP cache: remote execution needs a grpc:// or grpcs:// URL")]
    NoExecution {
        /// The remote's URL.
        url: String,
    },
    /// A call to the server failed (transport error or error status).
    #[error("{call} failed: {code:?}: {message}")]
    Rpc {
        /// The call, such as `GetActionResult`.
        call: &'static str,
        /// The gRPC status code.
        code: tonic::Code,
        /// The status message.
        message: String,
    },
    /// An HTTP cache request failed.
    #[error("HTTP {method} {url} failed: {message}")]
    Http {
        /// The method.
        method: &'static str,
        /// The full URL.
        url: String,
        /// The status or the transport's message.
        message: String,
    },
    /// A blob came back with another digest than the one asked for.
    #[error("blob {expected} came back with digest {got}: refused")]
    WrongDigest {
        /// The digest asked for (`hash/size`).
        expected: String,
        /// The digest of what came back.
        got: String,
    },
    /// The server does not hold a blob it should.
    #[error("the server does not hold blob {digest}")]
    MissingBlob {
        /// The blob's digest (`hash/size`).
        digest: String,
    },
    /// A message from the server cannot be decoded.
    #[error("cannot decode the server's {what}: {message}")]
    Decode {
        /// What was decoded.
        what: &'static str,
        /// The decoder's message.
        message: String,
    },
    /// The remote execution of an action ended without a usable result.
    #[error("execution failed: {message}")]
    Execution {
        /// The status or what was missing.
        message: String,
    },
    /// The action cannot be described to a remote (an input outside the
    /// build directory, a file where a directory must be): it runs locally.
    #[error("the action cannot run remotely: {why}")]
    NotRemotable {
        /// Why.
        why: String,
    },
    /// A local file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl Error {
    /// An I/O error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A failed gRPC call.
    pub(crate) fn rpc(call: &'static str, status: tonic::Status) -> Error {
        Error::Rpc {
            call,
            code: status.code(),
            message: status.message().to_string(),
        }
    }

    /// Whether the server (or the way to it) is at fault, as opposed to the
    /// action or the local disk: the executor stops sending actions after
    /// such a failure.
    pub fn is_server_fault(&self) -> bool {
        !matches!(self, Error::NotRemotable { .. } | Error::Io { .. })
    }
}

/// An error's message followed by its causes' (a transport error says
/// what happened only in its causes).
pub(crate) fn message_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

/// A result with the remote client's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
