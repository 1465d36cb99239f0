//! A tag warning ([`Warning`]): what is wrong with a tag, where it was
//! written, and ocamlbuild's text for it. Flag declarations report misused
//! parameters with it, the startup checks (`warnings`) unused tags.

use crate::location::{Location, quote};
use std::fmt;

/// What a warning says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarningKind {
    /// No flag or dependency declaration mentions the tag.
    UnusedTag(String),
    /// A parametrised tag name used without a parameter.
    ExpectsParameter(String),
    /// A parameter on a tag name that is not declared parametrised.
    UnexpectedParameter {
        /// The tag name.
        name: String,
        /// The parameter given.
        param: String,
    },
}

/// A warning, optionally located. `Display` is ocamlbuild's text: the
/// location line (when there is one), a newline, then the message; no
/// trailing newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where the offending tag was written.
    pub location: Option<Location>,
    /// What is wrong.
    pub kind: WarningKind,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(l) = &self.location {
            writeln!(f, "{l}")?;
        }
        match &self.kind {
            WarningKind::UnusedTag(tag) => write!(
                f,
                "Warning: the tag {} is not used in any flag or dependency declaration, so it will have no effect; it may be a typo. Otherwise you can use `mark_tag_used` in your myocamlbuild.ml to disable this warning.",
                quote(tag)
            ),
            WarningKind::ExpectsParameter(name) => {
                write!(f, "Warning: tag {} expects a parameter", quote(name))
            }
            WarningKind::UnexpectedParameter { name, param } => write!(
                f,
                "Warning: tag {} does not expect a parameter, but is used with parameter {}",
                quote(name),
                quote(param)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warning_texts_match_ocamlbuild() {
        let w = Warning {
            location: None,
            kind: WarningKind::UnexpectedParameter {
                name: "package".into(),
                param: "x".into(),
            },
        };
        assert_eq!(
            w.to_string(),
            "Warning: tag \"package\" does not expect a parameter, but is used with parameter \"x\""
        );
        let w = Warning {
            location: None,
            kind: WarningKind::ExpectsParameter("warn".into()),
        };
        assert_eq!(w.to_string(), "Warning: tag \"warn\" expects a parameter");
    }
}
