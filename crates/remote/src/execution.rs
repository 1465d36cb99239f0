//! `Execute` on a REAPI server: the streamed operation, resumed with
//! `WaitExecution` when the stream drops before the operation is done.

use std::time::Duration;

use bazel_remote_apis::build::bazel::remote::execution::v2 as re;
use bazel_remote_apis::google::longrunning;
use prost::Message;

use crate::blob_digest::BlobDigest;
use crate::error::{Error, Result};
use crate::reapi_client::ReapiClient;
use crate::retry::retried;

/// How many times a dropped `Execute` stream is resumed.
const WAIT_ATTEMPTS: u32 = 5;

impl ReapiClient {
    /// Runs the action whose `Action` message (and everything it names)
    /// is in the store, and waits for its result; the server may put the
    /// content of the files named in `inline` in the result itself.
    pub async fn execute(
        &self,
        action: BlobDigest,
        inline: Vec<String>,
    ) -> Result<re::ActionResult> {
        let request = re::ExecuteRequest {
            instance_name: self.instance.clone(),
            skip_cache_lookup: false,
            action_digest: Some(action.to_proto()),
            digest_function: re::digest_function::Value::Sha256 as i32,
            inline_stdout: true,
            inline_stderr: true,
            inline_output_files: inline,
            ..Default::default()
        };
        let mut exec = self.execution();
        // Starting the call is retried (a connection closed while idle);
        // the stream itself is resumed with WaitExecution below.
        let mut stream = retried("Execute", || {
            let mut exec = self.execution();
            let request = request.clone();
            async move { exec.execute(request).await }
        })
        .await?;
        let mut name: Option<String> = None;
        let mut attempts = 0;
        loop {
            let dropped = match stream.message().await {
                Ok(Some(op)) => {
                    if op.done {
                        return operation_result(op);
                    }
                    if !op.name.is_empty() {
                        name = Some(op.name);
                    }
                    continue;
                }
                Ok(None) => Error::Execution {
                    message: "the operation's stream ended before it was done".into(),
                },
                Err(s) => Error::rpc("Execute", s),
            };
            let Some(op_name) = name.clone() else {
                return Err(dropped);
            };
            // The stream dropped: ask again for the operation, a few times
            // (the channel reconnects meanwhile).
            let mut last = dropped;
            loop {
                if attempts == WAIT_ATTEMPTS {
                    return Err(last);
                }
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(100 * attempts as u64)).await;
                let request = re::WaitExecutionRequest {
                    name: op_name.clone(),
                };
                match exec.wait_execution(request).await {
                    Ok(s) => {
                        stream = s.into_inner();
                        break;
                    }
                    Err(s) => last = Error::rpc("WaitExecution", s),
                }
            }
        }
    }
}

/// The result of a finished operation.
fn operation_result(op: longrunning::Operation) -> Result<re::ActionResult> {
    let response = match op.result {
        Some(longrunning::operation::Result::Response(any)) => any,
        Some(longrunning::operation::Result::Error(status)) => {
            return Err(Error::Execution {
                message: format!(
                    "{:?}: {}",
                    tonic::Code::from_i32(status.code),
                    status.message
                ),
            });
        }
        None => {
            return Err(Error::Execution {
                message: "the operation is done but holds no result".into(),
            });
        }
    };
    let response =
        re::ExecuteResponse::decode(response.value.as_slice()).map_err(|e| Error::Decode {
            what: "ExecuteResponse",
            message: e.to_string(),
        })?;
    if let Some(status) = response.status.filter(|s| s.code != 0) {
        return Err(Error::Execution {
            message: format!(
                "{:?}: {}",
                tonic::Code::from_i32(status.code),
                status.message
            ),
        });
    }
    response.result.ok_or_else(|| Error::Execution {
        message: "the response holds no action result".into(),
    })
}
