//! Where a module the compiler did not find could be: in a sub-folder that
//! is not searched (then adding the folder fixes the build), or under a
//! close name among the project's modules (then it is a typo). The hint for
//! an `Unbound module` error says which, and nothing when neither holds.

use std::collections::BTreeSet;
use std::path::Path;

use ocaml::project::{DEFAULT_EXCLUDED, Project};

/// Extensions whose files define a module of their base name.
const MODULE_SOURCES: &[&str] = &["ml", "mli", "mll", "mly", "mlpack"];

/// How deep and how wide the walk for unsearched sub-folders goes: enough
/// for a project, bounded for a home folder built by mistake.
const MAX_DEPTH: usize = 8;
const MAX_DIRS: usize = 5_000;

/// The modules the compiler reported as unbound in `output`, in order,
/// each once (`Unbound module Foo`, `Unbound module "Foo"`, `Foo.Bar` gives
/// `Foo`).
pub(crate) fn unbound_modules(output: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, heading) in output.match_indices("Unbound module ") {
        let rest = output[at + heading.len()..].trim_start_matches('"');
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '\'')
            .collect();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The hint for the unbound module `name`, if the project explains it.
pub(crate) fn hint(project: &Project, name: &str) -> Option<String> {
    let searched = searched_dirs(project);
    let elsewhere = unsearched_homes(&project.root, &searched, name);
    if !elsewhere.is_empty() {
        let dirs: Vec<String> = elsewhere.iter().map(|d| format!("{d}/")).collect();
        let dir = &elsewhere[0];
        let all = if project.dirs.contains(dir) {
            "-search-all-dirs to search every traversed folder"
        } else {
            "-r -search-all-dirs to traverse and search every folder"
        };
        return Some(format!(
            "Hint: a module `{name}` is in {}, a folder that is not searched (as with \
             ocamlbuild, modules are looked up in include folders only): add `<{dir}>: include` \
             to _tags or pass -I {dir} (or {all}).",
            dirs.join(", ")
        ));
    }
    let known = searched_modules(project, &searched);
    closest(name, &known).map(|m| format!("Hint: did you mean `{m}`?"))
}

/// The folders modules are looked up in (`""` for the root).
fn searched_dirs(project: &Project) -> BTreeSet<String> {
    let mut dirs: BTreeSet<String> = project.include_dirs.iter().map(|d| norm(d)).collect();
    dirs.insert(String::new());
    if project.search_all_dirs {
        dirs.extend(project.dirs.iter().map(|d| norm(d)));
    }
    dirs
}

fn norm(dir: &str) -> String {
    let d = dir.trim_end_matches('/');
    if d == "." {
        String::new()
    } else {
        d.to_string()
    }
}

/// The name of the module a file defines, if it defines one.
fn module_of(file_name: &str) -> Option<String> {
    let (stem, ext) = file_name.rsplit_once('.')?;
    if !MODULE_SOURCES.contains(&ext) || stem.is_empty() || stem.contains('.') {
        return None;
    }
    let mut chars = stem.chars();
    let first = chars.next()?;
    first
        .is_ascii_alphabetic()
        .then(|| first.to_ascii_uppercase().to_string() + chars.as_str())
}

/// The modules of the searched folders, sorted.
fn searched_modules(project: &Project, searched: &BTreeSet<String>) -> BTreeSet<String> {
    project
        .files
        .iter()
        .filter_map(|f| {
            let (dir, base) = f.rsplit_once('/').unwrap_or(("", f));
            searched.contains(dir).then(|| module_of(base)).flatten()
        })
        .collect()
}

/// The sub-folders of `root`, not searched, that hold a source of `name`
/// (on disk: folders that are not traversed hold no file of the project).
fn unsearched_homes(root: &Path, searched: &BTreeSet<String>, name: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![(String::new(), 0usize)];
    let mut seen = 0;
    while let Some((dir, depth)) = stack.pop() {
        seen += 1;
        if seen > MAX_DIRS {
            break;
        }
        let Ok(entries) = std::fs::read_dir(root.join(&dir)) else {
            continue;
        };
        let mut subdirs = Vec::new();
        let mut here = false;
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let file_name = entry.file_name();
            let Some(file_name) = file_name.to_str() else {
                continue;
            };
            if kind.is_dir() {
                let skipped = file_name.starts_with('.')
                    || file_name.starts_with('_')
                    || DEFAULT_EXCLUDED.contains(&file_name);
                if !skipped && depth < MAX_DEPTH {
                    let path = if dir.is_empty() {
                        file_name.to_string()
                    } else {
                        format!("{dir}/{file_name}")
                    };
                    subdirs.push(path);
                }
            } else if kind.is_file() && module_of(file_name).as_deref() == Some(name) {
                here = true;
            }
        }
        if here && !searched.contains(&dir) {
            found.push(dir);
        }
        subdirs.sort();
        stack.extend(subdirs.into_iter().rev().map(|d| (d, depth + 1)));
    }
    found.sort();
    found
}

/// The known module closest to `name`, if it is close enough to be a typo
/// (an edit distance of at most a third of the name, at least one).
fn closest<'a>(name: &str, known: &'a BTreeSet<String>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    known
        .iter()
        .filter(|m| m.as_str() != name)
        .map(|m| (edit_distance(&name.to_lowercase(), &m.to_lowercase()), m))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, m)| m.as_str())
}

/// The Levenshtein distance between `a` and `b`, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(root: &Path, files: &[&str], include_dirs: &[&str]) -> Project {
        Project {
            root: root.to_path_buf(),
            looks_like_project: false,
            recursive: false,
            search_all_dirs: false,
            files: files.iter().map(|f| f.to_string()).collect(),
            dirs: vec![String::new()],
            include_dirs: include_dirs.iter().map(|d| d.to_string()).collect(),
            target_links: Vec::new(),
            contexts: Vec::new(),
        }
    }

    #[test]
    fn unbound_names_are_read_with_or_without_quotes() {
        let out = "Error: Unbound module Shapes\nError: Unbound module \"Util\"\n\
                   Unbound module Geo.Point\nUnbound module Shapes";
        assert_eq!(unbound_modules(out), ["Shapes", "Util", "Geo"]);
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("util", "utils"), 1);
        assert_eq!(edit_distance("uitl", "util"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn a_typo_is_matched_to_a_close_module_of_a_searched_folder() {
        let dir = tempfile::tempdir().unwrap();
        let p = project(dir.path(), &["util.ml", "main.ml", "far/utl.ml"], &[""]);
        assert_eq!(
            hint(&p, "Utl").as_deref(),
            Some("Hint: did you mean `Util`?")
        );
        assert_eq!(hint(&p, "Unrelated"), None);
    }

    #[test]
    fn a_module_in_a_sub_folder_not_searched_is_pointed_at() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("geometry")).unwrap();
        std::fs::write(dir.path().join("geometry/shapes.ml"), "").unwrap();
        std::fs::create_dir_all(dir.path().join("_build/geometry")).unwrap();
        std::fs::write(dir.path().join("_build/geometry/other.ml"), "").unwrap();
        let p = project(dir.path(), &["main.ml"], &[""]);
        let h = hint(&p, "Shapes").unwrap_or_default();
        assert!(
            h.starts_with("Hint: a module `Shapes` is in geometry/"),
            "{h}"
        );
        assert!(h.contains("-I geometry"), "{h}");
        assert_eq!(hint(&p, "Other"), None);
        let searched = project(dir.path(), &["main.ml"], &["", "geometry"]);
        assert_eq!(hint(&searched, "Shapes"), None);
    }
}
