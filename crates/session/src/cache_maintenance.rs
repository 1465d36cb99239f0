//! `-cache-stats` and `-cache-trim`: the local cache measured, or trimmed
//! to its limit, as text for the terminal.

use crate::error::Error;
use crate::sharing_request::SharingRequest;

/// What `-cache-stats` prints.
pub fn cache_stats(sharing: &SharingRequest) -> Result<String, Error> {
    let dir = folder(sharing)?;
    let stats = cache::trim::stats(&dir).map_err(|e| Error::System(format!("Error: {e}")))?;
    Ok(format!(
        "Local cache: {}\n  {} actions, {} files, {} (limit {})\n",
        dir.display(),
        stats.entries,
        stats.files,
        human_size(stats.bytes),
        human_size(sharing.cache_max_bytes())
    ))
}

/// Trims the local cache to its limit; what `-cache-trim` prints.
pub fn cache_trim(sharing: &SharingRequest) -> Result<String, Error> {
    let dir = folder(sharing)?;
    let limit = sharing.cache_max_bytes();
    let report =
        cache::trim::trim(&dir, limit).map_err(|e| Error::System(format!("Error: {e}")))?;
    Ok(format!(
        "Local cache: {}\n  removed {} actions and {} files: {} -> {} (limit {})\n",
        dir.display(),
        report.entries_removed,
        report.files_removed,
        human_size(report.bytes_before),
        human_size(report.bytes_after),
        human_size(limit)
    ))
}

fn folder(sharing: &SharingRequest) -> Result<std::path::PathBuf, Error> {
    if !sharing.local_cache {
        return Err(Error::System(
            "Error: the local cache is off (-no-cache).".to_string(),
        ));
    }
    sharing.cache_dir().ok_or_else(|| {
        Error::System(
            "Error: no folder for the local cache: set CARAVAN_CACHE_DIR or HOME, or give \
             -cache-dir."
                .to_string(),
        )
    })
}

/// A byte count as people read it: `512 B`, `3.2 MiB`, `5.0 GiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Reads a size as `-cache-size` takes it: bytes, or a number with `K`,
/// `M`, `G` or `T` (powers of 1024).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let (number, shift) = match t.char_indices().last()? {
        (i, 'K' | 'k') => (&t[..i], 10),
        (i, 'M' | 'm') => (&t[..i], 20),
        (i, 'G' | 'g') => (&t[..i], 30),
        (i, 'T' | 't') => (&t[..i], 40),
        _ => (t, 0),
    };
    let n: f64 = number.trim().parse().ok()?;
    if !(n.is_finite() && n >= 0.0) {
        return None;
    }
    Some((n * (1u64 << shift) as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_and_print() {
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("2K"), Some(2048));
        assert_eq!(parse_size("1.5G"), Some(3 << 29));
        assert_eq!(parse_size("x"), None);
        assert_eq!(parse_size("-1M"), None);
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(5 << 30), "5.0 GiB");
    }
}
