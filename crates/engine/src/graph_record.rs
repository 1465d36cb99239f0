//! The persistent build graph (`_build/.caravan/graph`): what the last
//! successful build discovered, so that the next one starts from the files
//! that changed instead of walking every task (see `prior_graph.rs`).
//!
//! For each task it keeps the task's key and rule, the targets it asked
//! for (batch by batch, in the order it asked, each with the task that
//! answered), its value (output digests and the rules' encoding of its
//! data, see `stored_value.rs`) with the value's fingerprint, and the files
//! whose change makes the task run again (*watches*, with their stats: a
//! source's file, an action's outputs, the outputs of a trace the task
//! probed). The targets the build was asked for come with their tasks.
//!
//! Format (little-endian): the 16 bytes `b"caravan-graph\n\0\0"`, a `u32`
//! format version, a `u32` CRC-32 of the payload, then the payload, a
//! postcard-encoded [`GraphRecord`]. The file is replaced whole, by rename,
//! after each successful build, so a reader sees the old graph or the new
//! one, never a torn one; a wrong magic, version, checksum or key means
//! "no graph" and the build walks every task as if there were none.
//!
//! A build that kept every task of the graph and added none (an edit that
//! changed no dependency) writes only a patch beside it, `graph.patch`:
//! the same header with the magic `b"caravan-gpatch\n\0"`, then a
//! postcard-encoded [`GraphPatch`], the nodes that differ from the base
//! file (by index) with the groups their data names, tied to the base by
//! its payload's CRC. Each patch replaces the previous one whole (it
//! carries the earlier patched nodes too); a patch whose base is not the
//! file beside it is ignored, and writing a new base removes it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::digest::{Digest, FileStat};
use crate::error::Result;
use crate::stored_value::StoredGroup;

const MAGIC: &[u8; 16] = b"caravan-graph\n\0\0";
const PATCH_MAGIC: &[u8; 16] = b"caravan-gpatch\n\0";
/// The version of the encoding; bump on any change to [`GraphRecord`].
pub const GRAPH_FORMAT_VERSION: u32 = 1;

/// Where a build keeps its graph, and the key it is valid under.
#[derive(Clone, Debug)]
pub struct GraphConfig {
    /// The graph's file.
    pub path: std::path::PathBuf,
    /// The key of the build's configuration.
    pub key: Digest,
    /// The watched files already known to have changed (absolute paths),
    /// when the caller statted them all (the null-build record watches
    /// the same files); `None`: the engine stats the graph's watches.
    pub changed: Option<Vec<std::path::PathBuf>>,
}

/// One task of the graph.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct GraphNode {
    /// The task's key (its primary target).
    pub key: String,
    /// The rule it applied (`Task::rule_id`).
    pub rule: String,
    /// Never taken from the graph: the task runs whenever it is asked for
    /// (its rule said so, or its data could not be encoded).
    pub always_run: bool,
    /// Its outputs with their digests.
    pub outputs: Vec<(String, Digest)>,
    /// The rules' encoding of its data, if it had data.
    pub data: Option<Vec<u8>>,
    /// The groups its data names (stored in [`GraphRecord::groups`]).
    pub groups: Vec<Digest>,
    /// The fingerprint of its value (outputs and data).
    pub fingerprint: Digest,
    /// What it asked for, batch by batch: each target with the index of
    /// the node that produced it.
    pub needs: Vec<Vec<(String, u32)>>,
    /// The files whose change makes it run again (absolute paths), with
    /// their stats after the build.
    pub watches: Vec<(String, FileStat)>,
}

/// The graph of one successful build.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GraphRecord {
    /// The key of the configuration it was built under (command line,
    /// toolchain, list of sources, …): another key, another graph.
    pub key: Digest,
    /// The tasks.
    pub nodes: Vec<GraphNode>,
    /// The targets the build was asked for, with their nodes.
    pub roots: Vec<(String, u32)>,
    /// The input groups the nodes' data names, each once.
    pub groups: Vec<StoredGroup>,
}

/// The nodes of a graph that differ from its base file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GraphPatch {
    /// The CRC-32 of the base file's payload.
    pub base: u32,
    /// Each changed node, by its index in the base.
    pub nodes: Vec<(u32, GraphNode)>,
    /// The groups the changed nodes' data names.
    pub groups: Vec<StoredGroup>,
}

/// A graph as read: the record (its patch applied), the CRC that names
/// its base file, and the nodes the patch replaced.
pub struct ReadGraph {
    /// The graph.
    pub record: GraphRecord,
    /// The CRC-32 of the base file's payload.
    pub base: u32,
    /// The indices of the nodes the patch replaced.
    pub patched: Vec<u32>,
}

/// The patch file beside the graph at `path`.
pub fn patch_path(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".patch");
    name.into()
}

/// The payload of a file with `magic`'s header, and its CRC.
fn payload_of<'a>(bytes: &'a [u8], magic: &[u8; 16]) -> Option<(u32, &'a [u8])> {
    if bytes.len() < 24 || &bytes[..16] != magic {
        return None;
    }
    let version = u32::from_le_bytes(bytes[16..20].try_into().ok()?);
    let crc = u32::from_le_bytes(bytes[20..24].try_into().ok()?);
    let payload = &bytes[24..];
    if version != GRAPH_FORMAT_VERSION || crc32fast::hash(payload) != crc {
        return None;
    }
    Some((crc, payload))
}

/// Reads the graph at `path`, with its patch; `None` when there is none,
/// it is unreadable, or it was recorded under another key.
pub fn read(path: &Path, key: &Digest) -> Option<ReadGraph> {
    let bytes = std::fs::read(path).ok()?;
    let (base, payload) = payload_of(&bytes, MAGIC)?;
    let mut record: GraphRecord = postcard::from_bytes(payload).ok()?;
    let mut patched = Vec::new();
    if let Ok(bytes) = std::fs::read(patch_path(path))
        && let Some((_, payload)) = payload_of(&bytes, PATCH_MAGIC)
        && let Ok(patch) = postcard::from_bytes::<GraphPatch>(payload)
        && patch.base == base
        && patch
            .nodes
            .iter()
            .all(|(i, _)| (*i as usize) < record.nodes.len())
    {
        for (i, node) in patch.nodes {
            record.nodes[i as usize] = node;
            patched.push(i);
        }
        record.groups.extend(patch.groups);
    }
    let in_range = |i: u32| (i as usize) < record.nodes.len();
    let consistent = record.key == *key
        && record.roots.iter().all(|(_, i)| in_range(*i))
        && record
            .nodes
            .iter()
            .all(|n| n.needs.iter().flatten().all(|(_, i)| in_range(*i)));
    consistent.then_some(ReadGraph {
        record,
        base,
        patched,
    })
}

/// Writes `record` to `path` whole, as serde encodes it: the reference
/// [`GraphEncoder`] must match (builds write through the encoder).
#[cfg(test)]
fn write(path: &Path, record: &GraphRecord) -> Result<()> {
    write_file(path, MAGIC, record)?;
    crate::store::remove_file_if_exists(&patch_path(path))
}

/// Writes `patch` beside the graph at `path`, replacing the previous patch.
pub fn write_patch(path: &Path, patch: &GraphPatch) -> Result<()> {
    write_file(&patch_path(path), PATCH_MAGIC, patch)
}

/// Writes a graph node by node, so that the whole graph is never held as
/// nodes: the same bytes as the serde encoding of the [`GraphRecord`]
/// they make, which [`read`] decodes.
pub struct GraphEncoder {
    /// The header's room, then the payload so far.
    bytes: Vec<u8>,
}

impl GraphEncoder {
    /// A graph under `key` that will have `nodes` nodes.
    pub fn new(key: &Digest, nodes: usize) -> Result<GraphEncoder> {
        let mut e = GraphEncoder { bytes: vec![0; 24] };
        e.push(key)?;
        // A sequence's length is written as a varint, as a `usize` is.
        e.push(&nodes)?;
        Ok(e)
    }

    /// Adds the next node.
    pub fn node(&mut self, node: &GraphNode) -> Result<()> {
        self.push(node)
    }

    /// Ends with the roots and the groups, and writes the file (dropping
    /// the patch of the previous base).
    pub fn finish(
        mut self,
        path: &Path,
        roots: &[(String, u32)],
        groups: &[StoredGroup],
    ) -> Result<()> {
        self.push(&roots)?;
        self.push(&groups)?;
        let crc = crc32fast::hash(&self.bytes[24..]);
        self.bytes[..16].copy_from_slice(MAGIC);
        self.bytes[16..20].copy_from_slice(&GRAPH_FORMAT_VERSION.to_le_bytes());
        self.bytes[20..24].copy_from_slice(&crc.to_le_bytes());
        crate::store::write_atomic(path, &self.bytes, 0)?;
        crate::store::remove_file_if_exists(&patch_path(path))
    }

    fn push(&mut self, value: &impl Serialize) -> Result<()> {
        let bytes = std::mem::take(&mut self.bytes);
        self.bytes = postcard::to_extend(value, bytes)
            .map_err(|e| crate::Error::internal(format!("cannot encode the build graph: {e}")))?;
        Ok(())
    }
}

fn write_file(path: &Path, magic: &[u8; 16], value: &impl Serialize) -> Result<()> {
    let payload = postcard::to_stdvec(value)
        .map_err(|e| crate::Error::internal(format!("cannot encode the build graph: {e}")))?;
    let mut bytes = Vec::with_capacity(24 + payload.len());
    bytes.extend_from_slice(magic);
    bytes.extend_from_slice(&GRAPH_FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);
    crate::store::write_atomic(path, &bytes, 0).map(|_| ())
}

/// Removes the graph (the next build walks every task).
pub fn remove(path: &Path) -> Result<()> {
    crate::store::remove_file_if_exists(path)?;
    crate::store::remove_file_if_exists(&patch_path(path))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            watches: Vec::new(),
        }
    }

    /// `b` asking for `a`, asked for as the root.
    fn a_then_b(key: Digest) -> GraphRecord {
        GraphRecord {
            key,
            nodes: vec![node("a", vec![]), node("b", vec![vec![("a".into(), 0)]])],
            roots: vec![("b".into(), 1)],
            groups: Vec::new(),
        }
    }

    #[test]
    fn a_written_graph_reads_back_under_its_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graph");
        let key = Digest::of_bytes(b"k");
        let record = a_then_b(key);
        write(&path, &record).unwrap();
        let back = read(&path, &key).unwrap();
        assert_eq!(back.record.nodes.len(), 2);
        assert_eq!(back.record.nodes[1].needs, vec![vec![("a".to_string(), 0)]]);
        assert!(back.patched.is_empty());
        assert!(read(&path, &Digest::of_bytes(b"other")).is_none());
    }

    #[test]
    fn a_graph_written_node_by_node_is_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let (whole, streamed) = (dir.path().join("whole"), dir.path().join("streamed"));
        let key = Digest::of_bytes(b"k");
        let record = a_then_b(key);
        write(&whole, &record).unwrap();
        let mut e = GraphEncoder::new(&key, record.nodes.len()).unwrap();
        for n in &record.nodes {
            e.node(n).unwrap();
        }
        e.finish(&streamed, &record.roots, &record.groups).unwrap();
        assert_eq!(
            std::fs::read(&whole).unwrap(),
            std::fs::read(&streamed).unwrap()
        );
        assert_eq!(read(&streamed, &key).unwrap().record.nodes, record.nodes);
    }

    #[test]
    fn a_patch_applies_to_its_base_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graph");
        let key = Digest::of_bytes(b"k");
        let record = a_then_b(key);
        write(&path, &record).unwrap();
        let base = read(&path, &key).unwrap().base;
        let mut changed = node("a", vec![]);
        changed.fingerprint = Digest::of_bytes(b"new");
        let patch = GraphPatch {
            base,
            nodes: vec![(0, changed.clone())],
            groups: Vec::new(),
        };
        write_patch(&path, &patch).unwrap();
        let back = read(&path, &key).unwrap();
        assert_eq!(back.record.nodes[0], changed);
        assert_eq!(back.patched, [0]);
        // A new base drops the patch; a patch of another base is ignored.
        write(&path, &record).unwrap();
        assert!(!patch_path(&path).exists());
        write_patch(
            &path,
            &GraphPatch {
                base: base ^ 1,
                ..patch
            },
        )
        .unwrap();
        assert_eq!(read(&path, &key).unwrap().record.nodes[0], record.nodes[0]);
    }

    #[test]
    fn a_corrupt_or_inconsistent_graph_is_no_graph() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graph");
        let key = Digest::of_bytes(b"k");
        let record = GraphRecord {
            key,
            nodes: vec![node("b", vec![vec![("a".into(), 7)]])],
            roots: vec![("b".into(), 0)],
            groups: Vec::new(),
        };
        write(&path, &record).unwrap();
        assert!(read(&path, &key).is_none(), "an index out of range");
        let good = GraphRecord {
            key,
            nodes: vec![node("a", vec![])],
            roots: vec![("a".into(), 0)],
            groups: Vec::new(),
        };
        write(&path, &good).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        assert!(read(&path, &key).is_none(), "a flipped byte");
        std::fs::write(&path, b"caravan-graph\n").unwrap();
        assert!(read(&path, &key).is_none(), "a torn file");
    }
}
