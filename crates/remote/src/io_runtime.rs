//! `IoRuntime`: the tokio runtime the remote's connections live on.
//!
//! A gRPC channel and an HTTP client keep background tasks on the runtime
//! they were made on, and die with it. caravan makes a runtime per build
//! (and watch mode many builds), so a remote connected once must not
//! depend on any of them: its calls run on a small runtime of its own,
//! and any runtime (or none, for the future's executor) awaits their
//! results. A call abandoned by its caller (an interrupted build) is
//! aborted on the remote's runtime too.

use std::future::Future;

use tokio::runtime::{Handle, Runtime};
use tokio::task::JoinHandle;

use crate::error::{Error, Result};

/// The remote's own runtime.
pub struct IoRuntime {
    runtime: Option<Runtime>,
    handle: Handle,
}

impl IoRuntime {
    /// Starts the runtime (two worker threads: the work is waiting on the
    /// network; describing actions runs on its blocking pool).
    pub fn new() -> Result<IoRuntime> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("caravan-remote")
            .enable_all()
            .build()
            .map_err(|e| Error::Connect {
                url: String::new(),
                message: format!("cannot start the remote client's runtime: {e}"),
            })?;
        let handle = runtime.handle().clone();
        Ok(IoRuntime {
            runtime: Some(runtime),
            handle,
        })
    }

    /// Runs `f` on the remote's runtime and waits for its result from
    /// whatever runtime the caller is on.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let mut task = AbortOnDrop(self.handle.spawn(f));
        match (&mut task.0).await {
            Ok(r) => r,
            Err(e) => Err(Error::Execution {
                message: format!("the remote client's task ended: {e}"),
            }),
        }
    }

    /// Starts `f` on the remote's runtime without waiting for it; the
    /// handle gives its result (dropping the handle does not stop it).
    pub fn spawn<T: Send + 'static>(
        &self,
        f: impl Future<Output = Result<T>> + Send + 'static,
    ) -> JoinHandle<Result<T>> {
        self.handle.spawn(f)
    }
}

impl Drop for IoRuntime {
    fn drop(&mut self) {
        // Dropping a runtime waits for its threads, which panics in async
        // code; the remote may well be dropped there.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Aborts the task when its caller gives up on it.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
