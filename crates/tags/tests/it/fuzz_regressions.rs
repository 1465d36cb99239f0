//! Inputs that once made the `tags_parser` or `glob` fuzz target fail
//! (`fuzz/regressions/`), replayed through the targets' own checks.

#[path = "../../../../fuzz/checks/glob.rs"]
mod glob;
#[path = "../../../../fuzz/checks/replay.rs"]
mod replay;
#[path = "../../../../fuzz/checks/tags_parser.rs"]
mod tags_parser;

#[test]
fn tags_parser_regressions_pass_the_fuzz_checks() {
    replay::replay("tags_parser", tags_parser::check);
}

#[test]
fn glob_regressions_pass_the_fuzz_checks() {
    replay::replay("glob", glob::check);
}
