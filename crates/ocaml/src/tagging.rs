//! Tags of paths and commands, from the `_tags` files, the command line and
//! ocamlbuild's built-in lines.
//!
//! A [`TagsBuilder`] accumulates the configuration in ocamlbuild's order
//! (built-in lines, `-tag-line`s, `true: quiet, <-tag>`, `true: traverse`,
//! then each traversed directory's `_tags`, a directory before its
//! sub-directories) and answers the tree scan's questions about traversal as
//! it goes. The finished [`Tagger`] gives the tags of a path (cached) and of
//! a command: the tags of its files plus its context tags (`ocaml`,
//! `compile`, `byte`...), which select its flags.

use std::sync::Mutex;

use engine::DigestBuilder;
use rustc_hash::FxHashMap;
use tags::{Configuration, TagSet};

use crate::error::{Error, Result};
use crate::project::DirectoryTags;

/// Rewrites the text of a `_tags` file before it is parsed: the session
/// replaces `%{tool}` references with it (see `declare::references`). The
/// fingerprint stays that of the text as written.
pub trait TagsText {
    /// The text to parse instead of `text` (of the file `file`, relative
    /// to the root), or why it cannot be read.
    fn rewrite(
        &self,
        file: &str,
        text: &[u8],
    ) -> std::result::Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>;
}

/// The configuration being read.
pub struct TagsBuilder {
    config: Configuration,
    fingerprint: DigestBuilder,
    rewrite: Option<Box<dyn TagsText>>,
}

impl TagsBuilder {
    /// Built-in lines, then the command line's `-tag-line`s and `-tag`s, then
    /// `true: traverse` when the tree is traversed by default, then
    /// `true: package(p)` and `true: syntax(s)` for `-pkg` and `-syntax`.
    pub fn new(
        tag_lines: &[String],
        tags: &[String],
        traverse: bool,
        packages: &[String],
        syntaxes: &[String],
    ) -> Result<TagsBuilder> {
        TagsBuilder::with_base(
            Configuration::new(),
            tag_lines,
            tags,
            traverse,
            packages,
            syntaxes,
        )
    }

    /// Like [`TagsBuilder::new`], after the lines of `base` (a plugin's
    /// `tag_file`/`tag_any` calls made before the tree is read, which
    /// ocamlbuild parses first).
    pub fn with_base(
        base: Configuration,
        tag_lines: &[String],
        tags: &[String],
        traverse: bool,
        packages: &[String],
        syntaxes: &[String],
    ) -> Result<TagsBuilder> {
        let mut config = base;
        config
            .add_builtin(tags::BUILTIN_LINES)
            .map_err(Error::Tags)?;
        for line in tag_lines {
            config.add_command_line(line).map_err(Error::Tags)?;
        }
        let mut defaults = vec!["quiet".to_string()];
        defaults.extend(tags.iter().cloned());
        config.tag_any(&defaults).map_err(Error::Tags)?;
        if traverse {
            config.tag_any(&["traverse"]).map_err(Error::Tags)?;
        }
        for p in packages {
            config
                .tag_any(&[format!("package({p})")])
                .map_err(Error::Tags)?;
        }
        for s in syntaxes {
            config
                .tag_any(&[format!("syntax({s})")])
                .map_err(Error::Tags)?;
        }
        let mut fingerprint = DigestBuilder::new("tags");
        for line in tag_lines.iter().chain(tags).chain(packages).chain(syntaxes) {
            fingerprint.str(line);
        }
        Ok(TagsBuilder {
            config,
            fingerprint,
            rewrite: None,
        })
    }

    /// Rewrites each `_tags` file read from now on with `rewrite`.
    pub fn rewrite_with(&mut self, rewrite: Box<dyn TagsText>) {
        self.rewrite = Some(rewrite);
    }

    /// A digest of every text read so far: changes when any `_tags` file or
    /// tag option does.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.finish().to_hex()
    }

    /// The configuration read so far, to add lines to (a plugin's
    /// `tag_file`/`tag_any`).
    pub fn config_mut(&mut self) -> &mut Configuration {
        &mut self.config
    }

    /// The finished configuration.
    pub fn finish(self) -> Tagger {
        Tagger {
            config: self.config,
            cache: Mutex::new(FxHashMap::default()),
            renamed: FxHashMap::default(),
        }
    }
}

impl DirectoryTags for TagsBuilder {
    fn traverse(&self, dir: &str) -> Option<bool> {
        let t = self.config.tags_of(dir);
        Some(t.contains("traverse") || t.contains("include"))
    }

    fn include(&self, dir: &str) -> bool {
        self.config.tags_of(dir).contains("include")
    }

    fn enter(&mut self, dir: &str, tags_file: Option<&[u8]>) -> Result<()> {
        if let Some(text) = tags_file {
            self.fingerprint.str(dir).bytes(text);
            match &self.rewrite {
                Some(r) => {
                    let file = if dir.is_empty() {
                        "_tags".to_string()
                    } else {
                        format!("{dir}/_tags")
                    };
                    let text = r.rewrite(&file, text).map_err(Error::TagsText)?;
                    self.config.add_tags_file(dir, &text).map_err(Error::Tags)?;
                }
                None => self.config.add_tags_file(dir, text).map_err(Error::Tags)?,
            }
        }
        Ok(())
    }
}

/// Answers "which tags does this path have".
pub struct Tagger {
    config: Configuration,
    cache: Mutex<FxHashMap<String, TagSet>>,
    /// Stems of files made under another name from a user's file (a
    /// namespaced library's `lib/foo__Bar` from `lib/bar`), with that
    /// file's stem: their paths also get the tags of the user's paths.
    renamed: FxHashMap<String, String>,
}

impl Tagger {
    /// The configuration.
    pub fn config(&self) -> &Configuration {
        &self.config
    }

    /// Gives the paths of stem `copy` (`lib/foo__Bar.ml`, `.cmo`...) the
    /// tags of the same paths of stem `source` (`lib/bar.ml`...), but
    /// their `file:` tags: a namespaced library's member is compiled from
    /// a copy under its prefixed name (`crate::namespace`).
    pub fn add_renamed(&mut self, pairs: impl IntoIterator<Item = (String, String)>) {
        self.renamed.extend(pairs);
        if let Ok(mut cache) = self.cache.lock() {
            cache.clear();
        }
    }

    /// The tags of `path`, with `file:` and `extension:`.
    pub fn tags_of(&self, path: &str) -> TagSet {
        if let Ok(cache) = self.cache.lock()
            && let Some(t) = cache.get(path)
        {
            return t.clone();
        }
        let mut t = self.config.tags_of(path);
        if !self.renamed.is_empty() {
            let name_at = path.rfind('/').map_or(0, |i| i + 1);
            let (stem, rest) = match path[name_at..].find('.') {
                Some(i) => path.split_at(name_at + i),
                None => (path, ""),
            };
            if let Some(source) = self.renamed.get(stem) {
                for tag in self.config.tags_of(&format!("{source}{rest}")).iter() {
                    if !tag.as_str().starts_with("file:") {
                        t.insert(tag.clone());
                    }
                }
            }
        }
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(path.to_string(), t.clone());
        }
        t
    }

    /// Whether `path` has `tag`.
    pub fn has(&self, path: &str, tag: &str) -> bool {
        self.tags_of(path).contains(tag)
    }

    /// The tags of a command on `paths` with the context tags `context`.
    pub fn command(&self, paths: &[&str], context: &[&str]) -> TagSet {
        let mut set = TagSet::new();
        for p in paths {
            set.union_with(&self.tags_of(p));
        }
        for c in context {
            set.insert(*c);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagger(tags_file: &str, traverse: bool) -> Tagger {
        let mut b = TagsBuilder::new(&[], &[], traverse, &[], &[]).unwrap();
        b.enter("", Some(tags_file.as_bytes())).unwrap();
        b.finish()
    }

    #[test]
    fn compile_tags_match_the_ocamlbuild_log() {
        let t = tagger("", false);
        let tags = t.command(
            &["lib/shapes.ml", "lib/shapes.cmo"],
            &["implem", "ocaml", "byte", "compile"],
        );
        assert_eq!(
            tags.to_string(),
            "{ byte, compile, extension:cmo, extension:ml, file:lib/shapes.cmo, \
             file:lib/shapes.ml, implem, ocaml, quiet }"
        );
    }

    #[test]
    fn a_renamed_copy_gets_the_tags_of_the_users_file_but_its_name() {
        let mut t = tagger("<lib/bar.ml>: debug\n<lib/bar.cmx>: unboxed_types\n", false);
        t.add_renamed([("lib/foo__Bar".to_string(), "lib/bar".to_string())]);
        let ml = t.tags_of("lib/foo__Bar.ml");
        assert!(ml.contains("debug") && ml.contains("file:lib/foo__Bar.ml"));
        assert!(!ml.contains("file:lib/bar.ml"));
        assert!(t.has("lib/foo__Bar.cmx", "unboxed_types"));
        assert!(!t.has("lib/foo__Baz.ml", "debug"));
    }

    #[test]
    fn depends_tags_match_the_ocamlbuild_log() {
        let t = tagger("", true);
        let tags = t.command(&["util.mli"], &["ocaml", "ocamldep"]);
        assert_eq!(
            tags.to_string(),
            "{ extension:mli, file:util.mli, ocaml, ocamldep, quiet, traverse }"
        );
    }

    #[test]
    fn directories_follow_traverse_and_include_tags() {
        let mut b = TagsBuilder::new(&[], &[], true, &[], &[]).unwrap();
        b.enter("", Some(b"<test>: -traverse\n<lib>: include\n"))
            .unwrap();
        assert_eq!(b.traverse("test"), Some(false));
        assert_eq!(b.traverse("src"), Some(true));
        assert!(b.include("lib"));
        assert!(!b.include("src"));
        let bad = b.enter("sub", Some(b"<a.ml> debug\n"));
        assert!(matches!(bad, Err(Error::Tags(_))));
    }
}
