//! Exit codes, the same as ocamlbuild's so that scripts keep working.

use engine::Error;

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
        Error::Rule { category, .. } => match *category {
            engine::MISSING_SOURCE => NO_RULE,
            "ocamldep" => OCAMLDEP,
            "link-cycle" => LINK_CYCLE,
            "missing-module" => NO_RULE,
            "missing-output" => COMMAND_FAILED,
            "must-not-rebuild" => OTHER,
            "for-pack" => COMMAND_FAILED,
            // ocamlbuild runs the `ocamlfind` command, which fails.
            "findlib-package" => COMMAND_FAILED,
            "toolchain" => FAILURE,
            _ => FAILURE,
        },
        Error::Io { .. } => SYSTEM,
        Error::Stopped => COMMAND_FAILED,
        Error::Internal(_) => INTERNAL,
    }
}
