//! Inputs that once made the `meta` fuzz target fail
//! (`fuzz/regressions/meta/`), replayed through the target's own checks.

#[path = "../../../../fuzz/checks/meta.rs"]
mod meta;
#[path = "../../../../fuzz/checks/replay.rs"]
mod replay;

#[test]
fn meta_regressions_pass_the_fuzz_checks() {
    replay::replay("meta", meta::check);
}
