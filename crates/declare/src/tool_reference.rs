//! `%{toolname}` in a configuration text (a `_tags` file): a reference to
//! a tool of `build_tools`, replaced by the tool's path.
//!
//! A reference is `%{` a tool name (letters, digits, `_`, `-`) `}`. Any
//! other `%{` is left as it is. A reference to a tool `build_tools` does
//! not declare is an error at its line and characters.

use crate::build_tools::{BuildTools, Tool};
use crate::error::{Error, Place};
use crate::line::is_name;

/// One `%{name}` found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolReference {
    /// The tool's name.
    pub name: String,
    /// Where it is.
    pub place: Place,
}

/// The `%{name}` references of `text`: their byte ranges and names, in
/// order. The one scanner of the syntax: [`references`], [`substitute`]
/// and [`BuildTools::expand`] are built on it.
fn spans(text: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("%{") {
        let start = from + at;
        let rest = &text[start + 2..];
        match rest.find('}') {
            Some(close) if is_name(&rest[..close]) => {
                let end = start + 2 + close + 1;
                out.push((start..end, &rest[..close]));
                from = end;
            }
            _ => from = start + 2,
        }
    }
    out
}

/// The references of `text` (named `file` in places), in order.
pub fn references(file: &str, text: &str) -> Vec<ToolReference> {
    spans(text)
        .into_iter()
        .map(|(range, name)| {
            let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
            ToolReference {
                name: name.to_string(),
                place: Place {
                    file: file.to_string(),
                    line: text[..range.start].matches('\n').count() + 1,
                    start: text[line_start..range.start].chars().count(),
                    end: text[line_start..range.end].chars().count(),
                },
            }
        })
        .collect()
}

/// `text` with every `%{name}` replaced by `replace(name)`; the first name
/// it has no replacement for is the error.
pub fn substitute(
    text: &str,
    mut replace: impl FnMut(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (range, name) in spans(text) {
        let Some(with) = replace(name) else {
            return Err(name.to_string());
        };
        out.push_str(&text[copied..range.start]);
        out.push_str(&with);
        copied = range.end;
    }
    out.push_str(&text[copied..]);
    Ok(out)
}

impl BuildTools {
    /// `text` with every `%{name}` replaced by `path_of` the tool; the
    /// first reference to an undeclared tool is an error.
    pub fn expand(
        &self,
        file: &str,
        text: &str,
        path_of: &dyn Fn(&Tool) -> String,
    ) -> Result<String, Error> {
        substitute(text, |name| self.get(name).map(path_of))
            .map_err(|name| self.unknown(file, text, &name))
    }

    /// The error for the first `%{name}` of `text`.
    fn unknown(&self, file: &str, text: &str, name: &str) -> Error {
        let place = references(file, text)
            .into_iter()
            .find(|r| r.name == name)
            .map(|r| r.place)
            .unwrap_or(Place {
                file: file.to_string(),
                line: 1,
                start: 0,
                end: 0,
            });
        Error::UnknownTool {
            place,
            name: name.to_string(),
            known: self.tools.iter().map(|t| t.name.clone()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tools() -> BuildTools {
        BuildTools::parse(
            "build_tools",
            "internal gen gen/gen.native\nexternal sh /bin/sh\n",
        )
        .unwrap()
    }

    #[test]
    fn references_are_replaced_other_percent_signs_kept() {
        let t = tools();
        let got = t
            .expand(
                "_tags",
                "<*.ml>: pp(%{gen} -x), other(%{not a name} 100%{)\n<a>: pp(%{sh})",
                &|tool| format!("[{}]", tool.path),
            )
            .unwrap();
        assert_eq!(
            got,
            "<*.ml>: pp([gen/gen.native] -x), other(%{not a name} 100%{)\n<a>: pp([/bin/sh])"
        );
    }

    #[test]
    fn an_unknown_tool_is_an_error_at_its_place() {
        let t = tools();
        let e = t
            .expand("sub/_tags", "true: debug\n<é.ml>: pp(%{nope})\n", &|t| {
                t.path.clone()
            })
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("File \"sub/_tags\", line 2, characters 11-18:\nError: no tool `nope`"),
            "{e}"
        );
        assert!(e.contains("the declared tools are gen, sh"), "{e}");
    }

    #[test]
    fn references_list_names_and_places() {
        let r = references("f", "a %{x} b %{y-1}\n%{z}");
        let names: Vec<_> = r.iter().map(|r| (r.name.as_str(), r.place.line)).collect();
        assert_eq!(names, [("x", 1), ("y-1", 1), ("z", 2)]);
        assert_eq!((r[0].place.start, r[0].place.end), (2, 6));
    }
}
