//! Job slots: at most `-j N` actions run at once, and when a slot frees up
//! the waiting action with the highest priority (longest remaining path)
//! takes it.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::mutex::lock;

/// A counting semaphore whose waiters are served by priority.
#[derive(Clone)]
pub struct Slots {
    state: Arc<Mutex<State>>,
}

struct State {
    free: usize,
    seq: u64,
    waiters: BinaryHeap<Waiter>,
}

struct Waiter {
    priority: u64,
    seq: u64,
    tx: oneshot::Sender<SlotGuard>,
}

impl PartialEq for Waiter {
    fn eq(&self, o: &Self) -> bool {
        self.priority == o.priority && self.seq == o.seq
    }
}
impl Eq for Waiter {}
impl PartialOrd for Waiter {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Waiter {
    /// Higher priority first; among equals, the earlier request first.
    fn cmp(&self, o: &Self) -> Ordering {
        self.priority
            .cmp(&o.priority)
            .then_with(|| o.seq.cmp(&self.seq))
    }
}

/// A held slot; dropping it hands the slot to the next waiter.
pub struct SlotGuard {
    slots: Option<Slots>,
}

impl Slots {
    /// `n` slots; 0 means unlimited.
    pub fn new(n: usize) -> Slots {
        let free = if n == 0 { usize::MAX } else { n };
        Slots {
            state: Arc::new(Mutex::new(State {
                free,
                seq: 0,
                waiters: BinaryHeap::new(),
            })),
        }
    }

    /// A slot if one is free now (then no priority is needed).
    pub fn try_acquire(&self) -> Option<SlotGuard> {
        let mut st = lock(&self.state);
        if st.free > 0 {
            st.free -= 1;
            return Some(SlotGuard {
                slots: Some(self.clone()),
            });
        }
        None
    }

    /// Waits for a slot.
    pub async fn acquire(&self, priority: u64) -> SlotGuard {
        let rx = {
            let mut st = lock(&self.state);
            if st.free > 0 {
                st.free -= 1;
                return SlotGuard {
                    slots: Some(self.clone()),
                };
            }
            let (tx, rx) = oneshot::channel();
            st.seq += 1;
            let seq = st.seq;
            st.waiters.push(Waiter { priority, seq, tx });
            rx
        };
        match rx.await {
            Ok(guard) => guard,
            // The sender is only dropped without sending when the slots are
            // gone, which cannot happen while `self` is alive.
            Err(_) => SlotGuard { slots: None },
        }
    }

    fn release(&self) {
        let mut guard = SlotGuard {
            slots: Some(self.clone()),
        };
        loop {
            let waiter = {
                let mut st = lock(&self.state);
                match st.waiters.pop() {
                    Some(w) => w,
                    None => {
                        st.free = st.free.saturating_add(1);
                        guard.slots = None;
                        return;
                    }
                }
            };
            match waiter.tx.send(guard) {
                Ok(()) => return,
                // The waiter gave up; offer the slot to the next one.
                Err(g) => guard = g,
            }
        }
    }
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        if let Some(slots) = self.slots.take() {
            slots.release();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn highest_priority_waiter_is_served_first() {
        let slots = Slots::new(1);
        let held = slots.acquire(0).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for p in [1u64, 5, 3] {
            let s = slots.clone();
            let o = order.clone();
            handles.push(tokio::spawn(async move {
                let _g = s.acquire(p).await;
                o.lock().unwrap().push(p);
            }));
            tokio::task::yield_now().await;
        }
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        drop(held);
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![5, 3, 1]);
    }

    #[tokio::test]
    async fn abandoned_waiter_does_not_lose_the_slot() {
        let slots = Slots::new(1);
        let held = slots.acquire(0).await;
        let s = slots.clone();
        let waiting = tokio::spawn(async move { s.acquire(9).await });
        tokio::task::yield_now().await;
        waiting.abort();
        let _ = waiting.await;
        drop(held);
        let again = tokio::time::timeout(std::time::Duration::from_secs(5), slots.acquire(0)).await;
        assert!(again.is_ok());
    }
}
