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

#[test]
fn a_failure_stops_new_actions() {
    let p = Project::new(&[
        ("all.list", "a.fail\nb.len\nc.len\nd.len\n"),
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
    assert!(started.len() < 4, "{started:?}");
}
