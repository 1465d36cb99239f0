//! The project tree: which directories are traversed and which files are
//! sources, following ocamlbuild's rules.
//!
//! The root's files are always sources. Subdirectories are traversed when
//! the tree is a *project* (a `_tags` or `myocamlbuild.ml` at the root, or
//! `-r`), when they are include directories (`-I`), or when they lead to one
//! or to a target's directory. Excluded names (`-X`, and by default `.svn`,
//! `CVS`, `.bzr`, `.hg`, `.git`, `_darcs`, `_opam`, `node_modules`) and the
//! build directory are never entered. `_tags` files can also switch
//! traversal on or off and mark include directories; they reach this module
//! through [`DirectoryTags`].

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The directories excluded by default, matched on basenames at any depth.
pub const DEFAULT_EXCLUDED: &[&str] = &[
    ".svn",
    "CVS",
    ".bzr",
    ".hg",
    ".git",
    "_darcs",
    "_opam",
    "node_modules",
];

/// What the `_tags` files say about a directory.
pub trait DirectoryTags {
    /// `Some(true)` when tagged `traverse` or `include`, `Some(false)` when
    /// tagged `-traverse`, `None` when the tags are silent.
    fn traverse(&self, dir: &str) -> Option<bool>;
    /// Whether the directory is tagged `include`.
    fn include(&self, dir: &str) -> bool;
    /// Called when a directory is entered, with the text of its `_tags` if it
    /// has one, so that later questions take it into account.
    fn enter(&mut self, dir: &str, tags_file: Option<&[u8]>) -> Result<()>;
}

/// No `_tags` knowledge.
pub struct NoTags;

impl DirectoryTags for NoTags {
    fn traverse(&self, _: &str) -> Option<bool> {
        None
    }
    fn include(&self, _: &str) -> bool {
        false
    }
    fn enter(&mut self, _: &str, _: Option<&[u8]>) -> Result<()> {
        Ok(())
    }
}

/// How to scan the tree.
#[derive(Clone, Debug, Default)]
pub struct ScanConfig {
    /// The project root.
    pub root: PathBuf,
    /// The absolute build directory.
    pub build_dir: PathBuf,
    /// `-I` directories, relative to the root.
    pub include_dirs: Vec<String>,
    /// `-X` directory names.
    pub exclude_dirs: Vec<String>,
    /// `-r`.
    pub recursive: bool,
    /// `-search-all-dirs`: modules are also looked up in traversed folders
    /// that are not include directories (caravan's own option).
    pub search_all_dirs: bool,
    /// Directories of the requested targets.
    pub target_dirs: Vec<String>,
}

/// The scanned tree.
#[derive(Clone, Debug, Default)]
pub struct Project {
    /// The root.
    pub root: PathBuf,
    /// A `_tags` or `myocamlbuild.ml` exists at the root.
    pub looks_like_project: bool,
    /// Subdirectories are traversed by default (project or `-r`).
    pub recursive: bool,
    /// Modules are also looked up in the traversed folders that are not
    /// include directories (`-search-all-dirs`).
    pub search_all_dirs: bool,
    /// Every source file, relative to the root, sorted.
    pub files: Vec<String>,
    /// Every traversed directory (`""` for the root), in traversal order.
    pub dirs: Vec<String>,
    /// The global include directories: `""` (the root) then `-I` and
    /// `include`-tagged directories, in order.
    pub include_dirs: Vec<String>,
    /// Symlinks at the root that point into the build directory (links to
    /// earlier targets).
    pub target_links: Vec<String>,
    /// Include directories of particular directories (a plugin's
    /// `Pathname.define_context`), `.` for the root.
    pub contexts: Vec<(String, Vec<String>)>,
}

impl Project {
    /// Scans the tree.
    pub fn scan(config: &ScanConfig, tags: &mut dyn DirectoryTags) -> Result<Project> {
        let root = &config.root;
        let looks_like_project =
            root.join("_tags").is_file() || root.join("myocamlbuild.ml").is_file();
        let recursive = config.recursive || looks_like_project;
        let mut excluded: HashSet<String> =
            DEFAULT_EXCLUDED.iter().map(|s| s.to_string()).collect();
        excluded.extend(config.exclude_dirs.iter().cloned());
        if let Some(name) = config.build_dir.file_name() {
            excluded.insert(name.to_string_lossy().into_owned());
        }
        let mut wanted: HashSet<String> = HashSet::new();
        for d in config.include_dirs.iter().chain(&config.target_dirs) {
            let mut cur = d.trim_end_matches('/').to_string();
            while !cur.is_empty() {
                wanted.insert(cur.clone());
                cur = match cur.rfind('/') {
                    Some(i) => cur[..i].to_string(),
                    None => String::new(),
                };
            }
        }
        let mut project = Project {
            root: root.clone(),
            looks_like_project,
            recursive,
            search_all_dirs: config.search_all_dirs,
            ..Project::default()
        };
        let build_dir = canonical(&config.build_dir);
        let mut seen_dirs: HashSet<PathBuf> = HashSet::new();
        let mut queue: Vec<String> = vec![String::new()];
        let mut tag_includes: Vec<String> = Vec::new();
        while let Some(dir) = queue.pop() {
            let full = if dir.is_empty() {
                root.clone()
            } else {
                root.join(&dir)
            };
            if !seen_dirs.insert(canonical(&full)) {
                continue;
            }
            let tags_path = full.join("_tags");
            let tags_text = match fs::read(&tags_path) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                // A `_tags` directory or similar is not a tags file.
                Err(_) if !tags_path.is_file() => None,
                Err(e) => return Err(Error::io(&tags_path, e)),
            };
            tags.enter(&dir, tags_text.as_deref())?;
            project.dirs.push(dir.clone());
            if !dir.is_empty() && tags.include(&dir) {
                tag_includes.push(dir.clone());
            }
            let mut subdirs = Vec::new();
            let entries = fs::read_dir(&full).map_err(|e| Error::io(&full, e))?;
            let mut names: Vec<(String, fs::FileType)> = Vec::new();
            for e in entries {
                let e = e.map_err(|e| Error::io(&full, e))?;
                let name = e.file_name().to_string_lossy().into_owned();
                let ft = e.file_type().map_err(|err| Error::io(e.path(), err))?;
                names.push((name, ft));
            }
            names.sort_by(|a, b| a.0.cmp(&b.0));
            for (name, ft) in names {
                let rel = if dir.is_empty() {
                    name.clone()
                } else {
                    format!("{dir}/{name}")
                };
                let path = full.join(&name);
                let (is_dir, is_file) = if ft.is_symlink() {
                    match fs::read_link(&path) {
                        Ok(t) if points_into(&full.join(&t), &build_dir) => {
                            project.target_links.push(rel.clone());
                            continue;
                        }
                        _ => {}
                    }
                    match fs::metadata(&path) {
                        Ok(m) => (m.is_dir(), m.is_file()),
                        Err(_) => (false, false),
                    }
                } else {
                    (ft.is_dir(), ft.is_file())
                };
                if is_file {
                    project.files.push(rel);
                } else if is_dir {
                    if excluded.contains(&name) || canonical(&path) == build_dir {
                        continue;
                    }
                    let traverse = match tags.traverse(&rel) {
                        Some(t) => t,
                        None => recursive,
                    };
                    if traverse || wanted.contains(&rel) {
                        subdirs.push(rel);
                    }
                }
            }
            // Depth-first, in name order (the stack pops the last pushed).
            for s in subdirs.into_iter().rev() {
                queue.push(s);
            }
        }
        project.files.sort();
        project.include_dirs.push(String::new());
        for d in config.include_dirs.iter().chain(&tag_includes) {
            let d = d.trim_end_matches('/').to_string();
            if !project.include_dirs.contains(&d) && project.dirs.contains(&d) {
                project.include_dirs.push(d);
            }
        }
        Ok(project)
    }

    /// The include directories as ocamlbuild names them to a plugin
    /// (`Options.include_dirs`): `.` for the root.
    pub fn include_dirs_named(&self) -> Vec<String> {
        self.include_dirs
            .iter()
            .map(|d| {
                if d.is_empty() {
                    ".".to_string()
                } else {
                    d.clone()
                }
            })
            .collect()
    }

    /// Include directories of a file in `dir`: `dir` first, then the global
    /// ones without it.
    pub fn include_dirs_of<'a>(&'a self, dir: &'a str) -> Vec<&'a str> {
        let key = if dir.is_empty() { "." } else { dir };
        if let Some((_, dirs)) = self.contexts.iter().rev().find(|(d, _)| d == key) {
            return dirs
                .iter()
                .map(|d| if d == "." { "" } else { d.as_str() })
                .collect();
        }
        let mut out = vec![dir];
        out.extend(
            self.include_dirs
                .iter()
                .map(String::as_str)
                .filter(|d| *d != dir),
        );
        out
    }
}

fn canonical(p: &Path) -> PathBuf {
    fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

fn points_into(target: &Path, build_dir: &Path) -> bool {
    let t =
        canonical(target.parent().unwrap_or(target)).join(target.file_name().unwrap_or_default());
    t.starts_with(build_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for f in files {
            let p = d.path().join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "").unwrap();
        }
        d
    }

    fn scan(d: &Path, f: impl FnOnce(&mut ScanConfig)) -> Project {
        let mut c = ScanConfig {
            root: d.to_path_buf(),
            build_dir: d.join("_build"),
            ..ScanConfig::default()
        };
        f(&mut c);
        Project::scan(&c, &mut NoTags).unwrap()
    }

    #[test]
    fn without_tags_only_the_root_is_read() {
        let d = tree(&["a.ml", "lib/b.ml"]);
        let p = scan(d.path(), |_| {});
        assert_eq!(p.files, ["a.ml"]);
        assert!(!p.looks_like_project);
    }

    #[test]
    fn include_dirs_and_their_parents_are_traversed() {
        let d = tree(&["a.ml", "x/lib/b.ml", "x/c.ml", "other/d.ml"]);
        let p = scan(d.path(), |c| c.include_dirs = vec!["x/lib".into()]);
        assert_eq!(p.files, ["a.ml", "x/c.ml", "x/lib/b.ml"]);
        assert_eq!(p.include_dirs, ["", "x/lib"]);
        assert_eq!(p.include_dirs_of("x/lib"), ["x/lib", ""]);
    }

    #[test]
    fn a_tags_file_makes_the_tree_recursive_except_excluded_names() {
        let d = tree(&[
            "_tags",
            "a.ml",
            "lib/b.ml",
            ".git/x.ml",
            "node_modules/y.ml",
            "_build/z.ml",
        ]);
        let p = scan(d.path(), |_| {});
        assert_eq!(p.files, ["_tags", "a.ml", "lib/b.ml"]);
        assert!(p.looks_like_project);
    }

    #[test]
    fn dash_x_excludes_by_basename() {
        let d = tree(&["a.ml", "lib/b.ml", "t/lib/c.ml"]);
        let p = scan(d.path(), |c| {
            c.recursive = true;
            c.exclude_dirs = vec!["lib".into()];
        });
        assert_eq!(p.files, ["a.ml"]);
    }
}
