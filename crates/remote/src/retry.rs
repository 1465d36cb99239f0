//! Retrying a gRPC call that failed on the way rather than at the server:
//! a connection the server closed while idle, a server restarting, a
//! server refusing more calls at once. A call answering `UNAVAILABLE`,
//! `ABORTED` or `UNKNOWN` (how a broken HTTP/2 connection shows) is tried
//! again twice, after 100 ms then 300 ms; one answering
//! `RESOURCE_EXHAUSTED` (BuildGrid's "Concurrent RPC limit exceeded", a
//! busy server rather than a missing one) four times, after 100 ms,
//! 300 ms, 1 s and 3 s; anything else is the answer. Only calls that may be repeated safely are retried
//! (every unary call of REAPI is: reads, and writes of content-addressed
//! data). Each try has [`CALL_TIMEOUT`].
//!
//! A build asks the cache about every ready action at once (lookups take
//! no job slot), hundreds of calls where a server serves a few dozen at a
//! time: no more than [`MAX_CALLS`] tries are in flight in the process.

use std::future::Future;
use std::time::Duration;

use crate::error::{Error, Result};

/// How long one try of a call other than `Execute` may take.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// The pauses before the next tries, for a server that may be away.
const BACKOFF: [Duration; 2] = [Duration::from_millis(100), Duration::from_millis(300)];

/// The pauses before the next tries, for a server that is busy.
const BUSY_BACKOFF: [Duration; 4] = [
    Duration::from_millis(100),
    Duration::from_millis(300),
    Duration::from_secs(1),
    Duration::from_secs(3),
];

/// How many tries may be in flight at once in the process.
pub const MAX_CALLS: usize = 16;

static CALLS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_CALLS);

/// The pauses before trying again after a failure with `code`; none when
/// the failure is the server's answer.
fn pauses(code: tonic::Code) -> &'static [Duration] {
    match code {
        tonic::Code::Unavailable | tonic::Code::Aborted | tonic::Code::Unknown => &BACKOFF,
        tonic::Code::ResourceExhausted => &BUSY_BACKOFF,
        _ => &[],
    }
}

/// Awaits one try of a call with [`CALL_TIMEOUT`], once one of the
/// [`MAX_CALLS`] places is free.
pub async fn timed<T>(
    call: &'static str,
    f: impl Future<Output = tonic::Result<tonic::Response<T>>>,
) -> Result<T> {
    // The semaphore is never closed; without a permit the call goes anyway.
    let _permit = CALLS.acquire().await.ok();
    match tokio::time::timeout(CALL_TIMEOUT, f).await {
        Ok(Ok(r)) => Ok(r.into_inner()),
        Ok(Err(s)) => Err(Error::rpc(call, s)),
        Err(_) => Err(Error::Rpc {
            call,
            code: tonic::Code::DeadlineExceeded,
            message: "timed out".into(),
        }),
    }
}

/// Makes a call with `attempt` (which starts one try) until it succeeds,
/// fails for good, or failed as many times as its kind of failure allows.
pub async fn retried<T, F>(call: &'static str, mut attempt: impl FnMut() -> F) -> Result<T>
where
    F: Future<Output = tonic::Result<tonic::Response<T>>>,
{
    let mut tried = 0;
    loop {
        match timed(call, attempt()).await {
            Err(e @ Error::Rpc { code, .. }) => match pauses(code).get(tried) {
                Some(pause) => {
                    tried += 1;
                    tokio::time::sleep(*pause).await;
                }
                None => return Err(e),
            },
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    async fn failing_then_ok(tries: &AtomicU32, failures: u32, code: tonic::Code) -> Result<u32> {
        retried("Test", || {
            let n = tries.fetch_add(1, Ordering::SeqCst);
            async move {
                if n < failures {
                    Err(tonic::Status::new(code, "no"))
                } else {
                    Ok(tonic::Response::new(n))
                }
            }
        })
        .await
    }

    #[tokio::test]
    async fn a_transient_failure_is_tried_again() {
        let tries = AtomicU32::new(0);
        assert_eq!(
            failing_then_ok(&tries, 2, tonic::Code::Unavailable)
                .await
                .unwrap(),
            2
        );
        assert_eq!(tries.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn three_tries_at_most() {
        let tries = AtomicU32::new(0);
        let r = failing_then_ok(&tries, 10, tonic::Code::Unavailable).await;
        assert!(matches!(
            r,
            Err(Error::Rpc {
                code: tonic::Code::Unavailable,
                ..
            })
        ));
        assert_eq!(tries.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_busy_server_is_given_more_time() {
        let tries = AtomicU32::new(0);
        let busy = tonic::Code::ResourceExhausted;
        assert_eq!(failing_then_ok(&tries, 4, busy).await.unwrap(), 4);
        let tries = AtomicU32::new(0);
        assert!(failing_then_ok(&tries, 10, busy).await.is_err());
        assert_eq!(tries.load(Ordering::SeqCst), 5);
    }

    #[tokio::test]
    async fn an_answer_of_the_server_is_not_retried() {
        let tries = AtomicU32::new(0);
        let r = failing_then_ok(&tries, 10, tonic::Code::NotFound).await;
        assert!(matches!(
            r,
            Err(Error::Rpc {
                code: tonic::Code::NotFound,
                ..
            })
        ));
        assert_eq!(tries.load(Ordering::SeqCst), 1);
    }
}
