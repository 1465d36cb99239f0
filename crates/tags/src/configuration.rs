//! The configuration: every tag source read so far, in order, and the tags
//! it gives a path.

use crate::location::{Source, SourceKind, quote};
use crate::parser::{Line, LocatedTag, parse};
use crate::tag_set::TagSet;

/// The lines ocamlbuild 0.14.1 always reads first (its `main.ml`), in order.
/// Pass them to [`Configuration::add_builtin`].
pub const BUILTIN_LINES: &str = "<**/*.ml> or <**/*.mli> or <**/*.mlpack> or <**/*.ml.depends>: ocaml\n\
<**/*.byte>: ocaml, byte, program\n\
<**/*.odoc>: ocaml, doc\n\
<**/*.native>: ocaml, native, program\n\
<**/*.cma>: ocaml, byte, library\n\
<**/*.cmxa>: ocaml, native, library\n\
<**/*.cmo>: ocaml, byte\n\
<**/*.cmi>: ocaml, byte, native\n\
<**/*.cmx>: ocaml, native\n\
<**/*.mly>: infer\n\
<**/.svn>|\"CVS\"|\".bzr\"|\".hg\"|\".git\"|\"_darcs\"|\"_opam\"|\"node_modules\": -traverse\n";

/// One source's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Where the lines came from.
    pub source: Source,
    /// The directory the lines are scoped to (a subdirectory's `_tags`).
    pub dir: Option<String>,
    /// The lines, top to bottom.
    pub lines: Vec<Line>,
}

impl Part {
    fn covers(&self, path: &[u8]) -> bool {
        match &self.dir {
            None => true,
            Some(d) => {
                let d = d.as_bytes();
                path.starts_with(d) && (path.len() == d.len() || path.get(d.len()) == Some(&b'/'))
            }
        }
    }
}

/// All the tag sources of a build, oldest first.
///
/// A path's tags are computed by applying every matching line, oldest source
/// first and top to bottom, removing a line's `-tags` and then adding its
/// tags; so later lines override earlier ones, and `true: -foo, foo` leaves
/// `foo` set.
///
/// ```
/// use tags::{Configuration, BUILTIN_LINES};
/// let mut c = Configuration::new();
/// c.add_builtin(BUILTIN_LINES).unwrap();
/// c.add_tags_file("", b"true: debug\n<lib/*.ml>: -debug\n").unwrap();
/// c.add_tags_file("lib", b"<a.ml>: debug\n").unwrap();
/// assert!(c.tags_of("main.ml").contains("debug"));
/// assert!(!c.tags_of("lib/b.ml").contains("debug"));
/// assert!(c.tags_of("lib/a.ml").contains("debug"));
/// assert!(c.tags_of("lib/a.ml").contains("extension:ml"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Configuration {
    parts: Vec<Part>,
}

/// `My_std.filename_concat`: the root (`""`, `.`) disappears.
fn concat_path(dir: &str, name: &str) -> String {
    if dir.is_empty() || dir == "." {
        name.to_string()
    } else if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

impl Configuration {
    /// An empty configuration.
    pub fn new() -> Configuration {
        Configuration::default()
    }

    /// Parses `text` from `source` and appends it. `dir` scopes the lines
    /// to a directory (for a subdirectory's `_tags`; `None` otherwise). On
    /// error nothing is added.
    pub fn add(&mut self, source: Source, text: &[u8], dir: Option<&str>) -> crate::Result<()> {
        let dir = dir
            .map(|d| d.strip_prefix("./").unwrap_or(d).trim_end_matches('/'))
            .filter(|d| !d.is_empty() && *d != ".");
        let lines = parse(source.clone(), text, dir)?;
        self.parts.push(Part {
            source,
            dir: dir.map(str::to_string),
            lines,
        });
        Ok(())
    }

    /// Appends the built-in lines (usually [`BUILTIN_LINES`]).
    pub fn add_builtin(&mut self, text: &str) -> crate::Result<()> {
        let source = Source::from_text(SourceKind::Builtin, text.as_bytes());
        self.add(source, text.as_bytes(), None)
    }

    /// Appends one `-tag-line` argument.
    pub fn add_command_line(&mut self, line: &str) -> crate::Result<()> {
        let source = Source::from_text(SourceKind::CommandLine, line.as_bytes());
        self.add(source, line.as_bytes(), None)
    }

    /// Appends the `_tags` file of directory `dir` (`""` for the root), whose
    /// content is `text`. Its name in messages is `dir/_tags` (`_tags` for
    /// the root).
    pub fn add_tags_file(&mut self, dir: &str, text: &[u8]) -> crate::Result<()> {
        let name = concat_path(dir, "_tags");
        self.add(Source::file(name), text, Some(dir))
    }

    /// `tag_any`: appends the line `true: t1, t2, ...` (nothing when `tags`
    /// is empty). This is how `-tag`/`-tags` (with `quiet` first), `-r`
    /// (`traverse`), `-pkg` and `-syntax` tags arrive.
    pub fn tag_any<T: AsRef<str>>(&mut self, tags: &[T]) -> crate::Result<()> {
        if tags.is_empty() {
            return Ok(());
        }
        let list: Vec<&str> = tags.iter().map(AsRef::as_ref).collect();
        let text = format!("true: {}", list.join(", "));
        let source = Source::from_text(SourceKind::Configuration, text.as_bytes());
        self.add(source, text.as_bytes(), None)
    }

    /// `Configuration.parse_string`: appends lines in the `_tags` syntax
    /// that a plugin gave (its patterns relative to the root).
    pub fn add_configuration(&mut self, text: &str) -> crate::Result<()> {
        let source = Source::from_text(SourceKind::Configuration, text.as_bytes());
        self.add(source, text.as_bytes(), None)
    }

    /// `tag_file`: appends the line `"path": t1, t2, ...` (nothing when
    /// `tags` is empty); a tag written `-t` removes `t`.
    pub fn tag_file<T: AsRef<str>>(&mut self, path: &str, tags: &[T]) -> crate::Result<()> {
        if tags.is_empty() {
            return Ok(());
        }
        let list: Vec<&str> = tags.iter().map(AsRef::as_ref).collect();
        let text = format!("{}: {}", quote(path), list.join(", "));
        let source = Source::from_text(SourceKind::Configuration, text.as_bytes());
        self.add(source, text.as_bytes(), None)
    }

    /// The sources read so far, oldest first.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The tags the configuration gives `path` (no `file:`/`extension:`).
    pub fn configured_tags(&self, path: &str) -> TagSet {
        let bytes = path.as_bytes();
        let mut tags = TagSet::new();
        for part in &self.parts {
            if !part.covers(bytes) {
                continue;
            }
            for line in &part.lines {
                if line.pattern.matches_bytes(bytes) {
                    for t in &line.remove {
                        tags.remove(&t.tag);
                    }
                    for t in &line.add {
                        tags.insert(&t.tag);
                    }
                }
            }
        }
        tags
    }

    /// ocamlbuild's `tags_of_pathname`: the configured tags plus `file:PATH`
    /// and `extension:EXT`, where EXT is the text after the last `.` of the
    /// whole path (empty when there is none).
    pub fn tags_of(&self, path: &str) -> TagSet {
        let mut tags = self.configured_tags(path);
        tags.insert(format!("file:{path}"));
        tags.insert(format!("extension:{}", extension(path)));
        tags
    }

    /// The tags of the empty path: what `true:` lines and `<**/*>` give
    /// (ocamlbuild's global tags, used for `use_menhir` and the like).
    pub fn global_tags(&self) -> TagSet {
        self.configured_tags("")
    }

    /// Does the global tag set hold `tag`?
    pub fn has_tag(&self, tag: &str) -> bool {
        self.global_tags().contains(tag)
    }

    /// The added tags in the order ocamlbuild acknowledges them, which is
    /// the order parametrised flags get declared in: newest source first,
    /// and within a source the last line first, each line's tags in written
    /// order. Occurrences are all kept (see `Declarations::instantiate`).
    pub fn acknowledged_tags(&self) -> Vec<LocatedTag> {
        let mut out = Vec::new();
        for part in self.parts.iter().rev() {
            for line in part.lines.iter().rev() {
                out.extend(line.add.iter().cloned());
            }
        }
        out
    }

    /// The applied parametrised tags (`name(param)`) in acknowledgement
    /// order (see [`Configuration::acknowledged_tags`]), each once.
    pub fn parametrised_tags(&self) -> Vec<crate::tag::Tag> {
        let mut seen = std::collections::HashSet::new();
        self.acknowledged_tags()
            .into_iter()
            .filter(|t| t.tag.param().is_some())
            .filter(|t| seen.insert(t.tag.clone()))
            .map(|t| t.tag)
            .collect()
    }

    /// Every tag written in any line (added or removed), without duplicates.
    pub fn written_tags(&self) -> TagSet {
        let mut s = TagSet::new();
        for part in &self.parts {
            for line in &part.lines {
                s.extend(line.add.iter().map(|t| &t.tag));
                s.extend(line.remove.iter().map(|t| &t.tag));
            }
        }
        s
    }
}

/// The text after the last `.` of the whole path, or `""`.
pub fn extension(path: &str) -> &str {
    match path.rfind('.') {
        Some(i) => path.get(i + 1..).unwrap_or(""),
        None => "",
    }
}

/// Tags of several paths, computed once each (ocamlbuild caches per path).
#[derive(Debug, Default)]
pub struct TagsCache {
    cache: std::collections::HashMap<String, TagSet>,
}

impl TagsCache {
    /// An empty cache.
    pub fn new() -> TagsCache {
        TagsCache::default()
    }

    /// [`Configuration::tags_of`], remembered.
    pub fn tags_of(&mut self, config: &Configuration, path: &str) -> TagSet {
        if let Some(t) = self.cache.get(path) {
            return t.clone();
        }
        let t = config.tags_of(path);
        self.cache.insert(path.to_string(), t.clone());
        t
    }

    /// Forgets everything (call after the configuration changes).
    pub fn clear(&mut self) {
        self.cache.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::Tag;

    fn config(texts: &[&str]) -> Configuration {
        let mut c = Configuration::new();
        for t in texts {
            if let Err(e) = c.add_tags_file("", t.as_bytes()) {
                panic!("{e}");
            }
        }
        c
    }

    fn names(s: &TagSet) -> Vec<&str> {
        s.iter().map(Tag::as_str).collect()
    }

    #[test]
    fn removal_happens_before_addition_on_each_line() {
        assert!(config(&["true: -foo, foo\n"]).tags_of("x").contains("foo"));
        assert!(config(&["true: foo, -foo\n"]).tags_of("x").contains("foo"));
        assert!(
            !config(&["true: foo\ntrue: -foo\n"])
                .tags_of("x")
                .contains("foo")
        );
    }

    #[test]
    fn a_later_source_overrides_an_earlier_one() {
        let mut c = Configuration::new();
        assert!(c.add_command_line("true: -debug").is_ok());
        assert!(c.add_tags_file("", b"true: debug\n").is_ok());
        assert!(c.tags_of("a.ml").contains("debug"));
    }

    #[test]
    fn a_subdirectory_file_is_scoped_to_its_subtree() {
        let mut c = Configuration::new();
        assert!(c.add_tags_file("", b"true: root\n").is_ok());
        assert!(
            c.add_tags_file("sub", b"true: inner\n<*.ml>: ml\n\"b.ml\": b\n")
                .is_ok()
        );
        assert_eq!(names(&c.configured_tags("sub")), ["inner", "root"]);
        assert_eq!(
            names(&c.configured_tags("sub/a.ml")),
            ["inner", "ml", "root"]
        );
        assert_eq!(
            names(&c.configured_tags("sub/b.ml")),
            ["b", "inner", "ml", "root"]
        );
        assert_eq!(names(&c.configured_tags("sub/d/a.ml")), ["inner", "root"]);
        assert_eq!(names(&c.configured_tags("subx")), ["root"]);
        assert_eq!(c.parts()[1].source.name, "sub/_tags");
    }

    #[test]
    fn file_and_extension_tags_use_the_last_dot_of_the_whole_path() {
        let c = Configuration::new();
        assert!(c.tags_of("a.d.cmo").contains("extension:cmo"));
        assert!(c.tags_of("doc.docdir/man").contains("extension:docdir/man"));
        assert!(c.tags_of("Makefile").contains("extension:"));
        assert!(c.tags_of("src/a.ml").contains("file:src/a.ml"));
    }

    #[test]
    fn builtin_lines_parse_and_tag_the_usual_files() {
        let mut c = Configuration::new();
        assert!(c.add_builtin(BUILTIN_LINES).is_ok());
        assert_eq!(names(&c.configured_tags("x/a.cmx")), ["native", "ocaml"]);
        assert_eq!(names(&c.configured_tags("p.ml.depends")), ["ocaml"]);
        assert!(c.tags_of("_opam").iter().all(|t| t.as_str() != "traverse"));
    }

    #[test]
    fn tag_any_and_tag_file_generate_configuration_lines() {
        let mut c = Configuration::new();
        assert!(c.tag_any(&["quiet", "foo"]).is_ok());
        assert!(c.tag_file("a b.ml", &["x", "-foo"]).is_ok());
        assert_eq!(c.parts()[0].source.name, "true: quiet, foo");
        assert_eq!(c.parts()[1].source.name, "\\\"a b.ml\\\": x, -foo");
        assert_eq!(names(&c.configured_tags("a b.ml")), ["quiet", "x"]);
        let e = c.tag_any(&["foo bar"]).err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "Configuration \"true: foo bar\", line 1, characters 9-10:\nLexing error: Only ',' separated tags are allowed."
            )
        );
    }

    #[test]
    fn acknowledged_tags_put_newer_sources_and_lines_first() {
        let mut c = Configuration::new();
        assert!(c.add_command_line("true: warn").is_ok());
        assert!(
            c.add_tags_file(
                "",
                b"true: package(unix), package(str), debug\n<b.ml>: for-pack(Foo)\n"
            )
            .is_ok()
        );
        let order: Vec<String> = c
            .acknowledged_tags()
            .iter()
            .map(|t| t.tag.to_string())
            .collect();
        assert_eq!(
            order,
            [
                "for-pack(Foo)",
                "package(unix)",
                "package(str)",
                "debug",
                "warn"
            ]
        );
    }
}
