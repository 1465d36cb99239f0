//! caravan's shared local cache: action results kept beyond one build
//! directory, so that a second clone, another branch or a CI runner on the
//! same machine restores what was already built instead of running it.
//!
//! The cache is a folder (by default `$XDG_CACHE_HOME/caravan/cache`, see
//! [`location`]) holding two kinds of files:
//!
//! - `cas/<2 hex>/<digest>[.x]`: file contents, named by their BLAKE3 digest
//!   (`.x` for an executable copy), read-only;
//! - `ac/<2 hex>/<action key>`: an entry per action ([`entry`]): the outputs'
//!   paths and digests, what the command printed, how long it ran.
//!
//! Both are written under a temporary name and renamed into place, an
//! entry after its contents, so that a reader never sees a partial one,
//! even with several builds at once. [`LocalCache`] implements the
//! engine's [`engine::ActionCache`]; [`trim`] keeps the folder under its
//! size limit, oldest entries first.

#![deny(missing_docs)]

mod blob_store;
mod entry;
mod error;
mod file_lock;
mod local_cache;
pub mod location;
pub mod trim;
mod usage;

pub use error::CacheError;
pub use local_cache::{DEFAULT_MAX_BYTES, LocalCache};
pub use trim::{CacheStats, TrimReport};
