//! Keeping going after a failure (`EngineConfig::keep_going`): the work
//! that does not depend on a failed target still runs, the work that does
//! never starts, and every distinct failure is reported once. Without it,
//! the first failure stops new actions (`parallel::a_failure_stops_new_actions`).

use crate::support::Project;

fn started(rec: &crate::support::Recorder) -> Vec<String> {
    let mut started = rec.started.lock().unwrap().clone();
    started.sort();
    started
}

/// With one slot, the independent actions all start after the failure
/// (whichever order the runtime picks, some come after it), and they run.
#[test]
fn independent_actions_run_after_a_failure() {
    let p = Project::new(&[
        (
            "all.list",
            "a.fail\nb.twice.len\nc.twice.len\nd.twice.len\n",
        ),
        ("a", ""),
        ("b", "b"),
        ("c", "cc"),
        ("d", "ddd"),
    ]);
    let (results, rec, failures) = p.build_with(&["all.cat"], 1, true);
    match &results[0] {
        Err(engine::Error::CommandFailed(f)) => assert_eq!(f.target.as_str(), "a.fail"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        started(&rec),
        [
            "a.fail",
            "b.twice",
            "b.twice.len",
            "c.twice",
            "c.twice.len",
            "d.twice",
            "d.twice.len"
        ]
    );
    assert_eq!(p.built("d.twice.len").trim(), "6");
    // `all.cat` failed with `a.fail`'s error: one failure.
    assert_eq!(failures.len(), 1, "{failures:?}");
}

#[test]
fn dependents_of_a_failure_do_not_run() {
    let p = Project::new(&[
        ("broken.list", "a.fail\nb.len\n"),
        ("fine.list", "c.len\n"),
        ("top.list", "broken.cat\n"),
        ("a", ""),
        ("b", "b"),
        ("c", "c"),
    ]);
    let (results, rec, failures) = p.build_with(&["top.cat", "fine.cat"], 2, true);
    assert!(results[0].is_err());
    assert!(results[1].is_ok(), "{:?}", results[1]);
    assert_eq!(started(&rec), ["a.fail", "b.len", "c.len", "fine.cat"]);
    assert_eq!(p.built("fine.cat"), "1\n");
    assert_eq!(failures.len(), 1, "{failures:?}");
}

#[test]
fn every_failure_is_reported_once_in_target_order() {
    let p = Project::new(&[
        ("all.list", "z.fail\nb.len\nm.fail\n"),
        ("other.list", "m.fail\n"),
        ("z", ""),
        ("m", ""),
        ("b", "b"),
    ]);
    let (results, rec, failures) = p.build_with(&["all.cat", "other.cat"], 2, true);
    assert!(results.iter().all(|r| r.is_err()));
    assert!(started(&rec).contains(&"b.len".to_string()));
    let failed: Vec<String> = failures
        .iter()
        .map(|e| match e {
            engine::Error::CommandFailed(f) => f.target.to_string(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(failed, ["m.fail", "z.fail"]);
}

#[test]
fn without_keep_going_the_first_failure_is_the_only_one() {
    let p = Project::new(&[("all.list", "a.fail\nb.fail\n"), ("a", ""), ("b", "")]);
    let (results, rec, failures) = p.build_with(&["all.cat"], 1, false);
    assert!(results[0].is_err());
    assert_eq!(rec.started.lock().unwrap().len(), 1);
    assert_eq!(failures.len(), 1, "{failures:?}");
}
