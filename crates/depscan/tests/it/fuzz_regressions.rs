//! Inputs that once made the `depscan` fuzz target fail
//! (`fuzz/regressions/depscan/`), replayed through the target's own checks.

#[path = "../../../../fuzz/checks/depscan.rs"]
mod depscan_check;
#[path = "../../../../fuzz/checks/replay.rs"]
mod replay;

#[test]
fn depscan_regressions_pass_the_fuzz_checks() {
    replay::replay("depscan", depscan_check::check);
}
