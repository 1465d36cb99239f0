//! `HttpStore`: a Bazel HTTP cache (`GET`/`PUT` of `PREFIX/ac/<sha256>`,
//! holding a serialized `ActionResult` under the digest of the `Action`
//! message, and `PREFIX/cas/<sha256>`, holding blobs), such as nginx with
//! WebDAV `PUT`.
//!
//! The protocol has no "which blobs are missing" question: every blob of
//! a result is `PUT` (the server keeps one copy).

use std::collections::HashMap;
use std::time::Duration;

use bazel_remote_apis::build::bazel::remote::execution::v2 as re;
use bytes::Bytes;
use futures::future::BoxFuture;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use prost::Message;

use crate::blob_digest::BlobDigest;
use crate::endpoint::{CONNECT_TIMEOUT, Endpoint, RemoteOptions};
use crate::error::{Error, Result, message_chain};
use crate::result_store::{Blob, ResultStore};

/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A connection to a Bazel HTTP cache.
pub struct HttpStore {
    url: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl HttpStore {
    /// Connects to the cache of `options` (an `http://` endpoint) and
    /// checks that it answers. Fails within [`CONNECT_TIMEOUT`] when
    /// nothing listens.
    pub async fn connect(options: &RemoteOptions) -> Result<HttpStore> {
        let url = options.endpoint.to_string();
        if !matches!(options.endpoint, Endpoint::Http { .. }) {
            return Err(Error::BadUrl {
                url,
                why: "not an http:// URL".into(),
            });
        }
        let mut headers = Vec::new();
        for (name, value) in &options.headers {
            let bad = |why: &str| Error::BadHeader {
                name: name.clone(),
                why: why.to_string(),
            };
            let n = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| bad("not a valid header name"))?;
            let v = HeaderValue::from_str(value).map_err(|_| bad("not a valid header value"))?;
            headers.push((n, v));
        }
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(CONNECT_TIMEOUT));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        let store = HttpStore {
            url,
            headers,
            client,
        };
        // Any answer, even 404, says that a server is there.
        let probe = format!("cas/{}", BlobDigest::of_bytes(b"").hex());
        match tokio::time::timeout(CONNECT_TIMEOUT, store.request(Method::HEAD, &probe, None)).await
        {
            Ok(Ok(_)) => Ok(store),
            Ok(Err(Error::Http { message, .. })) => Err(Error::Connect {
                url: store.url,
                message,
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(Error::Connect {
                url: store.url,
                message: "timed out".into(),
            }),
        }
    }

    /// Sends one request for `path` under the prefix; the status and body.
    async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(StatusCode, Bytes)> {
        let url = format!("{}/{path}", self.url);
        let method_name = match method {
            Method::GET => "GET",
            Method::PUT => "PUT",
            Method::HEAD => "HEAD",
            _ => "request",
        };
        let fail = |message: String| Error::Http {
            method: method_name,
            url: url.clone(),
            message,
        };
        let mut request = hyper::Request::builder().method(method).uri(&url);
        for (n, v) in &self.headers {
            request = request.header(n, v);
        }
        let request = request
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| fail(e.to_string()))?;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| fail(message_chain(&e)))?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| fail(message_chain(&e)))?
                .to_bytes();
            Ok((status, body))
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| fail("timed out".into()))?
    }

    async fn get(&self, path: &str) -> Result<Option<Bytes>> {
        let (status, body) = self.request(Method::GET, path, None).await?;
        match status {
            StatusCode::OK => Ok(Some(body)),
            StatusCode::NOT_FOUND => Ok(None),
            s => Err(Error::Http {
                method: "GET",
                url: format!("{}/{path}", self.url),
                message: s.to_string(),
            }),
        }
    }

    async fn put(&self, path: &str, body: Vec<u8>) -> Result<()> {
        let (status, _) = self.request(Method::PUT, path, Some(body)).await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(Error::Http {
                method: "PUT",
                url: format!("{}/{path}", self.url),
                message: status.to_string(),
            })
        }
    }
}

impl ResultStore for HttpStore {
    fn url(&self) -> &str {
        &self.url
    }

    fn get_action_result(
        &self,
        action: BlobDigest,
        _inline: Vec<String>,
    ) -> BoxFuture<'_, Result<Option<re::ActionResult>>> {
        Box::pin(async move {
            let Some(body) = self.get(&format!("ac/{}", action.hex())).await? else {
                return Ok(None);
            };
            re::ActionResult::decode(body)
                .map(Some)
                .map_err(|e| Error::Decode {
                    what: "ActionResult",
                    message: e.to_string(),
                })
        })
    }

    fn update_action_result(
        &self,
        action: BlobDigest,
        result: re::ActionResult,
    ) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            self.put(&format!("ac/{}", action.hex()), result.encode_to_vec())
                .await
        })
    }

    fn find_missing(&self, digests: Vec<BlobDigest>) -> BoxFuture<'_, Result<Vec<BlobDigest>>> {
        Box::pin(async move { Ok(digests) })
    }

    fn upload(&self, blobs: Vec<Blob>) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            for blob in blobs {
                let data = blob.read()?;
                self.put(&format!("cas/{}", blob.digest.hex()), data)
                    .await?;
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
            for d in digests {
                if d.size == 0 {
                    out.insert(d, Vec::new());
                    continue;
                }
                let Some(body) = self.get(&format!("cas/{}", d.hex())).await? else {
                    return Err(Error::MissingBlob {
                        digest: d.to_string(),
                    });
                };
                d.verify(&body)?;
                out.insert(d, body.to_vec());
            }
            Ok(out)
        })
    }
}
