//! `ReapiClient`: a client of a REAPI v2 server (Capabilities, CAS,
//! ByteStream, ActionCache, Execution) over one HTTP/2 channel.
//!
//! It knows nothing of builds: it moves blobs and action results by
//! digest. Small blobs go in batches (`BatchUpdateBlobs`/`BatchReadBlobs`)
//! up to the server's batch size; blobs above that size or 1 MiB go
//! through ByteStream (`bytestream.rs`); `Execute` is in `execution.rs`.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use bazel_remote_apis::build::bazel::remote::execution::v2 as re;
use bazel_remote_apis::google::bytestream as bs;
use futures::future::BoxFuture;
use re::action_cache_client::ActionCacheClient;
use re::capabilities_client::CapabilitiesClient;
use re::content_addressable_storage_client::ContentAddressableStorageClient;
use re::execution_client::ExecutionClient;
use tonic::metadata::{Ascii, MetadataKey, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig};

use crate::blob_digest::BlobDigest;
use crate::endpoint::{CONNECT_TIMEOUT, Endpoint, RemoteOptions};
use crate::error::{Error, Result, message_chain};
use crate::result_store::{Blob, ResultStore};
use crate::retry::retried;

/// The largest blob sent or read in a batch call.
const MAX_BATCHED_BLOB: usize = 1 << 20;
/// The size of a batch when the server sets no limit (gRPC's default
/// message size is 4 MiB).
const DEFAULT_BATCH_LIMIT: usize = 4 << 20;

pub(crate) type Chan = InterceptedService<Channel, Headers>;

/// The headers sent with every call.
#[derive(Clone)]
pub struct Headers(Arc<Vec<(MetadataKey<Ascii>, MetadataValue<Ascii>)>>);

impl Headers {
    fn parse(headers: &[(String, String)]) -> Result<Headers> {
        let mut out = Vec::new();
        for (name, value) in headers {
            let bad = |why: &str| Error::BadHeader {
                name: name.clone(),
                why: why.to_string(),
            };
            let key = MetadataKey::from_bytes(name.to_ascii_lowercase().as_bytes())
                .map_err(|_| bad("not a valid header name"))?;
            let value = MetadataValue::try_from(value.as_str())
                .map_err(|_| bad("the value is not printable ASCII"))?;
            out.push((key, value));
        }
        Ok(Headers(Arc::new(out)))
    }
}

impl Interceptor for Headers {
    fn call(&mut self, mut request: tonic::Request<()>) -> tonic::Result<tonic::Request<()>> {
        for (k, v) in self.0.iter() {
            request.metadata_mut().insert(k.clone(), v.clone());
        }
        Ok(request)
    }
}

/// A connection to a REAPI server.
pub struct ReapiClient {
    url: String,
    pub(crate) instance: String,
    channel: Chan,
    batch_limit: usize,
    exec_enabled: bool,
    pub(crate) uploads: AtomicU64,
}

impl ReapiClient {
    /// Connects to the server of `options` (a `grpc://` or `grpcs://`
    /// endpoint) and asks its capabilities: it must take SHA-256 digests.
    /// Fails within [`CONNECT_TIMEOUT`] when nothing answers.
    pub async fn connect(options: &RemoteOptions) -> Result<ReapiClient> {
        let url = options.endpoint.to_string();
        let Endpoint::Grpc { host, tls, .. } = &options.endpoint else {
            return Err(Error::BadUrl {
                url,
                why: "not a grpc:// or grpcs:// URL".into(),
            });
        };
        let headers = Headers::parse(&options.headers)?;
        let connect_error = |message: String| Error::Connect {
            url: url.clone(),
            message,
        };
        let scheme = if *tls { "https" } else { "http" };
        let uri = format!("{scheme}://{}", options.endpoint.authority());
        let mut endpoint = tonic::transport::Endpoint::from_shared(uri)
            .map_err(|e| connect_error(e.to_string()))?
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_nodelay(true)
            .http2_keep_alive_interval(Duration::from_secs(30))
            .keep_alive_timeout(Duration::from_secs(10));
        if *tls {
            let mut config = ClientTlsConfig::new().domain_name(host.clone());
            match &options.ca_file {
                Some(path) => {
                    let pem = std::fs::read(path).map_err(|e| Error::CaFile {
                        path: path.clone(),
                        source: e,
                    })?;
                    config = config.ca_certificate(Certificate::from_pem(pem));
                }
                None => config = config.with_native_roots(),
            }
            endpoint = endpoint
                .tls_config(config)
                .map_err(|e| connect_error(message_chain(&e)))?;
        }
        let channel = match tokio::time::timeout(CONNECT_TIMEOUT, endpoint.connect()).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return Err(connect_error(message_chain(&e))),
            Err(_) => return Err(connect_error("timed out".into())),
        };
        let channel = InterceptedService::new(channel, headers);
        let mut client = ReapiClient {
            url: url.clone(),
            instance: options.instance_name.clone(),
            channel,
            batch_limit: DEFAULT_BATCH_LIMIT,
            exec_enabled: false,
            uploads: AtomicU64::new(0),
        };
        let request = re::GetCapabilitiesRequest {
            instance_name: client.instance.clone(),
        };
        let caps = tokio::time::timeout(
            CONNECT_TIMEOUT * 5,
            CapabilitiesClient::new(client.channel.clone()).get_capabilities(request),
        )
        .await
        .map_err(|_| connect_error("GetCapabilities timed out".into()))?
        .map_err(|s| connect_error(format!("GetCapabilities: {:?}: {}", s.code(), s.message())))?
        .into_inner();
        let sha256 = re::digest_function::Value::Sha256 as i32;
        let Some(cache) = caps.cache_capabilities else {
            return Err(Error::Unsupported {
                url,
                why: "it offers no content-addressed store".into(),
            });
        };
        if !cache.digest_functions.is_empty() && !cache.digest_functions.contains(&sha256) {
            return Err(Error::Unsupported {
                url,
                why: "it does not take SHA-256 digests".into(),
            });
        }
        if cache.max_batch_total_size_bytes > 0 {
            client.batch_limit =
                (cache.max_batch_total_size_bytes as usize).min(DEFAULT_BATCH_LIMIT);
        }
        client.exec_enabled = caps.execution_capabilities.is_some_and(|e| {
            e.exec_enabled
                && (e.digest_function == sha256
                    || e.digest_functions.contains(&sha256)
                    || (e.digest_function == 0 && e.digest_functions.is_empty()))
        });
        Ok(client)
    }

    /// Whether the server executes actions.
    pub fn exec_enabled(&self) -> bool {
        self.exec_enabled
    }

    pub(crate) fn cas(&self) -> ContentAddressableStorageClient<Chan> {
        ContentAddressableStorageClient::new(self.channel.clone())
            .max_decoding_message_size(64 << 20)
    }

    pub(crate) fn bytestream(&self) -> bs::byte_stream_client::ByteStreamClient<Chan> {
        bs::byte_stream_client::ByteStreamClient::new(self.channel.clone())
            .max_decoding_message_size(64 << 20)
    }

    pub(crate) fn action_cache(&self) -> ActionCacheClient<Chan> {
        ActionCacheClient::new(self.channel.clone()).max_decoding_message_size(64 << 20)
    }

    pub(crate) fn execution(&self) -> ExecutionClient<Chan> {
        ExecutionClient::new(self.channel.clone()).max_decoding_message_size(64 << 20)
    }

    /// The largest blob sent in a batch.
    pub(crate) fn batched(&self, size: u64) -> bool {
        (size as usize) <= MAX_BATCHED_BLOB.min(self.batch_limit.saturating_sub(1024))
    }

    pub(crate) fn resource_prefix(&self) -> String {
        if self.instance.is_empty() {
            String::new()
        } else {
            format!("{}/", self.instance)
        }
    }

    async fn batch_upload(&self, blobs: Vec<(BlobDigest, Vec<u8>)>) -> Result<()> {
        let requests = blobs
            .into_iter()
            .map(|(d, data)| re::batch_update_blobs_request::Request {
                digest: Some(d.to_proto()),
                data,
                compressor: 0,
            })
            .collect();
        let request = re::BatchUpdateBlobsRequest {
            instance_name: self.instance.clone(),
            requests,
            digest_function: re::digest_function::Value::Sha256 as i32,
        };
        let response = retried("BatchUpdateBlobs", || {
            let mut cas = self.cas();
            let request = request.clone();
            async move { cas.batch_update_blobs(request).await }
        })
        .await?;
        for r in response.responses {
            if let Some(status) = r.status.filter(|s| s.code != 0) {
                return Err(Error::Rpc {
                    call: "BatchUpdateBlobs",
                    code: tonic::Code::from_i32(status.code),
                    message: status.message,
                });
            }
        }
        Ok(())
    }

    async fn batch_download(
        &self,
        digests: Vec<BlobDigest>,
        out: &mut HashMap<BlobDigest, Vec<u8>>,
    ) -> Result<()> {
        let request = re::BatchReadBlobsRequest {
            instance_name: self.instance.clone(),
            digests: digests.iter().map(|d| d.to_proto()).collect(),
            acceptable_compressors: Vec::new(),
            digest_function: re::digest_function::Value::Sha256 as i32,
        };
        let response = retried("BatchReadBlobs", || {
            let mut cas = self.cas();
            let request = request.clone();
            async move { cas.batch_read_blobs(request).await }
        })
        .await?;
        for r in response.responses {
            let Some(d) = r.digest.as_ref().and_then(BlobDigest::from_proto) else {
                continue;
            };
            match r.status.filter(|s| s.code != 0) {
                Some(s) if s.code == tonic::Code::NotFound as i32 => {
                    return Err(Error::MissingBlob {
                        digest: d.to_string(),
                    });
                }
                Some(s) => {
                    return Err(Error::Rpc {
                        call: "BatchReadBlobs",
                        code: tonic::Code::from_i32(s.code),
                        message: s.message,
                    });
                }
                None => {
                    d.verify(&r.data)?;
                    out.insert(d, r.data);
                }
            }
        }
        Ok(())
    }
}

impl ResultStore for ReapiClient {
    fn url(&self) -> &str {
        &self.url
    }

    fn get_action_result(
        &self,
        action: BlobDigest,
        inline: Vec<String>,
    ) -> BoxFuture<'_, Result<Option<re::ActionResult>>> {
        Box::pin(async move {
            let request = re::GetActionResultRequest {
                instance_name: self.instance.clone(),
                action_digest: Some(action.to_proto()),
                inline_stdout: true,
                inline_stderr: true,
                inline_output_files: inline,
                digest_function: re::digest_function::Value::Sha256 as i32,
            };
            let result = retried("GetActionResult", || {
                let mut ac = self.action_cache();
                let request = request.clone();
                async move { ac.get_action_result(request).await }
            })
            .await;
            match result {
                Ok(r) => Ok(Some(r)),
                Err(Error::Rpc {
                    code: tonic::Code::NotFound,
                    ..
                }) => Ok(None),
                Err(e) => Err(e),
            }
        })
    }

    fn update_action_result(
        &self,
        action: BlobDigest,
        result: re::ActionResult,
    ) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let request = re::UpdateActionResultRequest {
                instance_name: self.instance.clone(),
                action_digest: Some(action.to_proto()),
                action_result: Some(result),
                results_cache_policy: None,
                digest_function: re::digest_function::Value::Sha256 as i32,
            };
            retried("UpdateActionResult", || {
                let mut ac = self.action_cache();
                let request = request.clone();
                async move { ac.update_action_result(request).await }
            })
            .await?;
            Ok(())
        })
    }

    fn find_missing(&self, digests: Vec<BlobDigest>) -> BoxFuture<'_, Result<Vec<BlobDigest>>> {
        Box::pin(async move {
            let mut missing = Vec::new();
            for chunk in digests.chunks(4096) {
                let request = re::FindMissingBlobsRequest {
                    instance_name: self.instance.clone(),
                    blob_digests: chunk.iter().map(|d| d.to_proto()).collect(),
                    digest_function: re::digest_function::Value::Sha256 as i32,
                };
                let response = retried("FindMissingBlobs", || {
                    let mut cas = self.cas();
                    let request = request.clone();
                    async move { cas.find_missing_blobs(request).await }
                })
                .await?;
                missing.extend(
                    response
                        .missing_blob_digests
                        .iter()
                        .filter_map(BlobDigest::from_proto),
                );
            }
            Ok(missing)
        })
    }

    fn upload(&self, blobs: Vec<Blob>) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let mut batch = Vec::new();
            let mut batch_size = 0usize;
            for blob in blobs {
                let data = blob.read()?;
                if !self.batched(blob.digest.size) {
                    self.stream_upload(blob.digest, data).await?;
                    continue;
                }
                if batch_size + data.len() + 256 > self.batch_limit && !batch.is_empty() {
                    self.batch_upload(std::mem::take(&mut batch)).await?;
                    batch_size = 0;
                }
                batch_size += data.len() + 256;
                batch.push((blob.digest, data));
            }
            if !batch.is_empty() {
                self.batch_upload(batch).await?;
            }
            Ok(())
        })
    }

    fn download(
        &self,
        digests: Vec<BlobDigest>,
    ) -> BoxFuture<'_, Result<HashMap<BlobDigest, Vec<u8>>>> {
        Box::pin(async move {
            let mut out = HashMap::new();
            let mut batch = Vec::new();
            let mut batch_size = 0usize;
            for &d in &digests {
                if d.size == 0 {
                    out.insert(d, Vec::new());
                } else if !self.batched(d.size) {
                    let data = self.stream_download(d).await?;
                    out.insert(d, data);
                } else {
                    if batch_size + d.size as usize + 256 > self.batch_limit && !batch.is_empty() {
                        self.batch_download(std::mem::take(&mut batch), &mut out)
                            .await?;
                        batch_size = 0;
                    }
                    batch_size += d.size as usize + 256;
                    batch.push(d);
                }
            }
            if !batch.is_empty() {
                self.batch_download(batch, &mut out).await?;
            }
            // A batch answer may leave a blob out without saying why.
            if let Some(d) = digests.iter().find(|d| !out.contains_key(d)) {
                return Err(Error::MissingBlob {
                    digest: d.to_string(),
                });
            }
            Ok(out)
        })
    }
}
