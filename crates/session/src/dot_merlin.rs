//! The `.merlin` file of a source folder ([`DotMerlin`]): what merlin and
//! ocaml-lsp need to know to type a file of that folder as the build does.
//!
//! The format is merlin's, documented on its wiki's "Project configuration"
//! page (<https://github.com/ocaml/merlin/wiki/Project-configuration>) and
//! read by its `dot-merlin-reader` helper
//! (<https://ocaml.org/p/dot-merlin-reader/5.8-505>). One directive a
//! line; paths are relative to the folder of the `.merlin`; a line that
//! starts with `#` is a comment. caravan writes four directives:
//!
//! - `S dir`: a folder whose sources the editor may open (jump to a
//!   definition): the folder itself, then the folders its modules see.
//! - `B dir`: a folder of compiled interfaces (`.cmi`, `.cmt`): the build
//!   folder's copy of each `S` folder.
//! - `PKG a b`: findlib packages, which merlin resolves itself (their
//!   folders and their ppx rewriters).
//! - `FLG words`: compiler flags, split as a shell splits them.
//!
//! The folders a folder's modules see are those of the build: its include
//! folders (`include` tags, `-I`, a plugin's contexts) and the folders the
//! compile flags include (a `use_<lib>` tag gives `-I <lib folder>`). The
//! flags are those a compilation of an implementation of that folder gets
//! from its tags (context `ocaml, compile, byte, implem`, the tags of the
//! folder's first source): warnings, `-open`, `-rectypes`, `-ppx` of a
//! `ppx(...)` tag, and the `-pp` of its preprocessor tags. Their `-I`
//! become `S`/`B`, their `-package` become `PKG`, the other ocamlfind
//! options and the compiler's own `-c`/`-o` are left out.
//!
//! caravan's files start with [`MARKER`]; a `.merlin` without it was
//! written by someone else and is never touched. Files are replaced (by a
//! rename) only when their text changes, never in the build folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use engine::Target;
use ocaml::rules::RuleContext;

/// The first line of the `.merlin` files caravan writes.
pub const MARKER: &str = "# written by caravan; delete this line to keep your own edits";

/// The file name.
const FILE: &str = ".merlin";

/// What a folder's `.merlin` says.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DotMerlin {
    /// `S` lines: source folders, relative to the `.merlin`'s folder.
    pub sources: Vec<String>,
    /// `B` lines: build folders.
    pub builds: Vec<String>,
    /// `PKG` packages.
    pub packages: Vec<String>,
    /// `FLG` words (each quoted for the shell when written).
    pub flags: Vec<String>,
}

/// What [`write_all`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// Files written or replaced.
    pub written: Vec<String>,
    /// caravan's files whose text was already right.
    pub unchanged: usize,
    /// Files written by someone else, left alone.
    pub kept: Vec<String>,
}

/// Compiler options that take an argument and are not merlin's business.
const DROPPED_WITH_ARGUMENT: &[&str] = &[
    "-o",
    "-intf-suffix",
    "-syntax",
    "-predicates",
    "-dontlink",
    "-ppopt",
    "-ppxopt",
];

/// Options without argument left out (ocamlfind's, and those that only
/// choose what the compiler writes).
const DROPPED: &[&str] = &["-c", "-linkpkg", "-linkall", "-annot", "-bin-annot"];

impl DotMerlin {
    /// The `.merlin` of project folder `dir` (`""` for the root); `build`
    /// is the build folder, relative to the root when it is inside.
    pub fn of_folder(cx: &RuleContext, dir: &str, build: &BuildFolder) -> DotMerlin {
        let ml = representative(cx, dir);
        let stem = ml.strip_suffix(".ml").unwrap_or(&ml);
        let tags = cx.command_tags(
            &[&ml, &format!("{stem}.cmo")],
            &["implem", "ocaml", "byte", "compile"],
        );
        let mut words = cx.flags_of(&tags);
        words.extend(cx.pp_args(&ml, &["implem", "byte"]));
        let includes = cx.project.include_dirs_of(dir);
        DotMerlin::of_words(dir, &includes, words, build)
    }

    /// The `.merlin` of folder `dir` whose include folders are `includes`
    /// (`""` for the root) and whose compilations get the flag `words`.
    pub fn of_words(
        dir: &str,
        includes: &[&str],
        words: Vec<String>,
        build: &BuildFolder,
    ) -> DotMerlin {
        let mut seen: Vec<String> = includes.iter().map(|d| d.to_string()).collect();
        let mut out = DotMerlin::default();
        let mut words = words.into_iter();
        while let Some(w) = words.next() {
            match w.as_str() {
                "-I" => {
                    if let Some(d) = words.next() {
                        match project_folder(&d) {
                            Some(d) => seen.push(d),
                            None => out.flags.extend([w, d]),
                        }
                    }
                }
                "-package" => {
                    if let Some(p) = words.next() {
                        for p in findlib::split::words(&p) {
                            if !out.packages.iter().any(|q| q == p) {
                                out.packages.push(p.to_string());
                            }
                        }
                    }
                }
                o if DROPPED_WITH_ARGUMENT.contains(&o) => {
                    words.next();
                }
                o if DROPPED.contains(&o) => {}
                _ => out.flags.push(w),
            }
        }
        let mut folders: Vec<String> = Vec::new();
        for d in std::iter::once(dir.to_string()).chain(seen) {
            if !folders.contains(&d) {
                folders.push(d);
            }
        }
        for d in &folders {
            out.sources.push(relative(dir, d));
            out.builds.push(build.copy_of(dir, d));
        }
        out
    }

    /// The file's text, [`MARKER`] first.
    pub fn render(&self) -> String {
        let mut text = format!("{MARKER}\n");
        for s in &self.sources {
            text.push_str(&format!("S {s}\n"));
        }
        for b in &self.builds {
            text.push_str(&format!("B {b}\n"));
        }
        if !self.packages.is_empty() {
            text.push_str(&format!("PKG {}\n", self.packages.join(" ")));
        }
        if !self.flags.is_empty() {
            let words: Vec<String> = self.flags.iter().map(|w| quoted(w)).collect();
            text.push_str(&format!("FLG {}\n", words.join(" ")));
        }
        text
    }
}

/// The build folder, as `.merlin` files name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildFolder {
    /// Inside the project, relative to the root (`_build`).
    Inside(String),
    /// Elsewhere, absolute.
    Outside(PathBuf),
}

impl BuildFolder {
    /// The build folder of `build_dir` for a project at `root`.
    pub fn of(root: &Path, build_dir: &Path) -> BuildFolder {
        match build_dir.strip_prefix(root) {
            Ok(rel) => BuildFolder::Inside(rel.to_string_lossy().into_owned()),
            Err(_) => BuildFolder::Outside(build_dir.to_path_buf()),
        }
    }

    /// The copy of project folder `folder` in the build folder, seen from
    /// project folder `from`.
    fn copy_of(&self, from: &str, folder: &str) -> String {
        match self {
            BuildFolder::Inside(b) => relative(from, &join(b, folder)),
            BuildFolder::Outside(b) => b.join(folder).to_string_lossy().into_owned(),
        }
    }
}

/// Whether a `.merlin` that caravan wrote sits at `root`: then every build
/// keeps the files up to date.
pub fn kept_up(root: &Path) -> bool {
    std::fs::read_to_string(root.join(FILE)).is_ok_and(|t| t.lines().next() == Some(MARKER))
}

/// Writes the `.merlin` of the root and of every folder with OCaml sources,
/// except where a `.merlin` caravan did not write is.
pub fn write_all(cx: &RuleContext, root: &Path, build_dir: &Path) -> Written {
    let build = BuildFolder::of(root, build_dir);
    let mut written = Written::default();
    for dir in source_folders(cx) {
        let text = DotMerlin::of_folder(cx, &dir, &build).render();
        let rel = join(&dir, FILE);
        let path = root.join(&rel);
        match std::fs::read_to_string(&path) {
            Ok(old) if old.lines().next() != Some(MARKER) => {
                written.kept.push(rel);
                continue;
            }
            Ok(old) if old == text => {
                written.unchanged += 1;
                continue;
            }
            _ => {}
        }
        match replace(&path, &text) {
            Ok(()) => written.written.push(rel),
            Err(e) => println!("Warning: cannot write {rel}: {e}"),
        }
    }
    written
}

/// The root, then the folders that hold OCaml sources, in path order.
fn source_folders(cx: &RuleContext) -> Vec<String> {
    let mut dirs = vec![String::new()];
    for f in &cx.project.files {
        if is_source(f) {
            let d = Target::new(f).dir().to_string();
            if !dirs.contains(&d) {
                dirs.push(d);
            }
        }
    }
    dirs
}

fn is_source(f: &str) -> bool {
    [".ml", ".mli", ".mll", ".mly"]
        .iter()
        .any(|e| f.ends_with(e))
}

/// The `.ml` whose compile flags stand for the folder's: the module of
/// its first source, or a module that does not exist.
fn representative(cx: &RuleContext, dir: &str) -> String {
    let first = cx
        .project
        .files
        .iter()
        .find(|f| is_source(f) && Target::new(f).dir() == dir);
    match first.and_then(|f| f.rsplit_once('.')) {
        Some((stem, _)) => format!("{stem}.ml"),
        None => join(dir, "caravan_merlin.ml"),
    }
}

/// A project folder named by a `-I` flag, relative to the root; `None`
/// for a folder outside (`+threads`, an absolute path).
fn project_folder(d: &str) -> Option<String> {
    if d.starts_with('+') || d.starts_with('/') {
        return None;
    }
    let d = d.trim_end_matches('/');
    Some(if d == "." {
        String::new()
    } else {
        d.to_string()
    })
}

/// `a/b`, or either alone when the other is empty.
fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}/{b}"),
    }
}

/// Root-relative `to`, seen from root-relative folder `from`.
fn relative(from: &str, to: &str) -> String {
    let from: Vec<&str> = from.split('/').filter(|c| !c.is_empty()).collect();
    let to: Vec<&str> = to.split('/').filter(|c| !c.is_empty()).collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(&to[common..]);
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// A word as a shell reads it back: quoted when it holds anything but
/// plain characters.
fn quoted(w: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.,:/+=@%^".contains(c);
    if !w.is_empty() && w.chars().all(plain) {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

/// Replaces `path` by `text` through a temporary file and a rename, so an
/// editor never reads half a file.
fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_file_name(".merlin.caravan-tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(text.as_bytes())?;
    drop(f);
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inside() -> BuildFolder {
        BuildFolder::Inside("_build".to_string())
    }

    #[test]
    fn paths_are_relative_to_the_folder_of_the_file() {
        assert_eq!(relative("", ""), ".");
        assert_eq!(relative("", "lib"), "lib");
        assert_eq!(relative("src", ""), "..");
        assert_eq!(relative("src/a", "src/b"), "../b");
        assert_eq!(relative("src", "_build/src"), "../_build/src");
        let outside = BuildFolder::Outside(PathBuf::from("/tmp/b"));
        assert_eq!(outside.copy_of("src", "lib"), "/tmp/b/lib");
        assert_eq!(inside().copy_of("src", "lib"), "../_build/lib");
    }

    #[test]
    fn the_file_starts_with_the_marker_and_quotes_flag_words() {
        let m = DotMerlin {
            sources: vec![".".into(), "../lib".into()],
            builds: vec!["../_build/src".into(), "../_build/lib".into()],
            packages: vec!["str".into(), "unix".into()],
            flags: vec!["-w".into(), "+a-4".into(), "-pp".into(), "cpp -P".into()],
        };
        assert_eq!(
            m.render(),
            format!(
                "{MARKER}\nS .\nS ../lib\nB ../_build/src\nB ../_build/lib\nPKG str unix\n\
                 FLG -w +a-4 -pp 'cpp -P'\n"
            )
        );
        assert_eq!(quoted("it's"), "'it'\\''s'");
        assert_eq!(
            DotMerlin::default().render().lines().collect::<Vec<_>>(),
            [MARKER]
        );
    }

    #[test]
    fn a_folder_sees_its_include_folders_and_its_flags_folders_and_gets_the_rest() {
        let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        let src = DotMerlin::of_words(
            "src",
            &["src", "", "util"],
            words(
                "-c -w +a-4 -rectypes -I lib -I +threads -package str,unix -package str \
                 -syntax camlp4o -ppx ./rw.exe -o src/a.cmo -I ./",
            ),
            &inside(),
        );
        assert_eq!(src.sources, [".", "..", "../util", "../lib"]);
        assert_eq!(
            src.builds,
            [
                "../_build/src",
                "../_build",
                "../_build/util",
                "../_build/lib"
            ]
        );
        assert_eq!(src.packages, ["str", "unix"]);
        assert_eq!(
            src.flags,
            words("-w +a-4 -rectypes -I +threads -ppx ./rw.exe")
        );
        let root = DotMerlin::of_words("", &["", "util"], Vec::new(), &inside());
        assert_eq!(root.sources, [".", "util"]);
        assert_eq!(root.builds, ["_build", "_build/util"]);
    }
}
