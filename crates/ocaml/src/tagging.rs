//! The tag sets of paths and commands, as the build log shows them.
//!
//! [`Tagging`] answers "which tags does this path have" (from the `_tags`
//! files and ocamlbuild's built-in lines); [`CommandTags`] combines the tags
//! of a command's files with its context tags (`ocaml`, `compile`, `byte`...)
//! exactly as ocamlbuild does for each rule.

use std::collections::BTreeSet;

/// The tags of a path.
pub trait Tagging: Send + Sync {
    /// The tags of `path`, including `file:<path>` and `extension:<ext>`.
    fn tags_of(&self, path: &str) -> BTreeSet<String>;
}

/// ocamlbuild's built-in tag lines, for projects without `_tags` rules.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinTags {
    /// Whether `traverse` is on everywhere (a project, or `-r`).
    pub traverse: bool,
}

impl Tagging for BuiltinTags {
    fn tags_of(&self, path: &str) -> BTreeSet<String> {
        let mut tags = BTreeSet::new();
        let ext = path.rfind('.').map(|i| &path[i + 1..]).unwrap_or("");
        let builtin: &[&str] = if path.ends_with(".ml.depends") {
            &["ocaml"]
        } else {
            match ext {
                "ml" | "mli" | "mlpack" => &["ocaml"],
                "byte" => &["ocaml", "byte", "program"],
                "native" => &["ocaml", "native", "program"],
                "odoc" => &["ocaml", "doc"],
                "cma" => &["ocaml", "byte", "library"],
                "cmxa" => &["ocaml", "native", "library"],
                "cmo" => &["ocaml", "byte"],
                "cmi" => &["ocaml", "byte", "native"],
                "cmx" => &["ocaml", "native"],
                "mly" => &["infer"],
                _ => &[],
            }
        };
        tags.extend(builtin.iter().map(|s| s.to_string()));
        tags.insert("quiet".to_string());
        if self.traverse {
            tags.insert("traverse".to_string());
        }
        tags.insert(format!("file:{path}"));
        tags.insert(format!("extension:{ext}"));
        tags
    }
}

/// The tag set of one command.
#[derive(Debug, Default, Clone)]
pub struct CommandTags(BTreeSet<String>);

impl CommandTags {
    /// The union of the tags of `paths` and the context tags `extra`.
    pub fn of(tagging: &dyn Tagging, paths: &[&str], extra: &[&str]) -> CommandTags {
        let mut set = BTreeSet::new();
        for p in paths {
            set.extend(tagging.tags_of(p));
        }
        set.extend(extra.iter().map(|s| s.to_string()));
        CommandTags(set)
    }

    /// Whether the set holds `tag`.
    pub fn has(&self, tag: &str) -> bool {
        self.0.contains(tag)
    }

    /// The set as the build log writes it: `{ a, b }`, parametrised tags
    /// (ending in `)`) first, then the others in string order.
    pub fn render(&self) -> String {
        let (params, plain): (Vec<&String>, Vec<&String>) =
            self.0.iter().partition(|t| t.ends_with(')'));
        let all: Vec<&str> = params
            .into_iter()
            .chain(plain)
            .map(String::as_str)
            .collect();
        format!("{{ {} }}", all.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compile_tags_match_the_ocamlbuild_log() {
        let t = BuiltinTags { traverse: false };
        let tags = CommandTags::of(
            &t,
            &["lib/shapes.ml", "lib/shapes.cmo"],
            &["implem", "ocaml", "byte", "compile"],
        );
        assert_eq!(
            tags.render(),
            "{ byte, compile, extension:cmo, extension:ml, file:lib/shapes.cmo, \
             file:lib/shapes.ml, implem, ocaml, quiet }"
        );
    }

    #[test]
    fn depends_tags_match_the_ocamlbuild_log() {
        let t = BuiltinTags { traverse: true };
        let tags = CommandTags::of(&t, &["util.mli"], &["ocaml", "ocamldep"]);
        assert_eq!(
            tags.render(),
            "{ extension:mli, file:util.mli, ocaml, ocamldep, quiet, traverse }"
        );
    }
}
