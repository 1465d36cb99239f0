//! `BlobDigest`: the SHA-256 of a blob and its size, the name of
//! everything in a REAPI content-addressed store.
//!
//! REAPI servers (and the Bazel HTTP cache) address blobs by SHA-256; the
//! engine keeps BLAKE3 digests for its own traces. The two never mix: this
//! type is the only one that crosses the wire.

use std::fmt;
use std::io::Read;
use std::path::Path;

use bazel_remote_apis::build::bazel::remote::execution::v2 as re;
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};

/// A SHA-256 digest with the blob's size.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobDigest {
    /// The SHA-256 of the bytes.
    pub hash: [u8; 32],
    /// The number of bytes.
    pub size: u64,
}

impl BlobDigest {
    /// The digest of `bytes`.
    pub fn of_bytes(bytes: &[u8]) -> BlobDigest {
        BlobDigest {
            hash: Sha256::digest(bytes).into(),
            size: bytes.len() as u64,
        }
    }

    /// Reads and hashes a file.
    pub fn of_file(path: &Path) -> std::io::Result<BlobDigest> {
        let mut file = std::fs::File::open(path)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            hasher.update(&buf[..n]);
        }
        Ok(BlobDigest {
            hash: hasher.finalize().into(),
            size,
        })
    }

    /// The serialized form of a message and its digest.
    pub fn of_message(message: &impl prost::Message) -> (BlobDigest, Vec<u8>) {
        let bytes = message.encode_to_vec();
        (BlobDigest::of_bytes(&bytes), bytes)
    }

    /// The hash in lowercase hexadecimal.
    pub fn hex(&self) -> String {
        let mut s = String::with_capacity(64);
        for b in self.hash {
            s.push_str(&format!("{b:02x}"));
        }
        s
    }

    /// The REAPI message.
    pub fn to_proto(self) -> re::Digest {
        re::Digest {
            hash: self.hex(),
            size_bytes: self.size as i64,
        }
    }

    /// Reads a REAPI digest; `None` when it is not a SHA-256 digest.
    pub fn from_proto(d: &re::Digest) -> Option<BlobDigest> {
        if d.hash.len() != 64 || d.size_bytes < 0 {
            return None;
        }
        let mut hash = [0u8; 32];
        for (i, b) in hash.iter_mut().enumerate() {
            *b = u8::from_str_radix(d.hash.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(BlobDigest {
            hash,
            size: d.size_bytes as u64,
        })
    }

    /// Checks that `bytes` are the blob this digest names: a blob that
    /// comes back with another digest is refused.
    pub fn verify(&self, bytes: &[u8]) -> Result<()> {
        let got = BlobDigest::of_bytes(bytes);
        if got == *self {
            Ok(())
        } else {
            Err(Error::WrongDigest {
                expected: self.to_string(),
                got: got.to_string(),
            })
        }
    }
}

impl fmt::Display for BlobDigest {
    /// `hash/size`, as in ByteStream resource names.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.hex(), self.size)
    }
}

impl fmt::Debug for BlobDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", &self.hex()[..12], self.size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_like_sha256sum() {
        let d = BlobDigest::of_bytes(b"");
        assert_eq!(
            d.to_string(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/0"
        );
        let d = BlobDigest::of_bytes(b"abc");
        assert_eq!(
            d.hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(d.size, 3);
    }

    #[test]
    fn a_file_hashes_like_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let bytes = vec![7u8; 200_000];
        std::fs::write(&p, &bytes).unwrap();
        assert_eq!(
            BlobDigest::of_file(&p).unwrap(),
            BlobDigest::of_bytes(&bytes)
        );
    }

    #[test]
    fn round_trips_through_the_proto_form() {
        let d = BlobDigest::of_bytes(b"hello");
        assert_eq!(BlobDigest::from_proto(&d.to_proto()), Some(d));
        let bad = re::Digest {
            hash: "xyz".into(),
            size_bytes: 1,
        };
        assert_eq!(BlobDigest::from_proto(&bad), None);
    }

    #[test]
    fn refuses_a_blob_with_the_wrong_digest() {
        let d = BlobDigest::of_bytes(b"right");
        assert!(d.verify(b"right").is_ok());
        assert!(matches!(d.verify(b"wrong"), Err(Error::WrongDigest { .. })));
    }
}
