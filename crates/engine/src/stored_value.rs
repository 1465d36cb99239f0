//! A task's value as the persistent graph stores it: the digests of its
//! outputs and its rule-specific data in the rules' own encoding, with the
//! [`InputGroup`]s that data holds stored once by digest.
//!
//! The engine cannot read a rule's data (an `Arc<dyn Any>`), so the rules
//! encode it (`Rules::encode_data`) through a [`DataWriter`] and decode it
//! (`Rules::decode_data`) through a [`DataReader`]. A
//! group inside the data is written as its digest: groups are shared DAGs
//! (a module's interface closure holds its dependencies' closures), so the
//! graph keeps one table of them, and an encoding names each by content,
//! which makes two encodings of equal values equal bytes. The value's
//! *fingerprint* hashes exactly those bytes with the output digests: a
//! task whose fingerprint did not change is, to the tasks that asked for
//! it, the same value (early cutoff).

use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::action::InputGroup;
use crate::digest::{Digest, DigestBuilder};
use crate::mutex::lock;
use crate::target::Target;

/// A group as stored: its own files and its children by digest.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StoredGroup {
    /// The group's digest.
    pub digest: Digest,
    /// Its own files with their digests.
    pub files: Vec<(String, Digest)>,
    /// Its sub-groups' digests.
    pub children: Vec<Digest>,
}

/// Collects the groups a build's values hold, each once.
#[derive(Default)]
pub struct GroupCollector {
    groups: FxHashMap<Digest, StoredGroup>,
}

impl GroupCollector {
    /// Adds `group` and every group under it.
    pub fn add(&mut self, group: &InputGroup) {
        let mut stack = vec![group];
        while let Some(g) = stack.pop() {
            if self.groups.contains_key(&g.digest) {
                continue;
            }
            self.groups.insert(
                g.digest,
                StoredGroup {
                    digest: g.digest,
                    files: g
                        .files
                        .iter()
                        .map(|(t, d)| (t.as_str().to_string(), *d))
                        .collect(),
                    children: g.children.iter().map(|c| c.digest).collect(),
                },
            );
            stack.extend(g.children.iter().map(|c| &**c));
        }
    }

    /// Adds a stored group and the stored groups under it, found in `table`.
    pub fn add_stored(&mut self, digest: &Digest, table: &GroupTable) {
        let mut stack = vec![*digest];
        while let Some(d) = stack.pop() {
            if self.groups.contains_key(&d) {
                continue;
            }
            if let Some(g) = table.stored(&d) {
                stack.extend(g.children.iter().copied());
                self.groups.insert(d, g);
            }
        }
    }

    /// The collected groups, in no particular order.
    pub fn into_groups(self) -> Vec<StoredGroup> {
        self.groups.into_values().collect()
    }
}

/// What a rule's encoder writes through: groups go to the graph's table,
/// and the writer remembers which groups the value names.
pub struct DataWriter<'a> {
    collector: &'a mut GroupCollector,
    named: Vec<Digest>,
}

impl<'a> DataWriter<'a> {
    /// A writer into `collector`.
    pub(crate) fn new(collector: &'a mut GroupCollector) -> DataWriter<'a> {
        DataWriter {
            collector,
            named: Vec::new(),
        }
    }

    /// Stores `group` (once) and returns the digest that names it in the
    /// encoding.
    pub fn group(&mut self, group: &Arc<InputGroup>) -> Digest {
        self.collector.add(group);
        self.named.push(group.digest);
        group.digest
    }

    pub(crate) fn into_named(self) -> Vec<Digest> {
        self.named
    }
}

/// Where a [`GroupTable`] finds stored groups by digest (the previous
/// graph's file and patch: a trait, so that this file need not know them).
pub(crate) trait GroupSource: Send + Sync {
    /// The stored group of digest `digest`.
    fn stored(&self, digest: &Digest) -> Option<StoredGroup>;
}

/// The stored groups of a graph, decoded on demand (each once).
pub struct GroupTable {
    source: Box<dyn GroupSource>,
    decoded: Mutex<FxHashMap<Digest, Arc<InputGroup>>>,
}

impl GroupTable {
    /// A table of the groups `source` finds.
    pub(crate) fn over(source: Box<dyn GroupSource>) -> GroupTable {
        GroupTable {
            source,
            decoded: Mutex::new(FxHashMap::default()),
        }
    }

    /// The stored form of the group of digest `digest`.
    pub(crate) fn stored(&self, digest: &Digest) -> Option<StoredGroup> {
        self.source.stored(digest)
    }

    /// The group of digest `digest`, rebuilt from the table; `None` when
    /// it (or a group under it) is missing or does not hash to its digest.
    pub fn get(&self, digest: &Digest) -> Option<Arc<InputGroup>> {
        if let Some(g) = self.lock().get(digest) {
            return Some(g.clone());
        }
        let stored = self.stored(digest)?;
        let mut children = Vec::with_capacity(stored.children.len());
        for c in &stored.children {
            children.push(self.get(c)?);
        }
        let files = stored
            .files
            .iter()
            .map(|(p, d)| (Target::new(p), *d))
            .collect();
        let group = Arc::new(InputGroup::new(files, children));
        if group.digest != *digest {
            return None;
        }
        self.lock().insert(*digest, group.clone());
        Some(group)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FxHashMap<Digest, Arc<InputGroup>>> {
        lock(&self.decoded)
    }
}

/// What a rule's decoder reads groups through.
pub struct DataReader<'a> {
    table: &'a GroupTable,
}

impl<'a> DataReader<'a> {
    pub(crate) fn new(table: &'a GroupTable) -> DataReader<'a> {
        DataReader { table }
    }

    /// The group a [`DataWriter::group`] digest names.
    pub fn group(&self, digest: &Digest) -> Option<Arc<InputGroup>> {
        self.table.get(digest)
    }
}

/// A rule's data, encoded: the bytes and the groups they name.
pub(crate) struct EncodedData {
    pub bytes: Vec<u8>,
    pub groups: Vec<Digest>,
}

/// The fingerprint of a value: its outputs' digests and its encoded data.
pub(crate) fn fingerprint(outputs: &[(String, Digest)], data: Option<&[u8]>) -> Digest {
    let mut b = DigestBuilder::new("task-value");
    b.u64(outputs.len() as u64);
    for (t, d) in outputs {
        b.str(t).digest(d);
    }
    match data {
        Some(bytes) => {
            b.u64(1).bytes(bytes);
        }
        None => {
            b.u64(0);
        }
    }
    b.finish()
}
