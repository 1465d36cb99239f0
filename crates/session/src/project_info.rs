//! What the installation says about the project: its name (the `.install`
//! file's and the manifest's), its version and its one-line description,
//! read from the files users already keep.
//!
//! - name: the stem of the only `*.opam` file at the root, else the root
//!   folder's name;
//! - version: the `version:` field of that opam file (or of a file named
//!   `opam`), else the first line of a `VERSION` file, else `dev`;
//! - synopsis: the opam file's `synopsis:` field, if any.

use std::path::Path;

/// The project's name, version and synopsis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectInfo {
    /// The name.
    pub name: String,
    /// The version (`dev` when the project says none).
    pub version: String,
    /// The opam file's synopsis.
    pub synopsis: Option<String>,
}

impl ProjectInfo {
    /// Reads what the root holds; unreadable files count as absent.
    pub fn read(root: &Path) -> ProjectInfo {
        let mut opam_files: Vec<String> = std::fs::read_dir(root)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| n.ends_with(".opam") && n.len() > ".opam".len())
                    .collect()
            })
            .unwrap_or_default();
        opam_files.sort();
        let opam = match opam_files.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        };
        let name = match &opam {
            Some(f) => f.trim_end_matches(".opam").to_string(),
            None => root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "project".to_string()),
        };
        let opam_text = opam
            .or_else(|| root.join("opam").is_file().then(|| "opam".to_string()))
            .and_then(|f| std::fs::read_to_string(root.join(f)).ok())
            .unwrap_or_default();
        let version = opam_field(&opam_text, "version")
            .or_else(|| {
                std::fs::read_to_string(root.join("VERSION"))
                    .ok()
                    .and_then(|t| t.lines().next().map(|l| l.trim().to_string()))
                    .filter(|v| !v.is_empty())
            })
            .unwrap_or_else(|| "dev".to_string());
        ProjectInfo {
            name,
            version,
            synopsis: opam_field(&opam_text, "synopsis"),
        }
    }
}

/// The string value of a top-level field of an opam file (`field: "value"`).
fn opam_field(text: &str, field: &str) -> Option<String> {
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(field) else {
            continue;
        };
        let Some(value) = rest.trim_start().strip_prefix(':') else {
            continue;
        };
        let value = value.trim();
        let inner = value.strip_prefix('"')?;
        let end = inner.find('"')?;
        return Some(inner[..end].to_string()).filter(|v| !v.is_empty());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_version_and_synopsis_come_from_the_opam_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("mylib.opam"),
            "opam-version: \"2.0\"\nversion: \"1.2.3\"\nsynopsis: \"Counting things\"\n",
        )
        .unwrap();
        let info = ProjectInfo::read(dir.path());
        assert_eq!(info.name, "mylib");
        assert_eq!(info.version, "1.2.3");
        assert_eq!(info.synopsis.as_deref(), Some("Counting things"));
    }

    #[test]
    fn without_opam_file_the_folder_names_and_version_is_dev_or_version_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("proj");
        std::fs::create_dir(&root).unwrap();
        assert_eq!(
            ProjectInfo::read(&root),
            ProjectInfo {
                name: "proj".into(),
                version: "dev".into(),
                synopsis: None
            }
        );
        std::fs::write(root.join("VERSION"), "0.9\n").unwrap();
        assert_eq!(ProjectInfo::read(&root).version, "0.9");
    }
}
