//! The index of encoded trace records: the bytes of the records kept as read
//! ([`Payloads`]) and, per key (a task or a source path), where its latest
//! record is ([`KeyIndex`]).
//!
//! Every record's encoding starts with its variant number and then its key
//! (a varint and a string, in postcard), so indexing a record reads only
//! those, and the rest is decoded when someone asks for that key. The map
//! goes from a 64-bit hash of the key to the record's place: no key is
//! copied out of the bytes. Two keys with the same hash are told apart by
//! the key in the record's bytes, compared as bytes; the second one waits in a small overflow
//! list (almost always empty).

use std::collections::hash_map::Entry;
use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use crate::log_bytes::LogBytes;

/// Where one encoded record is in [`Payloads`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    /// Its first byte.
    pos: usize,
    /// Its length.
    len: u32,
}

/// The bytes records are read from: the log as loaded, then the records
/// added since (so that a lookup sees them).
#[derive(Default)]
pub(crate) struct Payloads {
    /// The log as loaded at start (header, frames and all); never changes.
    base: LogBytes,
    /// The payloads added after loading, one after the other.
    added: Vec<u8>,
}

impl Payloads {
    /// Payloads within `base`, the bytes of a whole log.
    pub(crate) fn new(base: LogBytes) -> Payloads {
        Payloads {
            base,
            added: Vec::new(),
        }
    }

    /// The loaded log.
    pub(crate) fn base(&self) -> &[u8] {
        self.base.as_slice()
    }

    /// The slot of `len` bytes at `pos` of the loaded log, if they are in it.
    pub(crate) fn base_slot(&self, pos: usize, len: usize) -> Option<Slot> {
        let end = pos.checked_add(len)?;
        if end > self.base().len() {
            return None;
        }
        Some(Slot {
            pos,
            len: u32::try_from(len).ok()?,
        })
    }

    /// Keeps one more payload; returns its slot.
    pub(crate) fn push(&mut self, payload: &[u8]) -> Option<Slot> {
        let slot = Slot {
            pos: self.base().len() + self.added.len(),
            len: u32::try_from(payload.len()).ok()?,
        };
        self.added.extend_from_slice(payload);
        Some(slot)
    }

    /// The bytes of a slot.
    pub(crate) fn get(&self, slot: Slot) -> &[u8] {
        let len = slot.len as usize;
        let base = self.base();
        let bytes = match slot.pos.checked_sub(base.len()) {
            None => base.get(slot.pos..slot.pos + len),
            Some(pos) => self.added.get(pos..pos + len),
        };
        bytes.unwrap_or_default()
    }

    /// The variant number and key of the record in `slot`.
    pub(crate) fn key(&self, slot: Slot) -> Option<(u32, &[u8])> {
        key_of(self.get(slot))
    }

    /// The bytes held.
    pub(crate) fn len(&self) -> usize {
        self.base().len() + self.added.len()
    }
}

/// The variant number and key of an encoded record, read without decoding
/// the rest: postcard writes the variant as a varint, then the key's length
/// as a varint and its bytes.
pub(crate) fn key_of(payload: &[u8]) -> Option<(u32, &[u8])> {
    let (variant, rest) = varint(payload)?;
    let (len, rest) = varint(rest)?;
    let key = rest.get(..usize::try_from(len).ok()?)?;
    Some((u32::try_from(variant).ok()?, key))
}

/// A LEB128 varint of at most 64 bits, and what follows it.
fn varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, &bytes[i + 1..]));
        }
    }
    None
}

fn hash(key: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(key);
    h.finish()
}

/// Keys to the slots of their latest records.
pub(crate) struct KeyIndex {
    by_hash: FxHashMap<u64, Slot>,
    /// Keys whose hash `by_hash` holds for another key.
    overflow: Vec<Slot>,
    /// The hash of a key (another one in tests, to make collisions).
    hash: fn(&[u8]) -> u64,
}

impl Default for KeyIndex {
    fn default() -> KeyIndex {
        KeyIndex {
            by_hash: FxHashMap::default(),
            overflow: Vec::new(),
            hash,
        }
    }
}

impl KeyIndex {
    /// The slot of `key`.
    pub(crate) fn get(&self, payloads: &Payloads, key: &[u8]) -> Option<Slot> {
        let slot = *self.by_hash.get(&(self.hash)(key))?;
        if is_key(payloads, slot, key) {
            return Some(slot);
        }
        self.overflow
            .iter()
            .copied()
            .find(|s| is_key(payloads, *s, key))
    }

    /// Points `key` to `slot`.
    pub(crate) fn insert(&mut self, payloads: &Payloads, key: &[u8], slot: Slot) {
        match self.by_hash.entry((self.hash)(key)) {
            // No other key waits in the overflow with this hash.
            Entry::Vacant(v) => {
                v.insert(slot);
            }
            Entry::Occupied(mut o) => {
                if is_key(payloads, *o.get(), key) {
                    o.insert(slot);
                } else if let Some(s) = self
                    .overflow
                    .iter_mut()
                    .find(|s| is_key(payloads, **s, key))
                {
                    *s = slot;
                } else {
                    self.overflow.push(slot);
                }
            }
        }
    }

    /// Forgets `key`.
    pub(crate) fn remove(&mut self, payloads: &Payloads, key: &[u8]) {
        let h = (self.hash)(key);
        let Some(slot) = self.by_hash.get(&h).copied() else {
            return;
        };
        if is_key(payloads, slot, key) {
            self.by_hash.remove(&h);
            // Another key with this hash takes the place.
            if let Some(i) = self
                .overflow
                .iter()
                .position(|s| payloads.key(*s).is_some_and(|(_, k)| (self.hash)(k) == h))
            {
                let next = self.overflow.swap_remove(i);
                self.by_hash.insert(h, next);
            }
        } else {
            self.overflow.retain(|s| !is_key(payloads, *s, key));
        }
    }

    /// Makes room for `n` more keys.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.by_hash.reserve(n);
    }

    /// How many keys.
    pub(crate) fn len(&self) -> usize {
        self.by_hash.len() + self.overflow.len()
    }

    /// Whether there is none.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every slot, in no particular order.
    pub(crate) fn slots(&self) -> impl Iterator<Item = Slot> + '_ {
        self.by_hash.values().chain(&self.overflow).copied()
    }
}

fn is_key(payloads: &Payloads, slot: Slot, key: &[u8]) -> bool {
    payloads.key(slot).is_some_and(|(_, k)| k == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(variant: u32, key: &str, rest: u8) -> Vec<u8> {
        postcard::to_stdvec(&(variant, key, rest)).unwrap()
    }

    #[test]
    fn latest_slot_wins_and_removal_forgets() {
        let mut p = Payloads::default();
        let mut ix = KeyIndex::default();
        let a1 = p.push(&record(2, "a", 1)).unwrap();
        ix.insert(&p, b"a", a1);
        let a2 = p.push(&record(2, "a", 2)).unwrap();
        ix.insert(&p, b"a", a2);
        assert_eq!(ix.get(&p, b"a"), Some(a2));
        assert_eq!(ix.len(), 1);
        assert_eq!(ix.get(&p, b"b"), None);
        ix.remove(&p, b"a");
        assert_eq!(ix.get(&p, b"a"), None);
        assert!(ix.is_empty());
    }

    #[test]
    fn keys_with_one_hash_are_kept_apart() {
        // Every key of one length has one hash here.
        let mut p = Payloads::default();
        let mut ix = KeyIndex {
            hash: |k| k.len() as u64,
            ..KeyIndex::default()
        };
        let a = p.push(&record(2, "a", 1)).unwrap();
        let b = p.push(&record(2, "b", 1)).unwrap();
        ix.insert(&p, b"b", b);
        ix.insert(&p, b"a", a);
        assert_eq!(ix.overflow, vec![a]);
        assert_eq!(ix.get(&p, b"a"), Some(a));
        let a2 = p.push(&record(2, "a", 2)).unwrap();
        ix.insert(&p, b"a", a2);
        assert_eq!(ix.get(&p, b"a"), Some(a2));
        assert_eq!(ix.len(), 2);
        // Removing the holder of the hash moves the other one in.
        ix.remove(&p, b"b");
        assert_eq!(ix.get(&p, b"a"), Some(a2));
        assert!(ix.overflow.is_empty());
        ix.remove(&p, b"a");
        assert_eq!(ix.get(&p, b"a"), None);
        assert_eq!(ix.len(), 0);
    }

    #[test]
    fn keys_read_as_postcard_wrote_them() {
        let long = "k".repeat(300);
        for (variant, key) in [(0, "a.ml"), (4, ""), (200, long.as_str())] {
            let bytes = record(variant, key, 7);
            assert_eq!(key_of(&bytes), Some((variant, key.as_bytes())));
            assert_eq!(
                postcard::take_from_bytes::<(u32, &str)>(&bytes).unwrap().0,
                (variant, key)
            );
        }
        assert_eq!(key_of(&[0x80]), None);
        assert_eq!(key_of(&[2, 5, b'a']), None);
        assert_eq!(key_of(&[2, 0x80, 0x80]), None);
    }

    #[test]
    fn base_and_added_slots_read_back() {
        let mut log = b"head".to_vec();
        log.extend_from_slice(&record(0, "x.ml", 9));
        let mut p = Payloads::new(LogBytes::Read(log));
        let x = p.base_slot(4, p.base().len() - 4).unwrap();
        assert_eq!(p.key(x), Some((0, &b"x.ml"[..])));
        let y = p.push(&record(4, "y.ml", 0)).unwrap();
        assert_eq!(p.key(y), Some((4, &b"y.ml"[..])));
        assert_eq!(p.key(x), Some((0, &b"x.ml"[..])));
        assert!(p.base_slot(4, 1000).is_none());
    }
}
