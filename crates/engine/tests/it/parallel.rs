//! Parallelism: independent actions overlap and job slots are respected.
//! (The priority order of waiting actions is tested in `slots.rs` and
//! `critical_path.rs`.)

use crate::support::Project;

#[test]
fn independent_actions_run_at_the_same_time() {
    // Each action waits for the other to have started: this only succeeds
    // when both run at once.
    let p = Project::new(&[
        ("l", "r.meet\n"),
        ("r", "l.meet\n"),
        ("both.list", "l.meet\nr.meet\n"),
    ]);
    let (results, _) = p.build(&["both.cat"], 2);
    assert!(results[0].is_ok(), "{:?}", results[0]);
}

#[test]
fn one_slot_runs_one_action_at_a_time() {
    let p = Project::new(&[
        ("l", "r.meet\n"),
        ("r", "l.meet\n"),
        ("both.list", "l.meet\nr.meet\n"),
    ]);
    let (results, _) = p.build(&["both.cat"], 1);
    assert!(results[0].is_err());
}

/// With one slot, an action that starts after the failing one starts after
/// it failed: none may. The others need two actions each (`X.twice`, then
/// its length), so some are always left when the failure comes, whichever
/// of the independent tasks reaches the slot first (that order is the
/// runtime's).
#[test]
fn a_failure_stops_new_actions() {
    let p = Project::new(&[
        (
            "all.list",
            "a.fail\nb.twice.len\nc.twice.len\nd.twice.len\n",
        ),
        ("a", ""),
        ("b", ""),
        ("c", ""),
        ("d", ""),
    ]);
    let (results, rec) = p.build(&["all.cat"], 1);
    match &results[0] {
        Err(engine::Error::CommandFailed(f)) => {
            assert_eq!(f.exit_code, Some(2));
            assert_eq!(f.output, "broken\n");
        }
        other => panic!("unexpected {other:?}"),
    }
    let started = rec.started.lock().unwrap().clone();
    assert!(!started.contains(&"all.cat".to_string()));
    assert_eq!(
        started.last().map(String::as_str),
        Some("a.fail"),
        "{started:?}"
    );
    let lengths = started.iter().filter(|s| s.ends_with(".len")).count();
    assert!(lengths < 3, "{started:?}");
}
