//! `ActionCache`: a store of action results shared beyond one build
//! directory (the local cache, a remote cache).
//!
//! The rebuilder asks a cache before running an action it found out of date,
//! and offers the outputs of every successful run. Keys are the engine's
//! action keys ([`Action::key`](crate::Action::key)): the command, its
//! environment, the toolchain's identity (salt) and the digest of every
//! input, so an entry can serve any build directory whose action has the
//! same key. A cache never fails a build: a cache that cannot answer
//! answers "miss", and says why through the events once.
//!
//! [`CacheChain`] puts caches one behind the other (the local cache first):
//! a hit in a later one is copied into the earlier ones.

use std::path::Path;
use std::sync::Arc;

use futures::future::BoxFuture;

use crate::action::Action;
use crate::digest::Digest;
use crate::events::EventSink;
use crate::target::Target;

/// What a cache is asked about.
#[derive(Clone, Copy)]
pub struct CacheQuery<'a> {
    /// The action's key.
    pub key: &'a Digest,
    /// The action.
    pub action: &'a Action,
    /// The build directory, where outputs live.
    pub build_dir: &'a Path,
    /// Where to report a problem (once per cache, not per action).
    pub events: &'a dyn EventSink,
}

/// A hit: the outputs were written into the build directory.
#[derive(Clone, Debug, Default)]
pub struct Restored {
    /// What the command printed when it ran.
    pub output: String,
    /// How long the command ran, in milliseconds, when it ran.
    pub duration_ms: u32,
    /// The name of the cache that answered (for `-verbose`).
    pub origin: &'static str,
}

/// The outputs of a successful run, offered to a cache.
#[derive(Clone, Copy)]
pub struct Offered<'a> {
    /// The declared outputs with their digests, in declaration order.
    pub outputs: &'a [(Target, Digest)],
    /// The side outputs the command wrote ([`Action::side_outputs`] that
    /// exist), with their digests.
    pub side_outputs: &'a [(Target, Digest)],
    /// What the command printed.
    pub output: &'a str,
    /// How long it ran, in milliseconds.
    pub duration_ms: u32,
}

/// A store of action results.
pub trait ActionCache: Send + Sync + 'static {
    /// The cache's name in messages ("local cache", "remote cache").
    fn name(&self) -> &'static str;

    /// Looks the action up. On a hit, every declared output (and every
    /// side output the entry holds) has been written into the build
    /// directory, each old file replaced; on a miss, nothing was written.
    fn restore<'a>(&'a self, query: CacheQuery<'a>) -> BoxFuture<'a, Option<Restored>>;

    /// Stores the result of a successful run. Failures are reported through
    /// `query.events`, never returned. A cache may go on storing in the
    /// background (an upload) once it has taken what it needs from the
    /// build directory's state it cannot rely on later.
    fn store<'a>(&'a self, query: CacheQuery<'a>, offered: Offered<'a>) -> BoxFuture<'a, ()>;

    /// Waits for the stores still going on in the background, reporting
    /// their failures through `events`; the engine calls it when a build's
    /// tasks are over, so that no result is lost when the process ends.
    fn flush<'a>(&'a self, events: &'a dyn EventSink) -> BoxFuture<'a, ()> {
        let _ = events;
        Box::pin(async {})
    }
}

/// Caches asked in order; a hit in one is stored into those before it.
pub struct CacheChain {
    caches: Vec<Arc<dyn ActionCache>>,
}

impl CacheChain {
    /// The chain of `caches`, asked first to last.
    pub fn new(caches: Vec<Arc<dyn ActionCache>>) -> CacheChain {
        CacheChain { caches }
    }

    /// Whether the chain holds no cache.
    pub fn is_empty(&self) -> bool {
        self.caches.is_empty()
    }
}

impl ActionCache for CacheChain {
    fn name(&self) -> &'static str {
        "cache"
    }

    fn restore<'a>(&'a self, query: CacheQuery<'a>) -> BoxFuture<'a, Option<Restored>> {
        Box::pin(async move {
            for (i, cache) in self.caches.iter().enumerate() {
                let Some(restored) = cache.restore(query).await else {
                    continue;
                };
                if i > 0 {
                    let outputs = digests_of(query.build_dir, &query.action.outputs);
                    let side = digests_of(query.build_dir, &query.action.side_outputs);
                    if let Some(outputs) = outputs.filter(|o| o.len() == query.action.outputs.len())
                    {
                        let offered = Offered {
                            outputs: &outputs,
                            side_outputs: &side.unwrap_or_default(),
                            output: &restored.output,
                            duration_ms: restored.duration_ms,
                        };
                        for earlier in &self.caches[..i] {
                            earlier.store(query, offered).await;
                        }
                    }
                }
                return Some(restored);
            }
            None
        })
    }

    fn store<'a>(&'a self, query: CacheQuery<'a>, offered: Offered<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            for cache in &self.caches {
                cache.store(query, offered).await;
            }
        })
    }

    fn flush<'a>(&'a self, events: &'a dyn EventSink) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            for cache in &self.caches {
                cache.flush(events).await;
            }
        })
    }
}

/// The digests of the files among `targets` that exist; `None` when one
/// cannot be read for another reason than its absence.
fn digests_of(build_dir: &Path, targets: &[Target]) -> Option<Vec<(Target, Digest)>> {
    let mut out = Vec::with_capacity(targets.len());
    for t in targets {
        match Digest::of_file(&build_dir.join(t.as_str())) {
            Ok(d) => out.push((t.clone(), d)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(_) => return None,
        }
    }
    Some(out)
}
