//! `ResultStore`: what the caches and the executor need of a server,
//! a content-addressed store of blobs and a store of action results.
//!
//! Two servers implement it: a REAPI server (`ReapiClient`) and a Bazel
//! HTTP cache (`HttpStore`). Blobs handed out
//! by [`ResultStore::download`] have been checked against their digest.

use std::collections::HashMap;
use std::path::PathBuf;

use bazel_remote_apis::build::bazel::remote::execution::v2 as re;
use futures::future::BoxFuture;

use crate::blob_digest::BlobDigest;
use crate::error::{Error, Result};

/// A blob to upload: bytes in memory or a file holding them.
#[derive(Clone, Debug)]
pub struct Blob {
    /// Its digest.
    pub digest: BlobDigest,
    /// Where its bytes are.
    pub source: BlobSource,
}

/// Where a blob's bytes are.
#[derive(Clone, Debug)]
pub enum BlobSource {
    /// In memory.
    Bytes(Vec<u8>),
    /// In a file (an input or output of the build directory).
    File(PathBuf),
}

impl Blob {
    /// The bytes, checked against the digest (a file that changed since it
    /// was hashed is not uploaded under its old name).
    pub fn read(&self) -> Result<Vec<u8>> {
        match &self.source {
            BlobSource::Bytes(b) => Ok(b.clone()),
            BlobSource::File(path) => {
                let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
                if BlobDigest::of_bytes(&bytes) != self.digest {
                    return Err(Error::NotRemotable {
                        why: format!("{} changed while it was uploaded", path.display()),
                    });
                }
                Ok(bytes)
            }
        }
    }
}

/// A server holding blobs and action results.
pub trait ResultStore: Send + Sync + 'static {
    /// The server's URL, for messages.
    fn url(&self) -> &str;

    /// The result stored for an action, if any; the server may put the
    /// content of the files named in `inline` in the result itself.
    fn get_action_result(
        &self,
        action: BlobDigest,
        inline: Vec<String>,
    ) -> BoxFuture<'_, Result<Option<re::ActionResult>>>;

    /// Stores an action's result.
    fn update_action_result(
        &self,
        action: BlobDigest,
        result: re::ActionResult,
    ) -> BoxFuture<'_, Result<()>>;

    /// Which of `digests` the server does not hold.
    fn find_missing(&self, digests: Vec<BlobDigest>) -> BoxFuture<'_, Result<Vec<BlobDigest>>>;

    /// Uploads blobs.
    fn upload(&self, blobs: Vec<Blob>) -> BoxFuture<'_, Result<()>>;

    /// Downloads blobs, each checked against its digest; a blob the server
    /// does not hold is an error.
    fn download(
        &self,
        digests: Vec<BlobDigest>,
    ) -> BoxFuture<'_, Result<HashMap<BlobDigest, Vec<u8>>>>;
}

/// Uploads those of `blobs` that the server does not hold.
pub async fn upload_missing(store: &dyn ResultStore, blobs: Vec<Blob>) -> Result<()> {
    let mut unique: HashMap<BlobDigest, Blob> = HashMap::new();
    for b in blobs {
        unique.entry(b.digest).or_insert(b);
    }
    let missing = store.find_missing(unique.keys().copied().collect()).await?;
    let upload: Vec<Blob> = missing
        .into_iter()
        .filter_map(|d| unique.remove(&d))
        .collect();
    if upload.is_empty() {
        return Ok(());
    }
    store.upload(upload).await
}
