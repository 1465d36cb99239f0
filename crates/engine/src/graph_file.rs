//! A graph file (`graph_record.rs` has the format) read in place: the
//! bytes are read and checked once, and every question is answered from
//! them, by index or binary search, decoding only the tasks and groups
//! asked for. Opening costs the read and the checksum, whatever the size
//! of the project.

use std::path::Path;

use crate::digest::{Digest, FileStat};
use crate::graph_record::{
    GROUP_LEN, GraphNode, HEADER_LEN, MAGIC, SECTIONS, STR_LEN, Section, TABLE_START, TARGET_LEN,
    WATCH_LEN, payload_of,
};
use crate::stored_value::StoredGroup;

/// A graph file, checked, with its section table.
pub(crate) struct GraphFile {
    bytes: Vec<u8>,
    n: u32,
    /// Each section's range in `bytes`.
    sections: [(usize, usize); SECTIONS],
    /// The CRC-32 of the payload.
    crc: u32,
}

/// One watch of the file: path, task, stat.
pub(crate) struct Watch<'a> {
    pub path: &'a str,
    pub node: u32,
    pub stat: FileStat,
}

impl GraphFile {
    /// The graph at `path` recorded under `key`; `None` when there is
    /// none, it is damaged, or it was recorded under another key.
    pub(crate) fn read(path: &Path, key: &Digest) -> Option<GraphFile> {
        let bytes = std::fs::read(path).ok()?;
        GraphFile::from_bytes(bytes, key)
    }

    fn from_bytes(bytes: Vec<u8>, key: &Digest) -> Option<GraphFile> {
        let (crc, payload) = payload_of(&bytes, MAGIC)?;
        if payload.len() < TABLE_START + SECTIONS * 8 || payload[..32] != key.0 {
            return None;
        }
        let n = read_u32(payload, 32)?;
        let mut sections = [(0, 0); SECTIONS];
        for (k, s) in sections.iter_mut().enumerate() {
            let start = read_u32(payload, TABLE_START + k * 8)? as usize;
            let len = read_u32(payload, TABLE_START + k * 8 + 4)? as usize;
            if start.checked_add(len)? > payload.len() {
                return None;
            }
            *s = (HEADER_LEN + start, HEADER_LEN + start + len);
        }
        let file = GraphFile {
            bytes,
            n,
            sections,
            crc,
        };
        file.is_consistent().then_some(file)
    }

    /// Whether every table has its size and points inside the file: then
    /// no question can reach outside it.
    fn is_consistent(&self) -> bool {
        let n = self.n as usize;
        let strings = self.section(Section::Strings).len();
        let str_ok = |b: &[u8], at: usize| {
            let (Some(off), Some(len)) = (read_u32(b, at), read_u32(b, at + 4)) else {
                return false;
            };
            (off as usize)
                .checked_add(len as usize)
                .is_some_and(|e| e <= strings)
        };
        let node_ok = |v: u32| (v as usize) < n;
        let monotonic = |s: Section, end: usize| {
            let v = self.u32s(s);
            v.len() == n + 1
                && v.first() == Some(0)
                && v.windows().all(|(a, b)| a <= b)
                && v.last().is_some_and(|l| l as usize == end)
        };
        let blobs = self.section(Section::Blobs).len();
        let keys = self.section(Section::Keys);
        let targets = self.section(Section::Targets);
        let watches = self.section(Section::Watches);
        let groups = self.section(Section::GroupIndex);
        let group_blobs = self.section(Section::GroupBlobs).len();
        let t = targets.len() / TARGET_LEN;
        monotonic(Section::NodeOffsets, blobs)
            && monotonic(Section::NeedStarts, self.u32s(Section::Needs).len())
            && monotonic(Section::AskerStarts, self.u32s(Section::Askers).len())
            && keys.len() == n * STR_LEN
            && (0..n).all(|i| str_ok(keys, i * STR_LEN))
            && self.u32s(Section::KeyOrder).len() == n
            && self.u32s(Section::KeyOrder).iter().all(node_ok)
            && targets.len().is_multiple_of(TARGET_LEN)
            && (0..t).all(|k| {
                str_ok(targets, k * TARGET_LEN)
                    && read_u32(targets, k * TARGET_LEN + 8).is_some_and(node_ok)
            })
            && self.u32s(Section::AskedAs).len() == n
            && self
                .u32s(Section::AskedAs)
                .iter()
                .all(|a| a == u32::MAX || (a as usize) < t)
            && self.u32s(Section::Needs).iter().all(node_ok)
            && self.u32s(Section::Askers).iter().all(node_ok)
            && self.u32s(Section::Heights).len() == n
            && self.u32s(Section::Always).iter().all(node_ok)
            && watches.len().is_multiple_of(WATCH_LEN)
            && (0..watches.len() / WATCH_LEN).all(|k| {
                str_ok(watches, k * WATCH_LEN)
                    && read_u32(watches, k * WATCH_LEN + 8).is_some_and(node_ok)
            })
            && groups.len().is_multiple_of(GROUP_LEN)
            && (0..groups.len() / GROUP_LEN).all(|k| {
                let at = k * GROUP_LEN + 32;
                match (read_u32(groups, at), read_u32(groups, at + 4)) {
                    (Some(o), Some(l)) => (o as usize + l as usize) <= group_blobs,
                    _ => false,
                }
            })
            && self
                .roots()
                .is_some_and(|r| r.iter().all(|(_, i)| node_ok(*i)))
    }

    /// The CRC-32 of the payload, which names this file to its patch.
    pub(crate) fn crc(&self) -> u32 {
        self.crc
    }

    /// How many tasks it has.
    pub(crate) fn len(&self) -> usize {
        self.n as usize
    }

    fn section(&self, s: Section) -> &[u8] {
        let (a, b) = self.sections[s as usize];
        self.bytes.get(a..b).unwrap_or(&[])
    }

    fn u32s(&self, s: Section) -> U32s<'_> {
        U32s(self.section(s))
    }

    fn str_at(&self, table: &[u8], at: usize) -> &str {
        std::str::from_utf8(self.bytes_at(table, at)).unwrap_or("")
    }

    /// The bytes of the string at `at` in `table`: what searches compare
    /// (byte order is `str` order), without checking UTF-8 at each step.
    fn bytes_at(&self, table: &[u8], at: usize) -> &[u8] {
        let strings = self.section(Section::Strings);
        let (Some(off), Some(len)) = (read_u32(table, at), read_u32(table, at + 4)) else {
            return &[];
        };
        strings
            .get(off as usize..off as usize + len as usize)
            .unwrap_or(&[])
    }

    /// The bytes of task `i`'s key.
    fn key_bytes(&self, i: u32) -> &[u8] {
        self.bytes_at(self.section(Section::Keys), i as usize * STR_LEN)
    }

    /// Task `i`, decoded; `None` when its blob does not decode or names a
    /// task that is not in the file.
    pub(crate) fn node(&self, i: u32) -> Option<GraphNode> {
        let offsets = self.u32s(Section::NodeOffsets);
        let (a, b) = (offsets.get(i as usize)?, offsets.get(i as usize + 1)?);
        let blob = self.section(Section::Blobs).get(a as usize..b as usize)?;
        let node: GraphNode = postcard::from_bytes(blob).ok()?;
        let in_range = node.needs.iter().flatten().all(|(_, j)| *j < self.n);
        in_range.then_some(node)
    }

    /// Task `i`'s key.
    pub(crate) fn key(&self, i: u32) -> &str {
        self.str_at(self.section(Section::Keys), i as usize * STR_LEN)
    }

    /// The task whose key is `key`.
    pub(crate) fn node_of_key(&self, key: &str) -> Option<u32> {
        let key = key.as_bytes();
        let order = self.u32s(Section::KeyOrder);
        let k = partition_point(order.len(), |k| {
            order.get(k).is_some_and(|i| self.key_bytes(i) < key)
        });
        order.get(k).filter(|i| self.key_bytes(*i) == key)
    }

    /// The task that answered `target`.
    pub(crate) fn node_of_target(&self, target: &str) -> Option<u32> {
        let target = target.as_bytes();
        let table = self.section(Section::Targets);
        let count = table.len() / TARGET_LEN;
        let k = partition_point(count, |k| self.bytes_at(table, k * TARGET_LEN) < target);
        (k < count && self.bytes_at(table, k * TARGET_LEN) == target)
            .then(|| read_u32(table, k * TARGET_LEN + 8))
            .flatten()
    }

    /// A target task `i` was asked for under.
    pub(crate) fn asked_as(&self, i: u32) -> Option<&str> {
        let k = self.u32s(Section::AskedAs).get(i as usize)?;
        (k != u32::MAX)
            .then(|| self.str_at(self.section(Section::Targets), k as usize * TARGET_LEN))
    }

    /// The tasks task `i` asked for.
    pub(crate) fn needs(&self, i: u32) -> impl Iterator<Item = u32> + '_ {
        self.list(Section::NeedStarts, Section::Needs, i)
    }

    /// The tasks that asked for task `i`.
    pub(crate) fn askers(&self, i: u32) -> impl Iterator<Item = u32> + '_ {
        self.list(Section::AskerStarts, Section::Askers, i)
    }

    fn list(&self, starts: Section, items: Section, i: u32) -> impl Iterator<Item = u32> + '_ {
        let starts = self.u32s(starts);
        let items = self.u32s(items);
        let a = starts.get(i as usize).unwrap_or(0) as usize;
        let b = starts.get(i as usize + 1).unwrap_or(0) as usize;
        (a..b.max(a)).filter_map(move |k| items.get(k))
    }

    /// Task `i`'s height: a task is higher than everything it asked for.
    pub(crate) fn height(&self, i: u32) -> u32 {
        self.u32s(Section::Heights).get(i as usize).unwrap_or(0)
    }

    /// The tasks that run whenever they are asked for.
    pub(crate) fn always(&self) -> impl Iterator<Item = u32> + '_ {
        self.u32s(Section::Always).iter()
    }

    /// The tasks that watch `path`.
    pub(crate) fn watchers<'a>(&'a self, path: &'a str) -> impl Iterator<Item = u32> + 'a {
        let table = self.section(Section::Watches);
        let count = table.len() / WATCH_LEN;
        let path = path.as_bytes();
        let first = partition_point(count, |k| self.bytes_at(table, k * WATCH_LEN) < path);
        (first..count)
            .take_while(move |k| self.bytes_at(table, k * WATCH_LEN) == path)
            .filter_map(move |k| read_u32(table, k * WATCH_LEN + 8))
    }

    /// Every watch, by path.
    pub(crate) fn watches(&self) -> impl Iterator<Item = Watch<'_>> + '_ {
        let table = self.section(Section::Watches);
        (0..table.len() / WATCH_LEN).map(move |k| {
            let at = k * WATCH_LEN;
            let u64_at = |o: usize| read_u64(table, at + o).unwrap_or(0);
            Watch {
                path: self.str_at(table, at),
                node: read_u32(table, at + 8).unwrap_or(0),
                stat: FileStat {
                    size: u64_at(12),
                    mtime_ns: u64_at(20) as i64,
                    ctime_ns: u64_at(28) as i64,
                    inode: u64_at(36),
                },
            }
        })
    }

    /// The targets the graph's build was asked for, with their tasks.
    pub(crate) fn roots(&self) -> Option<Vec<(String, u32)>> {
        postcard::from_bytes(self.section(Section::Roots)).ok()
    }

    /// The stored group of digest `digest`.
    pub(crate) fn group(&self, digest: &Digest) -> Option<StoredGroup> {
        let index = self.section(Section::GroupIndex);
        let count = index.len() / GROUP_LEN;
        let digest_at = |k: usize| index.get(k * GROUP_LEN..k * GROUP_LEN + 32);
        let k = partition_point(count, |k| digest_at(k).is_some_and(|d| d < &digest.0[..]));
        if digest_at(k)? != &digest.0[..] {
            return None;
        }
        let off = read_u32(index, k * GROUP_LEN + 32)? as usize;
        let len = read_u32(index, k * GROUP_LEN + 36)? as usize;
        let blob = self.section(Section::GroupBlobs).get(off..off + len)?;
        postcard::from_bytes(blob)
            .ok()
            .filter(|g: &StoredGroup| g.digest == *digest)
    }
}

/// A section of `u32`s.
#[derive(Clone, Copy)]
struct U32s<'a>(&'a [u8]);

impl<'a> U32s<'a> {
    fn len(&self) -> usize {
        self.0.len() / 4
    }

    fn get(&self, k: usize) -> Option<u32> {
        read_u32(self.0, k * 4)
    }

    fn first(&self) -> Option<u32> {
        self.get(0)
    }

    fn last(&self) -> Option<u32> {
        self.len().checked_sub(1).and_then(|k| self.get(k))
    }

    fn iter(self) -> impl Iterator<Item = u32> + 'a {
        self.0
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
    }

    fn windows(self) -> impl Iterator<Item = (u32, u32)> + 'a {
        self.iter().zip(self.iter().skip(1))
    }
}

fn read_u32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn read_u64(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(u64::from_le_bytes(a))
}

/// The first `k` in `0..count` for which `before(k)` is false, `before`
/// being true then false along the range.
fn partition_point(count: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, count);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
impl GraphFile {
    /// The file of `nodes`, under an empty key, with the last one as root.
    pub(crate) fn of_nodes(nodes: &[GraphNode]) -> GraphFile {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graph");
        let key = Digest::of_bytes(b"");
        let mut w = crate::graph_record::GraphWriter::create(&path, &key, nodes.len()).unwrap();
        for n in nodes {
            w.node(n).unwrap();
        }
        let last = nodes.len() as u32 - 1;
        w.finish(&path, &[("root".into(), last)], &[]).unwrap();
        GraphFile::read(&path, &key).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph_record::{GraphPatch, GraphWriter, patch_path, read_patch, write_patch};

    fn stat(n: u64) -> FileStat {
        FileStat {
            size: n,
            mtime_ns: -(n as i64),
            ctime_ns: n as i64 * 3,
            inode: n + 7,
        }
    }

    fn node(key: &str, needs: Vec<Vec<(String, u32)>>) -> GraphNode {
        GraphNode {
            key: key.into(),
            rule: String::new(),
            always_run: false,
            outputs: vec![(key.into(), Digest::of_bytes(key.as_bytes()))],
            data: None,
            groups: Vec::new(),
            fingerprint: Digest::of_bytes(b"f"),
            needs,
            watches: vec![(format!("/src/{key}"), stat(key.len() as u64))],
        }
    }

    /// `b` asking for `a` (as `a.x`), asked for as the root.
    fn a_then_b() -> Vec<GraphNode> {
        vec![node("a", vec![]), node("b", vec![vec![("a.x".into(), 0)]])]
    }

    fn write(path: &Path, key: &Digest, nodes: &[GraphNode], groups: &[StoredGroup]) {
        let mut w = GraphWriter::create(path, key, nodes.len()).unwrap();
        for n in nodes {
            w.node(n).unwrap();
        }
        let last = nodes.len() as u32 - 1;
        w.finish(path, &[("b.root".into(), last)], groups).unwrap();
    }

    #[test]
    fn a_written_graph_reads_back_under_its_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graph");
        let key = Digest::of_bytes(b"k");
        let group = StoredGroup {
            digest: Digest::of_bytes(b"g"),
            files: vec![("a.x".into(), Digest::of_bytes(b"a"))],
            children: Vec::new(),
        };
        write(&path, &key, &a_then_b(), std::slice::from_ref(&group));
        assert!(GraphFile::read(&path, &Digest::of_bytes(b"other")).is_none());
        let g = GraphFile::read(&path, &key).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(g.node(1), Some(a_then_b()[1].clone()));
        assert_eq!((g.key(0), g.key(1)), ("a", "b"));
        assert_eq!(g.node_of_key("b"), Some(1));
        assert_eq!(g.node_of_key("c"), None);
        assert_eq!(g.node_of_target("a.x"), Some(0));
        assert_eq!(g.node_of_target("b.root"), Some(1));
        assert_eq!(g.node_of_target("a"), None);
        assert_eq!(
            (g.asked_as(0), g.asked_as(1)),
            (Some("a.x"), Some("b.root"))
        );
        assert_eq!(g.needs(1).collect::<Vec<_>>(), [0]);
        assert_eq!(g.askers(0).collect::<Vec<_>>(), [1]);
        assert_eq!(g.askers(1).count(), 0);
        assert_eq!((g.height(0), g.height(1)), (0, 1));
        assert_eq!(g.watchers("/src/b").collect::<Vec<_>>(), [1]);
        assert_eq!(g.watchers("/src/c").count(), 0);
        let watches: Vec<(String, u32, FileStat)> = g
            .watches()
            .map(|w| (w.path.to_string(), w.node, w.stat))
            .collect();
        assert_eq!(
            watches,
            [("/src/a".into(), 0, stat(1)), ("/src/b".into(), 1, stat(1))]
        );
        assert_eq!(g.roots(), Some(vec![("b.root".to_string(), 1)]));
        assert_eq!(g.group(&group.digest), Some(group));
        assert_eq!(g.group(&Digest::of_bytes(b"h")), None);
    }

    #[test]
    fn a_patch_applies_to_its_base_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graph");
        let key = Digest::of_bytes(b"k");
        write(&path, &key, &a_then_b(), &[]);
        let base = GraphFile::read(&path, &key).unwrap().crc();
        let mut changed = node("a", vec![]);
        changed.fingerprint = Digest::of_bytes(b"new");
        let patch = GraphPatch {
            base,
            nodes: vec![(0, changed.clone())],
            groups: Vec::new(),
        };
        write_patch(&path, &patch).unwrap();
        let back = read_patch(&path, base).unwrap();
        assert_eq!(back.nodes, [(0, changed)]);
        assert!(read_patch(&path, base ^ 1).is_none());
        // A new base drops the patch.
        write(&path, &key, &a_then_b(), &[]);
        assert!(!patch_path(&path).exists());
    }

    #[test]
    fn a_corrupt_or_inconsistent_graph_is_no_graph() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graph");
        let key = Digest::of_bytes(b"k");
        write(&path, &key, &[node("b", vec![vec![("a".into(), 7)]])], &[]);
        assert!(
            GraphFile::read(&path, &key).is_none(),
            "an index out of range"
        );
        write(&path, &key, &a_then_b(), &[]);
        let good = std::fs::read(&path).unwrap();
        let mut bytes = good.clone();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        assert!(GraphFile::read(&path, &key).is_none(), "a flipped byte");
        std::fs::write(&path, &good[..good.len() / 2]).unwrap();
        assert!(GraphFile::read(&path, &key).is_none(), "a torn file");
        std::fs::write(&path, b"caravan-graph\n").unwrap();
        assert!(GraphFile::read(&path, &key).is_none(), "a torn header");
    }

    #[test]
    fn heights_rise_along_the_needs_and_a_cycle_does_not_hang() {
        let needs = |js: &[u32]| vec![js.iter().map(|j| (format!("t{j}"), *j)).collect()];
        // 0 <- 1 <- 2, 0 <- 2; 3 <-> 4 (a damaged graph)
        let nodes = vec![
            node("n0", vec![]),
            node("n1", needs(&[0])),
            node("n2", needs(&[1, 0])),
            node("n3", needs(&[4])),
            node("n4", needs(&[3])),
        ];
        let g = GraphFile::of_nodes(&nodes);
        assert_eq!((g.height(0), g.height(1), g.height(2)), (0, 1, 2));
        assert!(g.height(3) != g.height(4));
    }
}
