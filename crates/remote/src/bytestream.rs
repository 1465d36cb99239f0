//! ByteStream on a REAPI server: blobs too large for a batch call, read
//! and written in chunks under `{instance}/blobs/{hash}/{size}` and
//! `{instance}/uploads/{uuid}/blobs/{hash}/{size}`.

use std::sync::atomic::Ordering;

use bazel_remote_apis::google::bytestream as bs;

use crate::blob_digest::BlobDigest;
use crate::error::{Error, Result};
use crate::reapi_client::ReapiClient;
use crate::retry::{CALL_TIMEOUT, timed};

/// The size of a ByteStream chunk.
const CHUNK: usize = 1 << 20;

impl ReapiClient {
    /// Uploads one blob.
    pub(crate) async fn stream_upload(&self, digest: BlobDigest, data: Vec<u8>) -> Result<()> {
        let n = self.uploads.fetch_add(1, Ordering::Relaxed);
        let resource = format!(
            "{}uploads/{}/blobs/{}",
            self.resource_prefix(),
            upload_id(n),
            digest
        );
        let mut requests = Vec::new();
        let mut offset = 0usize;
        loop {
            let end = (offset + CHUNK).min(data.len());
            requests.push(bs::WriteRequest {
                resource_name: if offset == 0 {
                    resource.clone()
                } else {
                    String::new()
                },
                write_offset: offset as i64,
                finish_write: end == data.len(),
                data: data[offset..end].to_vec(),
            });
            offset = end;
            if offset == data.len() {
                break;
            }
        }
        timed(
            "ByteStream.Write",
            self.bytestream().write(futures::stream::iter(requests)),
        )
        .await?;
        Ok(())
    }

    /// Downloads one blob, checked against its digest.
    pub(crate) async fn stream_download(&self, digest: BlobDigest) -> Result<Vec<u8>> {
        let request = bs::ReadRequest {
            resource_name: format!("{}blobs/{}", self.resource_prefix(), digest),
            read_offset: 0,
            read_limit: 0,
        };
        let read = async {
            let mut stream = self
                .bytestream()
                .read(request)
                .await
                .map_err(|s| blob_status("ByteStream.Read", digest, s))?
                .into_inner();
            let mut data = Vec::with_capacity(digest.size as usize);
            while let Some(chunk) = stream
                .message()
                .await
                .map_err(|s| blob_status("ByteStream.Read", digest, s))?
            {
                data.extend_from_slice(&chunk.data);
            }
            Ok(data)
        };
        let data = tokio::time::timeout(CALL_TIMEOUT, read)
            .await
            .map_err(|_| Error::Rpc {
                call: "ByteStream.Read",
                code: tonic::Code::DeadlineExceeded,
                message: "timed out".into(),
            })??;
        digest.verify(&data)?;
        Ok(data)
    }
}

fn blob_status(call: &'static str, digest: BlobDigest, s: tonic::Status) -> Error {
    if s.code() == tonic::Code::NotFound {
        Error::MissingBlob {
            digest: digest.to_string(),
        }
    } else {
        Error::rpc(call, s)
    }
}

/// A UUID (version 4 in form) naming one upload.
fn upload_id(n: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let seed = format!("{}-{now}-{n}", std::process::id());
    let mut b: [u8; 16] = blake3::hash(seed.as_bytes()).as_bytes()[..16]
        .try_into()
        .unwrap_or([0; 16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_ids_look_like_uuids_and_differ() {
        let a = upload_id(1);
        let b = upload_id(2);
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
    }
}
