//! The entry of one action: which files it made, with their digests, what
//! it printed and how long it ran.
//!
//! The format is text, one record per line, so that an entry can be read
//! with `cat`:
//!
//! ```text
//! caravan-cache-entry 1
//! duration <milliseconds>
//! output <blake3 hex> <x or -> <size> <path>     (one per declared output, in order)
//! side <blake3 hex> <x or -> <size> <path>       (one per side output written)
//! printed <byte count>
//! <what the command printed, exactly that many bytes>
//! ```

use std::path::Path;

use engine::{Digest, Target};

use crate::error::CacheError;

const MAGIC: &str = "caravan-cache-entry 1";

/// One file an entry holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EntryFile {
    pub(crate) path: Target,
    pub(crate) digest: Digest,
    pub(crate) executable: bool,
    pub(crate) size: u64,
}

/// An action's result.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Entry {
    pub(crate) duration_ms: u32,
    pub(crate) outputs: Vec<EntryFile>,
    pub(crate) side_outputs: Vec<EntryFile>,
    pub(crate) printed: String,
}

impl Entry {
    /// The entry's text.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut s = format!("{MAGIC}\nduration {}\n", self.duration_ms);
        for (kind, files) in [("output", &self.outputs), ("side", &self.side_outputs)] {
            for f in files {
                s.push_str(&format!(
                    "{kind} {} {} {} {}\n",
                    f.digest.to_hex(),
                    if f.executable { "x" } else { "-" },
                    f.size,
                    f.path
                ));
            }
        }
        s.push_str(&format!("printed {}\n", self.printed.len()));
        s.push_str(&self.printed);
        s.into_bytes()
    }

    /// Reads an entry's text; `path` names it in errors.
    pub(crate) fn decode(path: &Path, bytes: &[u8]) -> Result<Entry, CacheError> {
        let bad = |why: &str| CacheError::BadEntry {
            path: path.to_path_buf(),
            why: why.to_string(),
        };
        let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8"))?;
        let mut rest = text
            .strip_prefix(MAGIC)
            .and_then(|r| r.strip_prefix('\n'))
            .ok_or_else(|| bad("no header"))?;
        let mut entry = Entry::default();
        loop {
            let (line, after) = rest.split_once('\n').ok_or_else(|| bad("truncated"))?;
            rest = after;
            let (word, args) = line
                .split_once(' ')
                .ok_or_else(|| bad("a line without a value"))?;
            match word {
                "duration" => {
                    entry.duration_ms = args.parse().map_err(|_| bad("bad duration"))?;
                }
                "output" | "side" => {
                    let file = decode_file(args).ok_or_else(|| bad("bad file line"))?;
                    if word == "output" {
                        entry.outputs.push(file);
                    } else {
                        entry.side_outputs.push(file);
                    }
                }
                "printed" => {
                    let n: usize = args.parse().map_err(|_| bad("bad printed size"))?;
                    if rest.len() != n {
                        return Err(bad("printed text of the wrong size"));
                    }
                    entry.printed = rest.to_string();
                    return Ok(entry);
                }
                _ => return Err(bad("unknown line")),
            }
        }
    }

    /// Every file of the entry, outputs first.
    pub(crate) fn files(&self) -> impl Iterator<Item = &EntryFile> {
        self.outputs.iter().chain(&self.side_outputs)
    }
}

fn decode_file(args: &str) -> Option<EntryFile> {
    let mut parts = args.splitn(4, ' ');
    let digest = Digest::from_hex(parts.next()?)?;
    let executable = match parts.next()? {
        "x" => true,
        "-" => false,
        _ => return None,
    };
    let size = parts.next()?.parse().ok()?;
    let path = parts.next()?;
    if path.is_empty() {
        return None;
    }
    Some(EntryFile {
        path: Target::new(path),
        digest,
        executable,
        size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Entry {
        Entry {
            duration_ms: 42,
            outputs: vec![EntryFile {
                path: Target::new("src/a b.cmo"),
                digest: Digest::of_bytes(b"cmo"),
                executable: false,
                size: 3,
            }],
            side_outputs: vec![EntryFile {
                path: Target::new("main.native"),
                digest: Digest::of_bytes(b"exe"),
                executable: true,
                size: 3,
            }],
            printed: "File \"a.ml\", line 1:\nWarning 26\n".into(),
        }
    }

    #[test]
    fn an_entry_reads_back_as_written() {
        let e = sample();
        let back = Entry::decode(Path::new("e"), &e.encode()).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn a_truncated_entry_is_refused() {
        let bytes = sample().encode();
        for cut in [5, 30, bytes.len() - 1] {
            assert!(
                Entry::decode(Path::new("e"), &bytes[..cut]).is_err(),
                "{cut}"
            );
        }
    }
}
