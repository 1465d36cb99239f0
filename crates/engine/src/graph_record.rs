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

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::digest::{Digest, FileStat};
use crate::error::Result;
use crate::stored_value::StoredGroup;

const MAGIC: &[u8; 16] = b"caravan-graph\n\0\0";
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
#[derive(Clone, Debug, Serialize, Deserialize)]
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

/// Reads the graph at `path`; `None` when there is none, it is unreadable,
/// or it was recorded under another key.
pub fn read(path: &Path, key: &Digest) -> Option<GraphRecord> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() < 24 || &bytes[..16] != MAGIC {
        return None;
    }
    let version = u32::from_le_bytes(bytes[16..20].try_into().ok()?);
    let crc = u32::from_le_bytes(bytes[20..24].try_into().ok()?);
    let payload = &bytes[24..];
    if version != GRAPH_FORMAT_VERSION || crc32fast::hash(payload) != crc {
        return None;
    }
    let record: GraphRecord = postcard::from_bytes(payload).ok()?;
    let in_range = |i: u32| (i as usize) < record.nodes.len();
    let consistent = record.key == *key
        && record.roots.iter().all(|(_, i)| in_range(*i))
        && record
            .nodes
            .iter()
            .all(|n| n.needs.iter().flatten().all(|(_, i)| in_range(*i)));
    consistent.then_some(record)
}

/// Writes `record` to `path`, replacing the file whole.
pub fn write(path: &Path, record: &GraphRecord) -> Result<()> {
    let payload = postcard::to_stdvec(record)
        .map_err(|e| crate::Error::internal(format!("cannot encode the build graph: {e}")))?;
    let mut bytes = Vec::with_capacity(24 + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&GRAPH_FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);
    crate::store::write_atomic(path, &bytes, 0).map(|_| ())
}

/// Removes the graph (the next build walks every task).
pub fn remove(path: &Path) -> Result<()> {
    crate::store::remove_file_if_exists(path)
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

    #[test]
    fn a_written_graph_reads_back_under_its_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graph");
        let key = Digest::of_bytes(b"k");
        let record = GraphRecord {
            key,
            nodes: vec![node("a", vec![]), node("b", vec![vec![("a".into(), 0)]])],
            roots: vec![("b".into(), 1)],
            groups: Vec::new(),
        };
        write(&path, &record).unwrap();
        let back = read(&path, &key).unwrap();
        assert_eq!(back.nodes.len(), 2);
        assert_eq!(back.nodes[1].needs, vec![vec![("a".to_string(), 0)]]);
        assert!(read(&path, &Digest::of_bytes(b"other")).is_none());
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
