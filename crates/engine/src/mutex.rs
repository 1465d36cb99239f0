//! Locking the engine's mutexes: a lock whose holder panicked is taken
//! over, since what they guard (maps, queues, counters) stays coherent
//! between two statements, and a build must not fail on a poisoned lock.

use std::sync::{Mutex, MutexGuard};

/// Locks `m`, taking it over if its holder panicked.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}
