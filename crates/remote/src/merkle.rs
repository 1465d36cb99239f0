//! `InputTree`: the Merkle tree of `Directory` messages that is an
//! action's input root.
//!
//! REAPI names an action's inputs by the digest of a root `Directory`
//! message whose files and sub-directories are named by digest in turn.
//! The tree holds exactly the files it is given (an action's declared
//! inputs) and the directories it is asked to create (the parents of its
//! outputs). Names in each directory are sorted, as REAPI requires, so the
//! same inputs always give the same root digest.

use std::collections::BTreeMap;

use bazel_remote_apis::build::bazel::remote::execution::v2 as re;

use crate::blob_digest::BlobDigest;
use crate::error::{Error, Result};

/// A file of the input root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeFile {
    /// Its content's digest.
    pub digest: BlobDigest,
    /// Whether it has the executable bit.
    pub executable: bool,
}

/// The input root of an action: its digest and every `Directory` blob.
#[derive(Clone, Debug)]
pub struct InputTree {
    /// The digest of the root `Directory`.
    pub root: BlobDigest,
    /// Every directory of the tree, serialized, each once.
    pub directories: Vec<(BlobDigest, Vec<u8>)>,
}

#[derive(Default)]
struct Node {
    files: BTreeMap<String, TreeFile>,
    dirs: BTreeMap<String, Node>,
}

impl InputTree {
    /// The tree holding `files` (relative paths with `/`) and the
    /// directories `dirs` (which may be empty).
    pub fn build<'a>(
        files: impl IntoIterator<Item = (&'a str, TreeFile)>,
        dirs: impl IntoIterator<Item = &'a str>,
    ) -> Result<InputTree> {
        let mut root = Node::default();
        for (path, file) in files {
            let (parents, name) = split(path)?;
            let node = descend(&mut root, &parents, path)?;
            if node.dirs.contains_key(name) {
                return Err(conflict(path));
            }
            if let Some(old) = node.files.insert(name.to_string(), file)
                && old != file
            {
                return Err(Error::NotRemotable {
                    why: format!("input {path} is given twice with different contents"),
                });
            }
        }
        for dir in dirs {
            if dir.is_empty() {
                continue;
            }
            let (mut parents, name) = split(dir)?;
            parents.push(name);
            descend(&mut root, &parents, dir)?;
        }
        let mut directories = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let root = serialize(&root, &mut directories, &mut seen);
        Ok(InputTree { root, directories })
    }
}

/// The parent components and the last one of a relative path.
fn split(path: &str) -> Result<(Vec<&str>, &str)> {
    let mut parts: Vec<&str> = path.split('/').collect();
    if path.is_empty()
        || path.starts_with('/')
        || parts
            .iter()
            .any(|p| p.is_empty() || *p == "." || *p == "..")
    {
        return Err(Error::NotRemotable {
            why: format!("{path:?} is not a path inside the build directory"),
        });
    }
    let name = parts.pop().unwrap_or_default();
    Ok((parts, name))
}

fn descend<'n>(mut node: &'n mut Node, parents: &[&str], path: &str) -> Result<&'n mut Node> {
    for p in parents {
        if node.files.contains_key(*p) {
            return Err(conflict(path));
        }
        node = node.dirs.entry(p.to_string()).or_default();
    }
    Ok(node)
}

fn conflict(path: &str) -> Error {
    Error::NotRemotable {
        why: format!("{path} is both a file and a directory among the inputs"),
    }
}

fn serialize(
    node: &Node,
    out: &mut Vec<(BlobDigest, Vec<u8>)>,
    seen: &mut std::collections::HashSet<BlobDigest>,
) -> BlobDigest {
    let directories = node
        .dirs
        .iter()
        .map(|(name, child)| re::DirectoryNode {
            name: name.clone(),
            digest: Some(serialize(child, out, seen).to_proto()),
        })
        .collect();
    let files = node
        .files
        .iter()
        .map(|(name, f)| re::FileNode {
            name: name.clone(),
            digest: Some(f.digest.to_proto()),
            is_executable: f.executable,
            node_properties: None,
        })
        .collect();
    let dir = re::Directory {
        files,
        directories,
        symlinks: Vec::new(),
        node_properties: None,
    };
    let (digest, bytes) = BlobDigest::of_message(&dir);
    if seen.insert(digest) {
        out.push((digest, bytes));
    }
    digest
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;

    fn file(content: &[u8]) -> TreeFile {
        TreeFile {
            digest: BlobDigest::of_bytes(content),
            executable: false,
        }
    }

    fn directory(tree: &InputTree, d: BlobDigest) -> re::Directory {
        let (_, bytes) = tree.directories.iter().find(|(x, _)| *x == d).unwrap();
        re::Directory::decode(bytes.as_slice()).unwrap()
    }

    #[test]
    fn is_deterministic_and_sorted_whatever_the_order_given() {
        let a = InputTree::build(
            [
                ("src/b.ml", file(b"b")),
                ("a.ml", file(b"a")),
                ("src/a.ml", file(b"x")),
            ],
            ["out"],
        )
        .unwrap();
        let b = InputTree::build(
            [
                ("src/a.ml", file(b"x")),
                ("a.ml", file(b"a")),
                ("src/b.ml", file(b"b")),
            ],
            ["out"],
        )
        .unwrap();
        assert_eq!(a.root, b.root);
        let root = directory(&a, a.root);
        let names: Vec<&str> = root.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a.ml"]);
        let dirs: Vec<&str> = root.directories.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(dirs, ["out", "src"]);
        let src = directory(
            &a,
            BlobDigest::from_proto(root.directories[1].digest.as_ref().unwrap()).unwrap(),
        );
        let names: Vec<&str> = src.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a.ml", "b.ml"]);
    }

    #[test]
    fn an_empty_file_has_the_empty_digest_and_content_changes_the_root() {
        let empty = InputTree::build([("x.mli", file(b""))], []).unwrap();
        let root = directory(&empty, empty.root);
        assert_eq!(
            root.files[0].digest.as_ref().unwrap().hash,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let full = InputTree::build([("x.mli", file(b"val x : int"))], []).unwrap();
        assert_ne!(empty.root, full.root);
    }

    #[test]
    fn identical_directories_are_stored_once() {
        let t = InputTree::build([], ["a/out", "b/out"]).unwrap();
        // root, a (= b), out (empty): three distinct blobs.
        assert_eq!(t.directories.len(), 3);
    }

    #[test]
    fn refuses_paths_outside_the_build_dir_and_conflicts() {
        assert!(InputTree::build([("../x", file(b""))], []).is_err());
        assert!(InputTree::build([("/etc/passwd", file(b""))], []).is_err());
        assert!(InputTree::build([("a", file(b"")), ("a/b", file(b""))], []).is_err());
        assert!(InputTree::build([("a", file(b""))], ["a"]).is_err());
        assert!(InputTree::build([("a", file(b"1")), ("a", file(b"2"))], []).is_err());
        assert!(InputTree::build([("a", file(b"1")), ("a", file(b"1"))], []).is_ok());
    }
}
