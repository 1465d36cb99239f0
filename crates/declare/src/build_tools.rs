//! `build_tools`: the programs a build runs.
//!
//! ```text
//! # comment
//! internal toolname path     # a target of this build, e.g. gen/gen.native
//! external toolname path     # a program built elsewhere
//! ```
//!
//! An internal tool is built before any command that uses it; its path is
//! in the build folder. An external tool's path is taken as written when
//! absolute, looked up in `PATH` when it is a bare name, and found under
//! the install root of the code base otherwise (as the seed's layer did).

use crate::error::{Error, Place};
use crate::line::{Declared, Word, is_name, parse_declarations};

/// Whether a tool is built here or comes from elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolKind {
    /// A target of this build.
    Internal,
    /// A program built elsewhere.
    External,
}

/// One declared tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    /// Internal or external.
    pub kind: ToolKind,
    /// The name used in `%{name}` and `get_tool "name"`.
    pub name: String,
    /// The target (internal) or program (external), as written.
    pub path: String,
    /// The line of the declaration, from 1.
    pub line: usize,
    /// The characters of the line the declaration covers.
    pub span: (usize, usize),
}

impl Tool {
    /// Where the declaration is, in `file`.
    pub fn place(&self, file: &str) -> Place {
        Place {
            file: file.to_string(),
            line: self.line,
            start: self.span.0,
            end: self.span.1,
        }
    }
}

/// The contents of a `build_tools` file, in the order of its lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildTools {
    /// The declarations.
    pub tools: Vec<Tool>,
}

const HINT: &str = "a line is `internal NAME TARGET` or `external NAME PROGRAM`";

impl BuildTools {
    /// Reads the text of a `build_tools` file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<BuildTools, Error> {
        let tools = parse_declarations(file, text, "tool", parse_line)?;
        Ok(BuildTools { tools })
    }

    /// The tool called `name`.
    pub fn get(&self, name: &str) -> Option<&Tool> {
        self.tools.iter().find(|t| t.name == name)
    }
}

fn syntax(file: &str, line: usize, word: &Word<'_>, problem: String) -> Error {
    word.error(file, line, problem, HINT)
}

fn parse_line(file: &str, line: usize, words: &[Word<'_>]) -> Result<Tool, Error> {
    let kind = match words[0].text {
        "internal" => ToolKind::Internal,
        "external" => ToolKind::External,
        other => {
            return Err(syntax(
                file,
                line,
                &words[0],
                format!("`{other}` is not a kind of tool (`internal` or `external`)."),
            ));
        }
    };
    let (Some(name), Some(path)) = (words.get(1), words.get(2)) else {
        let last = &words[words.len() - 1];
        return Err(syntax(
            file,
            line,
            last,
            "a tool needs a name and a path.".into(),
        ));
    };
    if !is_name(name.text) {
        return Err(syntax(
            file,
            line,
            name,
            format!(
                "`{}` is not a tool name (letters, digits, `_`, `-`).",
                name.text
            ),
        ));
    }
    if let Some(extra) = words.get(3) {
        return Err(syntax(
            file,
            line,
            extra,
            format!("unexpected `{}`.", extra.text),
        ));
    }
    if kind == ToolKind::Internal && path.text.starts_with('/') {
        return Err(syntax(
            file,
            line,
            path,
            "an internal tool is a target of this build: a path relative to the project's root."
                .into(),
        ));
    }
    Ok(Tool {
        kind,
        name: name.text.to_string(),
        path: path.text.to_string(),
        line,
        span: (words[0].start, words[words.len() - 1].end),
    })
}

impl Declared for Tool {
    fn name(&self) -> &str {
        &self.name
    }

    fn line(&self) -> usize {
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_in_order() {
        let t = BuildTools::parse(
            "build_tools",
            "# tools\ninternal gen gen/gen.native\nexternal sh /bin/sh\n",
        )
        .unwrap();
        let got: Vec<_> = t
            .tools
            .iter()
            .map(|t| (t.kind, t.name.as_str(), t.path.as_str(), t.line))
            .collect();
        assert_eq!(
            got,
            [
                (ToolKind::Internal, "gen", "gen/gen.native", 2),
                (ToolKind::External, "sh", "/bin/sh", 3)
            ]
        );
    }

    #[test]
    fn errors() {
        let e = BuildTools::parse("build_tools", "internal gen\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("File \"build_tools\", line 1, characters 9-12:"),
            "{e}"
        );
        let e = BuildTools::parse("build_tools", "internal g /abs/g\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("relative to the project's root"), "{e}");
        let e = BuildTools::parse("build_tools", "internal g a\nexternal g b\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("tool `g` is declared twice (first on line 1)"),
            "{e}"
        );
        let e = BuildTools::parse("build_tools", "tool g a\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`tool` is not a kind of tool"), "{e}");
    }
}
