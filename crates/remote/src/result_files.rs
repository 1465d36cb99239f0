//! `ResultFiles`: the files of an `ActionResult` on their way between a
//! store and the build directory.
//!
//! Downloading takes only the files the action may write (its outputs and
//! side outputs; a result naming another path is not obeyed), checks every
//! blob against its digest, and writes each file under a temporary name
//! renamed over the old one, with the executable bit the result gives.
//! Standard output redirected to a file is written to that file; otherwise
//! it is shown, followed by standard error. Uploading makes the blobs and
//! the `ActionResult` of a successful local run.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use bazel_remote_apis::build::bazel::remote::execution::v2 as re;
use bazel_remote_apis::google::protobuf::Timestamp;
use engine::{Offered, Target};

use crate::blob_digest::BlobDigest;
use crate::error::{Error, Result};
use crate::remote_action::RemoteAction;
use crate::result_store::{Blob, BlobSource, ResultStore};

/// The files of a result, downloaded and checked, not yet written.
#[derive(Debug, Default)]
pub struct ResultFiles {
    files: Vec<(Target, Vec<u8>, bool)>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// How long the command ran, when the result says.
    pub duration: Option<Duration>,
}

impl ResultFiles {
    /// Downloads the files of `result` for `action`. With
    /// `require_outputs`, a result lacking a declared output gives `None`
    /// (a cache entry that cannot serve the action).
    pub async fn fetch(
        store: &dyn ResultStore,
        action: &RemoteAction,
        result: &re::ActionResult,
        require_outputs: bool,
    ) -> Result<Option<ResultFiles>> {
        let mut wanted: Vec<(Target, BlobDigest, bool, &[u8])> = Vec::new();
        for f in &result.output_files {
            if !action.may_write(&f.path) {
                continue;
            }
            let d = digest_of(f.digest.as_ref())?;
            wanted.push((Target::new(&f.path), d, f.is_executable, &f.contents));
        }
        if require_outputs
            && action
                .outputs
                .iter()
                .any(|o| !wanted.iter().any(|(t, ..)| t == o))
        {
            return Ok(None);
        }
        let mut digests: Vec<BlobDigest> = wanted
            .iter()
            .filter(|(.., inline)| inline.is_empty())
            .map(|(_, d, ..)| *d)
            .collect();
        let stdout_digest = stream_digest(&result.stdout_raw, result.stdout_digest.as_ref())?;
        let stderr_digest = stream_digest(&result.stderr_raw, result.stderr_digest.as_ref())?;
        digests.extend(stdout_digest);
        digests.extend(stderr_digest);
        digests.sort();
        digests.dedup();
        let mut blobs = store.download(digests).await?;
        let take = |d: &BlobDigest| -> Result<Vec<u8>> {
            blobs.get(d).cloned().ok_or_else(|| Error::MissingBlob {
                digest: d.to_string(),
            })
        };
        let mut files = Vec::with_capacity(wanted.len());
        for (t, d, executable, inline) in &wanted {
            let bytes = if inline.is_empty() {
                take(d)?
            } else {
                d.verify(inline)?;
                inline.to_vec()
            };
            files.push((t.clone(), bytes, *executable));
        }
        let stdout = match stdout_digest {
            Some(d) => take(&d)?,
            None => result.stdout_raw.clone(),
        };
        let stderr = match stderr_digest {
            Some(d) => take(&d)?,
            None => result.stderr_raw.clone(),
        };
        blobs.clear();
        let duration = result.execution_metadata.as_ref().and_then(|m| {
            let start = m.execution_start_timestamp.as_ref()?;
            let end = m.execution_completed_timestamp.as_ref()?;
            let ns = (end.seconds - start.seconds) as i128 * 1_000_000_000
                + (end.nanos - start.nanos) as i128;
            u64::try_from(ns).ok().map(Duration::from_nanos)
        });
        Ok(Some(ResultFiles {
            files,
            stdout,
            stderr,
            duration,
        }))
    }

    /// Writes the files into `build_dir` (and standard output to its file
    /// when redirected); returns what the command printed. On an error,
    /// the files already written are removed again.
    pub fn write(&self, build_dir: &Path, action: &RemoteAction) -> Result<String> {
        let mut written: Vec<PathBuf> = Vec::new();
        let mut all: Vec<(&Target, &[u8], bool)> = self
            .files
            .iter()
            .map(|(t, b, x)| (t, b.as_slice(), *x))
            .collect();
        if let Some(t) = &action.stdout_to {
            all.push((t, &self.stdout, false));
        }
        for (t, bytes, executable) in all {
            let path = build_dir.join(t.as_str());
            if let Err(e) = write_file(&path, bytes, executable) {
                for p in &written {
                    let _ = std::fs::remove_file(p);
                }
                return Err(Error::io(path, e));
            }
            written.push(path);
        }
        let mut shown = String::new();
        if action.stdout_to.is_none() {
            shown.push_str(&String::from_utf8_lossy(&self.stdout));
        }
        shown.push_str(&String::from_utf8_lossy(&self.stderr));
        Ok(shown)
    }
}

/// The digest of a standard stream that must be downloaded, if any.
fn stream_digest(raw: &[u8], digest: Option<&re::Digest>) -> Result<Option<BlobDigest>> {
    match digest {
        Some(d) if raw.is_empty() => {
            let d = digest_of(Some(d))?;
            Ok((d.size > 0).then_some(d))
        }
        _ => Ok(None),
    }
}

fn digest_of(d: Option<&re::Digest>) -> Result<BlobDigest> {
    d.and_then(BlobDigest::from_proto)
        .ok_or_else(|| Error::Decode {
            what: "ActionResult",
            message: "a file without a SHA-256 digest".into(),
        })
}

static TEMP_NAMES: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` through a temporary name in the same
/// directory, so that no reader ever sees a partial file.
fn write_file(path: &Path, bytes: &[u8], executable: bool) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let n = TEMP_NAMES.fetch_add(1, Ordering::Relaxed);
    let mut temp = path.as_os_str().to_owned();
    temp.push(format!(".caravan-remote.{}.{n}", std::process::id()));
    let temp = PathBuf::from(temp);
    let result = (|| {
        let mut f = std::fs::File::create(&temp)?;
        f.write_all(bytes)?;
        let mode = if executable { 0o755 } else { 0o644 };
        f.set_permissions(std::fs::Permissions::from_mode(mode))?;
        drop(f);
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// The result of a successful local run and the blobs it names.
pub fn offered_result(
    build_dir: &Path,
    action: &RemoteAction,
    offered: &Offered<'_>,
) -> Result<(re::ActionResult, Vec<Blob>)> {
    let mut blobs = Vec::new();
    let mut output_files = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (t, _) in offered.outputs.iter().chain(offered.side_outputs) {
        if !action.may_write(t.as_str()) || !seen.insert(t.clone()) {
            continue;
        }
        let path = build_dir.join(t.as_str());
        let digest = BlobDigest::of_file(&path).map_err(|e| Error::io(&path, e))?;
        let mode = std::fs::metadata(&path)
            .map_err(|e| Error::io(&path, e))?
            .permissions()
            .mode();
        output_files.push(re::OutputFile {
            path: t.as_str().to_string(),
            digest: Some(digest.to_proto()),
            is_executable: mode & 0o111 != 0,
            ..Default::default()
        });
        blobs.push(Blob {
            digest,
            source: BlobSource::File(path),
        });
    }
    output_files.sort_by(|a, b| a.path.cmp(&b.path));
    let (stdout, stderr) = match &action.stdout_to {
        Some(t) => {
            let path = build_dir.join(t.as_str());
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            (bytes, offered.output.as_bytes().to_vec())
        }
        None => (offered.output.as_bytes().to_vec(), Vec::new()),
    };
    let mut stream = |bytes: Vec<u8>| {
        if bytes.is_empty() {
            return None;
        }
        let d = BlobDigest::of_bytes(&bytes);
        blobs.push(Blob {
            digest: d,
            source: BlobSource::Bytes(bytes),
        });
        Some(d.to_proto())
    };
    let stdout_digest = stream(stdout);
    let stderr_digest = stream(stderr);
    let end = SystemTime::now();
    let start = end
        .checked_sub(Duration::from_millis(offered.duration_ms as u64))
        .unwrap_or(end);
    let result = re::ActionResult {
        output_files,
        exit_code: 0,
        stdout_digest,
        stderr_digest,
        execution_metadata: Some(re::ExecutedActionMetadata {
            worker: "caravan (local run)".into(),
            execution_start_timestamp: Some(timestamp(start)),
            execution_completed_timestamp: Some(timestamp(end)),
            ..Default::default()
        }),
        ..Default::default()
    };
    Ok((result, blobs))
}

fn timestamp(t: SystemTime) -> Timestamp {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    Timestamp {
        seconds: d.as_secs() as i64,
        nanos: d.subsec_nanos() as i32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_files_and_set_the_executable_bit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/x");
        write_file(&p, b"one", false).unwrap();
        write_file(&p, b"two", true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub")).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left");
    }
}
