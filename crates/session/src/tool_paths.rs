//! The tools of `build_tools` as paths ([`ToolPaths`]): what `%{name}`
//! in a `_tags` file, and `get_tool` in `build_rules.ml`, stand for, and
//! the dependency that makes an internal tool an input of the commands
//! using it.
//!
//! - An internal tool is a target of this build: `%{name}` is its path
//!   relative to the build folder, where commands run (`gen/gen.native`,
//!   `./gen.native` for one at the root, so a shell does not look it up in
//!   `PATH`). A tag whose parameter holds that path (`pp(gen/gen.native
//!   -x)`) gets `dep` on the target: every command carrying the tag builds
//!   the tool first and has it as an input, so a change to the tool's
//!   sources rebuilds the tool, then re-runs those commands.
//! - An external tool is a program: an absolute path as written, a bare
//!   name as written (the shell looks it up in `PATH`), another path under
//!   the install root.
//!
//! `%{name}` in the command of a plugin rule (`build_rules.ml` or
//! `myocamlbuild.ml`) is the same path; an internal tool named there is
//! built first and is an input of the action (`plugin::tool_words`).

use std::path::Path;

use declare::{BuildTools, Tool, ToolKind};
use ocaml::tagging::TagsText;
use plugin::tool_words::{ToolWord, ToolWords};
use tags::Configuration;

/// The declared tools and where they are.
#[derive(Debug, Clone)]
pub struct ToolPaths {
    /// `build_tools`.
    pub tools: BuildTools,
    /// The install root, for external tools given by a relative path.
    pub install_root: std::path::PathBuf,
}

impl ToolPaths {
    /// What `%{tool}` becomes.
    pub fn path(&self, tool: &Tool) -> String {
        path_of(tool, &self.install_root)
    }

    /// The table of `%{name}` in plugin commands (`plugin::tool_words`).
    pub fn words(&self) -> ToolWords {
        ToolWords {
            tools: self
                .tools
                .tools
                .iter()
                .map(|t| ToolWord {
                    name: t.name.clone(),
                    path: self.path(t),
                    target: (t.kind == ToolKind::Internal).then(|| t.path.clone()),
                })
                .collect(),
        }
    }

    /// For each applied tag of the configuration whose parameter names an
    /// internal tool's path, `dep [tag] [tool]`.
    pub fn declare_deps(&self, config: &Configuration, flags: &mut tags::Declarations) {
        let internal: Vec<(&Tool, String)> = self
            .tools
            .tools
            .iter()
            .filter(|t| t.kind == ToolKind::Internal)
            .map(|t| (t, self.path(t)))
            .collect();
        if internal.is_empty() {
            return;
        }
        for tag in config.parametrised_tags() {
            let Some(param) = tag.param() else { continue };
            let needed: Vec<String> = internal
                .iter()
                .filter(|(_, path)| mentions(param, path))
                .map(|(t, _)| t.path.clone())
                .collect();
            if !needed.is_empty() {
                flags.dep([tag.as_str()], needed);
            }
        }
    }
}

/// Whether `text` holds `path` as a word of its own (not inside a longer
/// path).
fn mentions(text: &str, path: &str) -> bool {
    text.match_indices(path).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + path.len()..].chars().next();
        let apart = |c: Option<char>| {
            c.is_none_or(|c| c.is_whitespace() || matches!(c, '\'' | '"' | '=' | ',' | ';'))
        };
        apart(before) && apart(after)
    })
}

/// A tool's path: see the module's documentation.
pub fn path_of(tool: &Tool, install_root: &Path) -> String {
    match tool.kind {
        ToolKind::Internal if tool.path.contains('/') => tool.path.clone(),
        ToolKind::Internal => format!("./{}", tool.path),
        ToolKind::External if tool.path.starts_with('/') || !tool.path.contains('/') => {
            tool.path.clone()
        }
        ToolKind::External => install_root.join(&tool.path).to_string_lossy().into_owned(),
    }
}

impl TagsText for ToolPaths {
    fn rewrite(
        &self,
        file: &str,
        text: &[u8],
    ) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        // A text that is not UTF-8 holds no reference caravan could read;
        // the `_tags` parser reports it.
        let Ok(s) = std::str::from_utf8(text) else {
            return Ok(text.to_vec());
        };
        if !s.contains("%{") {
            return Ok(text.to_vec());
        }
        let out = self.tools.expand(file, s, &|t| self.path(t))?;
        Ok(out.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths() -> ToolPaths {
        ToolPaths {
            tools: BuildTools::parse(
                "build_tools",
                "internal gen gen/gen.native\ninternal top top.byte\nexternal sh /bin/sh\n\
                 external cc gcc\nexternal trx bin/trx\n",
            )
            .unwrap(),
            install_root: "/opt/libs".into(),
        }
    }

    #[test]
    fn each_kind_of_tool_has_its_path() {
        let p = paths();
        let got: Vec<String> = p.tools.tools.iter().map(|t| p.path(t)).collect();
        assert_eq!(
            got,
            [
                "gen/gen.native",
                "./top.byte",
                "/bin/sh",
                "gcc",
                "/opt/libs/bin/trx"
            ]
        );
    }

    #[test]
    fn a_tag_naming_an_internal_tool_depends_on_it() {
        let p = paths();
        let text = p
            .rewrite(
                "_tags",
                b"<*.ml>: pp(%{gen} -x)\n<b.ml>: pp(%{sh} %{top})\n",
            )
            .unwrap();
        let mut c = Configuration::new();
        c.add_tags_file("", &text).unwrap();
        let mut flags = tags::Declarations::new();
        p.declare_deps(&c, &mut flags);
        let tags: tags::TagSet = ["ocaml", "pp(gen/gen.native -x)"].into_iter().collect();
        assert_eq!(flags.deps_of(&tags), ["gen/gen.native"]);
        let tags: tags::TagSet = ["pp(/bin/sh ./top.byte)"].into_iter().collect();
        assert_eq!(flags.deps_of(&tags), ["top.byte"]);
        assert!(!mentions("x/gen/gen.native", "gen/gen.native"));
    }
}
