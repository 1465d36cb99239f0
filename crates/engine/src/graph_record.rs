//! The persistent build graph (`_build/.caravan/graph`): what the last
//! successful build discovered, so that the next one starts from the files
//! that changed instead of walking every task (see `prior_graph.rs`). This
//! file holds the format and its writer; `graph_file.rs` reads it in place.
//!
//! For each task it keeps the task's key and rule, the targets it asked
//! for (batch by batch, in the order it asked, each with the task that
//! answered), its value (output digests and the rules' encoding of its
//! data, see `stored_value.rs`) with the value's fingerprint, and the files
//! whose change makes the task run again (*watches*, with their stats: a
//! source's file, an action's outputs, the outputs of a trace the task
//! probed). The targets the build was asked for come with their tasks.
//!
//! The file is laid out to be used where it lies: a build that recompiles
//! one file must not decode twenty thousand tasks to find the few it
//! touches. Each task is a separate postcard blob, decoded when the build
//! asks for that task; beside the blobs, fixed-size tables answer the
//! questions every build asks of all tasks (who watches this file, who
//! asked for this task, which task answered this target) by index or
//! binary search.
//!
//! Format (little-endian; `u32` unless said; a *string* is a `u32` offset
//! and a `u32` length into the strings section):
//!
//! ```text
//! header:   b"caravan-graph\n\0\0", u32 format version, u32 CRC-32 of the payload
//! payload:  key (32 bytes), n (tasks),
//!           17 sections as (start, length) in bytes from the payload's start,
//!           then the sections:
//!   node offsets   n+1 offsets into the blobs
//!   blobs          each task's postcard-encoded GraphNode
//!   keys           n strings: task i's key
//!   key order      n task indices, sorted by key
//!   targets        (string, task) per target asked for, sorted by string
//!   asked as       n indices into targets (u32::MAX: none): a target task i was asked under
//!   need starts    n+1 offsets into needs
//!   needs          the tasks each task asked for, each once
//!   asker starts   n+1 offsets into askers
//!   askers         the tasks that asked for each task
//!   heights        n: 0 for a task that asked for none, else 1 + its needs' highest
//!   always         the tasks that run whenever they are asked for
//!   watches        (string, task, size u64, mtime i64, ctime i64, inode u64), sorted by path
//!   roots          postcard Vec<(String, u32)>: the targets built and their tasks
//!   group index    (digest 32 bytes, offset, length into group blobs), sorted by digest
//!   group blobs    each postcard-encoded StoredGroup
//!   strings        UTF-8 bytes
//! ```
//!
//! The file is replaced whole, by rename, after each successful build, so
//! a reader sees the old graph or the new one, never a torn one; a wrong
//! magic, version, checksum or key, or a table that points outside the
//! file, means "no graph" and the build walks every task as if there were
//! none.
//!
//! A build that kept every task of the graph with the same needs and added
//! none (an edit that changed no dependency) writes only a patch beside
//! it, `graph.patch`: the same header with the magic
//! `b"caravan-gpatch\n\0"`, then a postcard-encoded [`GraphPatch`], the
//! nodes that differ from the base file (by index) with the groups their
//! data names, tied to the base by its payload's CRC. Since the needs are
//! the same, the base's tables stay true. Each patch replaces the previous
//! one whole (it carries the earlier patched nodes too); a patch whose
//! base is not the file beside it is ignored, and writing a new base
//! removes it.

use std::borrow::Cow;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::digest::{Digest, FileStat};
use crate::error::{Error, Result};
use crate::store::AtomicFile;
use crate::stored_value::StoredGroup;

pub(crate) const MAGIC: &[u8; 16] = b"caravan-graph\n\0\0";
const PATCH_MAGIC: &[u8; 16] = b"caravan-gpatch\n\0";
/// The version of the encoding; bump on any change to the layout or to
/// [`GraphNode`].
pub const GRAPH_FORMAT_VERSION: u32 = 2;
/// The header's length: magic, version, CRC.
pub(crate) const HEADER_LEN: usize = 24;

/// The payload's sections, in the order of the section table.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Section {
    NodeOffsets,
    Blobs,
    Keys,
    KeyOrder,
    Targets,
    AskedAs,
    NeedStarts,
    Needs,
    AskerStarts,
    Askers,
    Heights,
    Always,
    Watches,
    Roots,
    GroupIndex,
    GroupBlobs,
    Strings,
}

/// How many sections the table lists.
pub(crate) const SECTIONS: usize = 17;
/// The bytes of a string reference.
pub(crate) const STR_LEN: usize = 8;
/// The bytes of a target entry: string, task.
pub(crate) const TARGET_LEN: usize = 12;
/// The bytes of a watch entry: string, task, stat.
pub(crate) const WATCH_LEN: usize = 44;
/// The bytes of a group index entry: digest, offset, length.
pub(crate) const GROUP_LEN: usize = 40;
/// Where the section table starts in the payload: after the key and n.
pub(crate) const TABLE_START: usize = 36;

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
    /// The groups its data names (stored in the graph's group table).
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

/// The patch file beside the graph at `path`.
pub fn patch_path(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".patch");
    name.into()
}

/// The payload of a file with `magic`'s header, and its CRC.
pub(crate) fn payload_of<'a>(bytes: &'a [u8], magic: &[u8; 16]) -> Option<(u32, &'a [u8])> {
    if bytes.len() < HEADER_LEN || &bytes[..16] != magic {
        return None;
    }
    let version = u32::from_le_bytes(bytes[16..20].try_into().ok()?);
    let crc = u32::from_le_bytes(bytes[20..24].try_into().ok()?);
    let payload = &bytes[HEADER_LEN..];
    if version != GRAPH_FORMAT_VERSION || crc32fast::hash(payload) != crc {
        return None;
    }
    Some((crc, payload))
}

/// The patch beside the graph at `path` if it applies to the base of CRC
/// `base`.
pub(crate) fn read_patch(path: &Path, base: u32) -> Option<GraphPatch> {
    let bytes = std::fs::read(patch_path(path)).ok()?;
    let (_, payload) = payload_of(&bytes, PATCH_MAGIC)?;
    let patch: GraphPatch = postcard::from_bytes(payload).ok()?;
    (patch.base == base).then_some(patch)
}

/// Writes `patch` beside the graph at `path`, replacing the previous patch.
pub fn write_patch(path: &Path, patch: &GraphPatch) -> Result<()> {
    let payload = postcard::to_stdvec(patch).map_err(encoding_error)?;
    let mut bytes = header(PATCH_MAGIC, crc32fast::hash(&payload)).to_vec();
    bytes.extend_from_slice(&payload);
    crate::store::write_atomic(&patch_path(path), &bytes, 0).map(|_| ())
}

/// Removes the graph (the next build walks every task).
pub fn remove(path: &Path) -> Result<()> {
    crate::store::remove_file_if_exists(path)?;
    crate::store::remove_file_if_exists(&patch_path(path))
}

/// A file's header: magic, version, the payload's CRC.
fn header(magic: &[u8; 16], crc: u32) -> [u8; HEADER_LEN] {
    let mut h = [0; HEADER_LEN];
    h[..16].copy_from_slice(magic);
    h[16..20].copy_from_slice(&GRAPH_FORMAT_VERSION.to_le_bytes());
    h[20..].copy_from_slice(&crc.to_le_bytes());
    h
}

fn encoding_error(e: postcard::Error) -> Error {
    Error::internal(format!("cannot encode the build graph: {e}"))
}

/// A string of the strings section.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct StrRef {
    off: u32,
    len: u32,
}

/// The strings section as it is written, each string once.
#[derive(Default)]
struct Strings {
    bytes: Vec<u8>,
    known: FxHashMap<Box<str>, StrRef>,
}

impl Strings {
    fn intern(&mut self, s: &str) -> Result<StrRef> {
        if let Some(r) = self.known.get(s) {
            return Ok(*r);
        }
        let r = StrRef {
            off: to_u32(self.bytes.len())?,
            len: to_u32(s.len())?,
        };
        self.bytes.extend_from_slice(s.as_bytes());
        self.known.insert(s.into(), r);
        Ok(r)
    }

    fn get(&self, r: StrRef) -> &[u8] {
        let start = r.off as usize;
        self.bytes.get(start..start + r.len as usize).unwrap_or(&[])
    }
}

fn to_u32(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::internal("the build graph outgrows its 4 GiB format"))
}

/// Writes a graph node by node: each node's blob goes to the file as it
/// comes (the blobs are the section right after the section table), the
/// tables are laid out at the end, and the section table and header are
/// written last, so that the graph is never held whole in memory.
pub struct GraphWriter {
    key: Digest,
    n: usize,
    /// Taken at `finish`.
    file: Option<AtomicFile>,
    /// The CRC-32 of the blobs written so far.
    blobs_crc: crc32fast::Hasher,
    scratch: Vec<u8>,
    node_offsets: Vec<u32>,
    keys: Vec<StrRef>,
    needs: Vec<Vec<u32>>,
    always: Vec<u32>,
    targets: FxHashMap<StrRef, u32>,
    asked_as: Vec<Option<StrRef>>,
    watches: Vec<(StrRef, u32, FileStat)>,
    strings: Strings,
}

/// Where the blobs start in the file.
const BLOBS_START: usize = HEADER_LEN + TABLE_START + SECTIONS * 8;

impl GraphWriter {
    /// Starts writing the graph at `path`, under `key`, which will have
    /// `nodes` nodes; the file replaces the previous one at
    /// [`GraphWriter::finish`] only.
    pub fn create(path: &Path, key: &Digest, nodes: usize) -> Result<GraphWriter> {
        let mut file = AtomicFile::create(path, 0)?;
        file.out()
            .write_all(&[0; BLOBS_START])
            .map_err(|e| Error::io(path, e))?;
        Ok(GraphWriter {
            key: *key,
            n: nodes,
            file: Some(file),
            blobs_crc: crc32fast::Hasher::new(),
            scratch: Vec::new(),
            node_offsets: vec![0],
            keys: Vec::with_capacity(nodes),
            needs: Vec::with_capacity(nodes),
            always: Vec::new(),
            targets: FxHashMap::default(),
            asked_as: vec![None; nodes],
            watches: Vec::new(),
            strings: Strings::default(),
        })
    }

    /// Adds the next node.
    pub fn node(&mut self, node: &GraphNode) -> Result<()> {
        let i = self.keys.len();
        if i >= self.n {
            return Err(Error::internal("more graph nodes than announced"));
        }
        let i = to_u32(i)?;
        self.scratch.clear();
        self.scratch =
            postcard::to_extend(node, std::mem::take(&mut self.scratch)).map_err(encoding_error)?;
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| Error::internal("graph node after the end"))?;
        let dest = file.dest().to_path_buf();
        file.out()
            .write_all(&self.scratch)
            .map_err(|e| Error::io(&dest, e))?;
        self.blobs_crc.update(&self.scratch);
        let end = self.node_offsets.last().copied().unwrap_or(0) as usize + self.scratch.len();
        self.node_offsets.push(to_u32(end)?);
        let key = self.strings.intern(&node.key)?;
        self.keys.push(key);
        let mut needs = Vec::new();
        for (t, j) in node.needs.iter().flatten() {
            let t = self.strings.intern(t)?;
            self.targets.entry(t).or_insert(*j);
            if let Some(slot @ None) = self.asked_as.get_mut(*j as usize) {
                *slot = Some(t);
            }
            needs.push(*j);
        }
        needs.sort_unstable();
        needs.dedup();
        self.needs.push(needs);
        if node.always_run {
            self.always.push(i);
        }
        for (p, s) in &node.watches {
            let p = self.strings.intern(p)?;
            self.watches.push((p, i, *s));
        }
        Ok(())
    }

    /// Ends with the roots and the groups: writes the tables, then the
    /// section table and the header, and puts the file in place (dropping
    /// the patch of the previous base).
    pub fn finish(
        mut self,
        path: &Path,
        roots: &[(String, u32)],
        groups: &[StoredGroup],
    ) -> Result<()> {
        self.add_roots(roots)?;
        let mut file = self
            .file
            .take()
            .ok_or_else(|| Error::internal("graph finished twice"))?;
        let io = |e| Error::io(path, e);
        let blobs_len = self.node_offsets.last().copied().unwrap_or(0) as usize;
        let tables = self.tables(roots, groups)?;
        // Where each section lies: the blobs first, then the tables.
        let mut at = BLOBS_START - HEADER_LEN + blobs_len;
        let mut placed = Vec::with_capacity(SECTIONS);
        let mut rest_crc = crc32fast::Hasher::new();
        for (k, t) in tables.iter().enumerate() {
            if k == Section::Blobs as usize {
                placed.push((BLOBS_START - HEADER_LEN, blobs_len));
                continue;
            }
            placed.push((at, t.len()));
            at += t.len();
            rest_crc.update(t);
            file.out().write_all(t).map_err(io)?;
        }
        let mut head = Vec::with_capacity(TABLE_START + SECTIONS * 8);
        head.extend_from_slice(&self.key.0);
        head.extend_from_slice(&to_u32(self.n)?.to_le_bytes());
        for (start, len) in placed {
            head.extend_from_slice(&to_u32(start)?.to_le_bytes());
            head.extend_from_slice(&to_u32(len)?.to_le_bytes());
        }
        let mut crc = crc32fast::Hasher::new();
        crc.update(&head);
        crc.combine(&self.blobs_crc);
        crc.combine(&rest_crc);
        let out = file.out();
        out.seek(SeekFrom::Start(0)).map_err(io)?;
        out.write_all(&header(MAGIC, crc.finalize())).map_err(io)?;
        out.write_all(&head).map_err(io)?;
        file.commit()?;
        crate::store::remove_file_if_exists(&patch_path(path))
    }

    /// Checks the count and adds the targets the build was asked for.
    fn add_roots(&mut self, roots: &[(String, u32)]) -> Result<()> {
        if self.keys.len() != self.n {
            return Err(Error::internal("fewer graph nodes than announced"));
        }
        for (t, j) in roots {
            let t = self.strings.intern(t)?;
            self.targets.entry(t).or_insert(*j);
            if let Some(slot @ None) = self.asked_as.get_mut(*j as usize) {
                *slot = Some(t);
            }
        }
        Ok(())
    }

    /// The sections in the table's order, the blobs (already written)
    /// as an empty one: the tables laid out, the strings borrowed.
    fn tables(
        &self,
        roots: &[(String, u32)],
        groups: &[StoredGroup],
    ) -> Result<Vec<Cow<'_, [u8]>>> {
        let mut sections: Vec<Cow<'_, [u8]>> = Vec::with_capacity(SECTIONS);
        sections.push(u32s(&self.node_offsets).into());
        sections.push(Cow::Borrowed(&[]));
        let mut keys = Vec::with_capacity(self.keys.len() * STR_LEN);
        for k in &self.keys {
            put_str(&mut keys, *k);
        }
        sections.push(keys.into());
        let mut order: Vec<u32> = (0..to_u32(self.n)?).collect();
        order.sort_unstable_by(|a, b| {
            let key = |i: &u32| self.strings.get(self.keys[*i as usize]);
            key(a).cmp(key(b))
        });
        sections.push(u32s(&order).into());
        let mut targets: Vec<(StrRef, u32)> = self.targets.iter().map(|(t, j)| (*t, *j)).collect();
        targets.sort_unstable_by(|a, b| self.strings.get(a.0).cmp(self.strings.get(b.0)));
        let slot_of: FxHashMap<StrRef, u32> = targets
            .iter()
            .enumerate()
            .map(|(k, (t, _))| (*t, k as u32))
            .collect();
        let mut entries = Vec::with_capacity(targets.len() * TARGET_LEN);
        for (t, j) in &targets {
            put_str(&mut entries, *t);
            entries.extend_from_slice(&j.to_le_bytes());
        }
        sections.push(entries.into());
        let asked_as: Vec<u32> = self
            .asked_as
            .iter()
            .map(|a| a.and_then(|t| slot_of.get(&t).copied()).unwrap_or(u32::MAX))
            .collect();
        sections.push(u32s(&asked_as).into());
        let (starts, flat) = csr(&self.needs)?;
        sections.push(u32s(&starts).into());
        sections.push(u32s(&flat).into());
        let (starts, flat) = csr(&askers(&self.needs))?;
        sections.push(u32s(&starts).into());
        sections.push(u32s(&flat).into());
        sections.push(u32s(&heights(&self.needs)).into());
        sections.push(u32s(&self.always).into());
        sections.push(self.watch_entries().into());
        sections.push(postcard::to_stdvec(&roots).map_err(encoding_error)?.into());
        let (index, blobs) = group_sections(groups)?;
        sections.push(index.into());
        sections.push(blobs.into());
        sections.push(Cow::Borrowed(&self.strings.bytes));
        debug_assert_eq!(sections.len(), SECTIONS);
        Ok(sections)
    }

    /// The watches section: every watch, sorted by path.
    fn watch_entries(&self) -> Vec<u8> {
        let mut watches = self.watches.clone();
        watches.sort_unstable_by(|a, b| {
            (self.strings.get(a.0), a.1).cmp(&(self.strings.get(b.0), b.1))
        });
        let mut entries = Vec::with_capacity(watches.len() * WATCH_LEN);
        for (p, i, s) in &watches {
            put_str(&mut entries, *p);
            entries.extend_from_slice(&i.to_le_bytes());
            entries.extend_from_slice(&s.size.to_le_bytes());
            entries.extend_from_slice(&s.mtime_ns.to_le_bytes());
            entries.extend_from_slice(&s.ctime_ns.to_le_bytes());
            entries.extend_from_slice(&s.inode.to_le_bytes());
        }
        entries
    }
}

/// The group index and group blobs sections: each group once, by digest.
fn group_sections(groups: &[StoredGroup]) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut sorted: Vec<&StoredGroup> = groups.iter().collect();
    sorted.sort_unstable_by_key(|g| g.digest);
    sorted.dedup_by_key(|g| g.digest);
    let mut index = Vec::with_capacity(sorted.len() * GROUP_LEN);
    let mut blobs = Vec::new();
    for g in sorted {
        let start = to_u32(blobs.len())?;
        blobs = postcard::to_extend(g, blobs).map_err(encoding_error)?;
        index.extend_from_slice(&g.digest.0);
        index.extend_from_slice(&start.to_le_bytes());
        index.extend_from_slice(&(to_u32(blobs.len())? - start).to_le_bytes());
    }
    Ok((index, blobs))
}

fn put_str(out: &mut Vec<u8>, r: StrRef) {
    out.extend_from_slice(&r.off.to_le_bytes());
    out.extend_from_slice(&r.len.to_le_bytes());
}

fn u32s(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Lists as offsets (one more than lists) and their items end to end.
fn csr(lists: &[Vec<u32>]) -> Result<(Vec<u32>, Vec<u32>)> {
    let mut starts = Vec::with_capacity(lists.len() + 1);
    let mut flat = Vec::new();
    starts.push(0);
    for l in lists {
        flat.extend_from_slice(l);
        starts.push(to_u32(flat.len())?);
    }
    Ok((starts, flat))
}

/// For each task, the tasks that asked for it (needs out of range, which
/// make the file unreadable anyway, are left out).
fn askers(needs: &[Vec<u32>]) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); needs.len()];
    for (i, n) in needs.iter().enumerate() {
        for j in n {
            if let Some(a) = out.get_mut(*j as usize) {
                a.push(i as u32);
            }
        }
    }
    out
}

/// Each task's height: 0 without needs, else one more than its highest
/// need. A cycle (which a build never records) is cut where it closes.
fn heights(needs: &[Vec<u32>]) -> Vec<u32> {
    const NEW: u32 = u32::MAX;
    const OPEN: u32 = u32::MAX - 1;
    let mut h = vec![NEW; needs.len()];
    for root in 0..needs.len() {
        if h[root] != NEW {
            continue;
        }
        // (task, next need to look at)
        let mut stack = vec![(root, 0usize)];
        h[root] = OPEN;
        while let Some(&(i, k)) = stack.last() {
            match needs[i].get(k) {
                Some(&j) => {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    if h.get(j as usize) == Some(&NEW) {
                        h[j as usize] = OPEN;
                        stack.push((j as usize, 0));
                    }
                }
                None => {
                    h[i] = needs[i]
                        .iter()
                        .filter_map(|j| h.get(*j as usize))
                        .filter(|v| **v < OPEN)
                        .map(|v| v + 1)
                        .max()
                        .unwrap_or(0);
                    stack.pop();
                }
            }
        }
    }
    h
}
