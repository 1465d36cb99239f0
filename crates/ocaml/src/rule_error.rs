//! The error an OCaml rule (a built-in one, or a plugin's) reports about the
//! project: a [`Category`] the binary maps to ocamlbuild's exit code, the
//! message for the user, and the typed cause when there is one.
//!
//! It reaches the engine as [`engine::Error::Rule`] (through `From`), which
//! keeps it whole; the binary downcasts it back.

use std::error::Error as StdError;
use std::fmt;

/// What kind of problem a rule reports; each has its exit code in the
/// binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// A source the rule needs does not exist: another rule for the same
    /// target may still apply (ocamlbuild's solver failure).
    MissingSource,
    /// A malformed `.depends` file.
    Ocamldep,
    /// Modules that cannot be linked in any order.
    LinkCycle,
    /// A module that is neither in the project nor in a library.
    MissingModule,
    /// A generator or preprocessor succeeded without writing its output.
    MissingOutput,
    /// Members of a pack compiled without `-for-pack`.
    ForPack,
    /// A findlib package named by a command's tags is unknown.
    FindlibPackage,
    /// Another findlib failure (a bad `META`, a cycle among packages...).
    Findlib,
    /// A compiler or tool is missing.
    Toolchain,
    /// A preprocessor command that cannot be run.
    Preprocessor,
    /// A library tag that names several libraries of the project.
    AmbiguousLibrary,
    /// A rule of the plugin (`myocamlbuild.ml`) failed.
    Plugin,
}

/// A problem with the project, found by a rule.
#[derive(Debug)]
pub struct RuleError {
    category: Category,
    message: String,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl RuleError {
    /// An error of `category`; `message` is complete, as the user reads it.
    pub fn new(category: Category, message: impl Into<String>) -> RuleError {
        RuleError {
            category,
            message: message.into(),
            source: None,
        }
    }

    /// An error of `category` whose message is its cause's, kept as its
    /// source.
    pub fn from_source(
        category: Category,
        source: impl StdError + Send + Sync + 'static,
    ) -> RuleError {
        RuleError::new(category, source.to_string()).with_source(source)
    }

    /// The same error, caused by `source` (whose text the message already
    /// tells).
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> RuleError {
        self.source = Some(Box::new(source));
        self
    }

    /// What kind of problem it is.
    pub fn category(&self) -> Category {
        self.category
    }

    /// The message for the user, complete.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The rule error a build error carries, if it is one.
    pub fn of(e: &engine::Error) -> Option<&RuleError> {
        match e {
            engine::Error::Rule { error, .. } => error.downcast_ref::<RuleError>(),
            _ => None,
        }
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for RuleError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

impl From<RuleError> for engine::Error {
    fn from(e: RuleError) -> engine::Error {
        if e.category == Category::MissingSource {
            engine::Error::inapplicable_rule(e)
        } else {
            engine::Error::rule(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_the_message() {
        let e = RuleError::new(Category::Ocamldep, "a.ml.depends: bad line");
        assert_eq!(e.to_string(), "a.ml.depends: bad line");
        assert_eq!(engine::Error::from(e).to_string(), "a.ml.depends: bad line");
    }

    #[test]
    fn the_cause_is_kept_as_source() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = RuleError::new(Category::Toolchain, format!("cannot make x: {io}")).with_source(io);
        assert_eq!(e.to_string(), "cannot make x: no such file");
        let source = e.source().expect("a source");
        let io = source
            .downcast_ref::<std::io::Error>()
            .expect("an io::Error");
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);

        let e = RuleError::from_source(Category::Findlib, std::io::Error::other("bad META"));
        assert_eq!(e.to_string(), "bad META");
        assert!(e.source().is_some());
    }

    #[test]
    fn the_engine_keeps_the_typed_error() {
        let e = engine::Error::from(RuleError::new(Category::LinkCycle, "cycle"));
        let engine::Error::Rule { error, .. } = &e else {
            panic!("not a rule error: {e:?}");
        };
        let rule = error.downcast_ref::<RuleError>().expect("a RuleError");
        assert_eq!(rule.category(), Category::LinkCycle);
        assert!(!e.is_inapplicable());
    }

    #[test]
    fn only_a_missing_source_is_inapplicable() {
        let missing = engine::Error::from(RuleError::new(Category::MissingSource, "no a.ml"));
        assert!(missing.is_inapplicable());
        let other = engine::Error::from(RuleError::new(Category::MissingModule, "no A"));
        assert!(!other.is_inapplicable());
    }
}
