//! Exit codes, the same as ocamlbuild's so that scripts keep working.

use engine::Error;
use session::{Category, RuleError};

/// Success; also `-help`, `-version`, `-clean`.
pub const OK: u8 = 0;
/// A usage error or a hygiene violation.
pub const USAGE: u8 = 1;
/// A failure before the build (bad `-I`, missing compiler, unsupported option).
pub const FAILURE: u8 = 2;
/// An internal error (a bug in caravan).
pub const INTERNAL: u8 = 3;
/// A system error (I/O).
pub const SYSTEM: u8 = 4;
/// Something had to be rebuilt under `-nothing-should-be-rebuilt`, or
/// another unexpected failure.
pub const OTHER: u8 = 100;
/// A target depends on itself.
pub const CYCLE: u8 = 5;
/// No rule or no source for a target.
pub const NO_RULE: u8 = 6;
/// A malformed dependency file.
pub const OCAMLDEP: u8 = 7;
/// Modules that cannot be linked in any order.
pub const LINK_CYCLE: u8 = 9;
/// A command exited with a non-zero status.
pub const COMMAND_FAILED: u8 = 10;
/// A command was killed by a signal.
pub const COMMAND_KILLED: u8 = 11;
/// caravan itself was interrupted (SIGINT or SIGTERM): 128 + SIGINT, as a
/// shell reports it.
pub const INTERRUPTED: u8 = 130;

/// The exit code for a build error.
pub fn of_error(e: &Error) -> u8 {
    match e {
        Error::NoRule { .. } => NO_RULE,
        Error::Cycle { .. } => CYCLE,
        Error::CommandFailed(f) if f.signal.is_some() => COMMAND_KILLED,
        Error::CommandFailed(_) => COMMAND_FAILED,
        Error::MissingOutput { .. } => COMMAND_FAILED,
        Error::Rule { error, .. } => match error.downcast_ref::<RuleError>() {
            Some(rule) => of_category(rule.category()),
            // Every rule of caravan reports a `RuleError`.
            None => FAILURE,
        },
        Error::SourceVanished { .. } => NO_RULE,
        Error::MustNotRebuild { .. } => OTHER,
        Error::Io { .. } => SYSTEM,
        Error::Stopped => COMMAND_FAILED,
        Error::Internal(_) => INTERNAL,
    }
}

/// The exit code for several build errors: a failed command's, when one
/// failed (the code a build that stopped at its first failed command gives
/// too, most often), else the first error's.
pub fn of_errors(errors: &[Error]) -> u8 {
    errors
        .iter()
        .find(|e| matches!(e, Error::CommandFailed(_)))
        .or(errors.first())
        .map_or(COMMAND_FAILED, of_error)
}

/// The exit code for a rule's error of `category`.
pub fn of_category(category: Category) -> u8 {
    match category {
        Category::MissingSource => NO_RULE,
        Category::Ocamldep => OCAMLDEP,
        Category::LinkCycle => LINK_CYCLE,
        Category::MissingModule => NO_RULE,
        Category::MissingOutput => COMMAND_FAILED,
        Category::ForPack => COMMAND_FAILED,
        // ocamlbuild runs the `ocamlfind` command, which fails.
        Category::FindlibPackage => COMMAND_FAILED,
        Category::Findlib => FAILURE,
        Category::Toolchain => FAILURE,
        Category::Preprocessor => FAILURE,
        Category::AmbiguousLibrary => FAILURE,
        Category::Plugin => FAILURE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(category: Category) -> u8 {
        of_error(&Error::from(RuleError::new(category, "message")))
    }

    #[test]
    fn each_category_has_ocamlbuilds_exit_code() {
        let expected = [
            (Category::MissingSource, 6),
            (Category::Ocamldep, 7),
            (Category::LinkCycle, 9),
            (Category::MissingModule, 6),
            (Category::MissingOutput, 10),
            (Category::ForPack, 10),
            (Category::FindlibPackage, 10),
            (Category::Findlib, 2),
            (Category::Toolchain, 2),
            (Category::Preprocessor, 2),
            (Category::AmbiguousLibrary, 2),
            (Category::Plugin, 2),
        ];
        for (category, exit) in expected {
            assert_eq!(code(category), exit, "{category:?}");
        }
    }

    #[test]
    fn the_engines_own_failures_keep_their_codes() {
        let vanished = Error::SourceVanished {
            path: "a.ml".into(),
        };
        assert_eq!(of_error(&vanished), NO_RULE);
        let rebuild = Error::MustNotRebuild {
            target: engine::Target::new("a.cmo"),
            reason: engine::Reason::NoTrace,
            command: "ocamlc -c a.ml".into(),
        };
        assert_eq!(of_error(&rebuild), OTHER);
    }

    #[test]
    fn a_foreign_rule_error_is_a_failure() {
        let e = Error::rule(std::io::Error::other("not a RuleError"));
        assert_eq!(of_error(&e), FAILURE);
    }
}
