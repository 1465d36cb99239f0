//! Content digests and the file metadata that decides when to recompute them.
//!
//! A [`Digest`] is the BLAKE3 hash of a file's bytes (or of any value the
//! engine hashes). A [`FileStat`] is the part of `stat(2)` that changes when a
//! file is written: if a file's `FileStat` equals the one recorded with its
//! digest, the digest is reused without reading the file. This is what keeps a
//! null build to a few `stat` calls.

use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use serde::{Deserialize, Serialize};

static FILES_HASHED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many files this process has read to hash them (for tests and
/// `CARAVAN_STATS`: a null build must hash none).
pub fn files_hashed() -> u64 {
    FILES_HASHED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Counts one file hashed by a path other than [`Digest::of_file`].
pub(crate) fn count_file_hashed() {
    FILES_HASHED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// A 32-byte BLAKE3 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// The digest of a byte string.
    pub fn of_bytes(bytes: &[u8]) -> Digest {
        Digest(*blake3::hash(bytes).as_bytes())
    }

    /// Reads and hashes a file.
    pub fn of_file(path: &Path) -> io::Result<Digest> {
        count_file_hashed();
        let mut file = fs::File::open(path)?;
        let mut hasher = blake3::Hasher::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(Digest(*hasher.finalize().as_bytes()))
    }

    /// The digest as lowercase hexadecimal.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push_str(&format!("{b:02x}"));
        }
        s
    }

    /// Parses [`Digest::to_hex`]'s form.
    pub fn from_hex(hex: &str) -> Option<Digest> {
        if hex.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Digest(out))
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", &self.to_hex()[..12])
    }
}

/// Hashes a sequence of fields into a [`Digest`]; every field is
/// length-prefixed so that no two different sequences collide by
/// concatenation. Fields are buffered and hashed in one pass, which is much
/// faster than many small hash updates.
pub struct DigestBuilder(Vec<u8>);

impl DigestBuilder {
    /// Starts a digest, tagged with a domain string.
    pub fn new(domain: &str) -> DigestBuilder {
        let mut b = DigestBuilder(Vec::with_capacity(512));
        b.str(domain);
        b
    }

    /// Adds a string field.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// Adds a byte-string field.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(&(b.len() as u64).to_le_bytes());
        self.0.extend_from_slice(b);
        self
    }

    /// Adds a digest field.
    pub fn digest(&mut self, d: &Digest) -> &mut Self {
        self.0.extend_from_slice(&d.0);
        self
    }

    /// Adds an integer field.
    pub fn u64(&mut self, n: u64) -> &mut Self {
        self.0.extend_from_slice(&n.to_le_bytes());
        self
    }

    /// The final digest.
    pub fn finish(&self) -> Digest {
        Digest::of_bytes(&self.0)
    }
}

/// The metadata that identifies one version of a file on disk: size,
/// modification and change times (nanoseconds) and inode.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct FileStat {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Status change time, nanoseconds since the epoch.
    pub ctime_ns: i64,
    /// Inode number.
    pub inode: u64,
}

impl FileStat {
    /// The stat of a path (following symlinks); `Ok(None)` when it does not exist
    /// or is not a regular file.
    pub fn of_path(path: &Path) -> io::Result<Option<FileStat>> {
        match fs::metadata(path) {
            Ok(m) if m.is_file() => Ok(Some(FileStat::of_metadata(&m))),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The stat of already-fetched metadata.
    pub fn of_metadata(m: &fs::Metadata) -> FileStat {
        FileStat {
            size: m.size(),
            mtime_ns: m.mtime() * 1_000_000_000 + m.mtime_nsec(),
            ctime_ns: m.ctime() * 1_000_000_000 + m.ctime_nsec(),
            inode: m.ino(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_fields_do_not_collide_by_concatenation() {
        let a = DigestBuilder::new("t").str("ab").str("c").finish();
        let b = DigestBuilder::new("t").str("a").str("bc").finish();
        assert_ne!(a, b);
    }

    #[test]
    fn file_digest_equals_bytes_digest() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        fs::write(&p, b"hello").unwrap();
        assert_eq!(Digest::of_file(&p).unwrap(), Digest::of_bytes(b"hello"));
    }

    #[test]
    fn hex_round_trips() {
        let d = Digest::of_bytes(b"x");
        assert_eq!(Digest::from_hex(&d.to_hex()), Some(d));
        assert_eq!(Digest::from_hex("zz"), None);
    }

    #[test]
    fn stat_of_missing_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(FileStat::of_path(&dir.path().join("nope")).unwrap(), None);
        assert_eq!(FileStat::of_path(dir.path()).unwrap(), None);
    }
}
