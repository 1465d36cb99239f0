//! What the command line says about sharing results beyond the build
//! folder: the local cache (on unless `-no-cache`), and a remote cache or
//! remote execution.

use std::path::PathBuf;

/// The cache and remote options of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharingRequest {
    /// Not `-no-cache`: the local cache is used.
    pub local_cache: bool,
    /// `-cache-dir`; without it the environment chooses
    /// (`CARAVAN_CACHE_DIR`, `XDG_CACHE_HOME`, `HOME`).
    pub cache_dir: Option<PathBuf>,
    /// `-cache-size`: the local cache's limit in bytes.
    pub cache_max_bytes: Option<u64>,
    /// `-remote-cache` or `-remote-exec`.
    pub remote: Option<RemoteRequest>,
    /// `-remote-instance`.
    pub remote_instance: String,
    /// `-remote-header K=V`, in order.
    pub remote_headers: Vec<(String, String)>,
    /// `-remote-ca FILE`: the certificate authority of a `grpcs://` server.
    pub remote_ca: Option<PathBuf>,
    /// `-verbose`: say once why actions run locally under `-remote-exec`.
    pub verbose: bool,
}

impl Default for SharingRequest {
    fn default() -> SharingRequest {
        SharingRequest {
            local_cache: true,
            cache_dir: None,
            cache_max_bytes: None,
            remote: None,
            remote_instance: String::new(),
            remote_headers: Vec::new(),
            remote_ca: None,
            verbose: false,
        }
    }
}

impl SharingRequest {
    /// The local cache's folder, when the cache is on and a folder is known.
    pub fn cache_dir(&self) -> Option<PathBuf> {
        if !self.local_cache {
            return None;
        }
        self.cache_dir.clone().or_else(cache::location::from_env)
    }

    /// The local cache's size limit.
    pub fn cache_max_bytes(&self) -> u64 {
        self.cache_max_bytes.unwrap_or(cache::DEFAULT_MAX_BYTES)
    }
}

/// A remote endpoint and how to use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteRequest {
    /// `grpc://HOST:PORT`, `grpcs://HOST:PORT` or `http://HOST:PORT/PREFIX`.
    pub url: String,
    /// `-remote-exec` (run actions there) rather than `-remote-cache`.
    pub execute: bool,
}
