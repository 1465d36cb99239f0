//! What a killed build leaves behind is cleaned up at the next start.

use engine::*;

use crate::support::Project;

#[test]
fn outputs_of_an_unfinished_action_are_deleted_at_start() {
    let p = Project::new(&[("all.list", "a\n"), ("a", "x")]);
    p.build_ok(&["all.cat"]);
    // Simulate a kill after `Started` was logged and the output half-written.
    let (log, _, _) = TraceLog::open(&p.root().join("_build/.caravan/traces")).unwrap();
    log.append(&Record::Started {
        task: "all.cat".into(),
        outputs: vec!["all.cat".into()],
    })
    .unwrap();
    drop(log);
    std::fs::write(p.root().join("_build/all.cat"), "half").unwrap();
    let ran = p.build_ok(&["all.cat"]);
    assert_eq!(ran, ["all.cat"]);
    assert_eq!(p.built("all.cat"), "x");
}

#[test]
fn a_torn_trace_log_costs_only_the_torn_record() {
    let p = Project::new(&[("all.list", "a.len\nb.len\n"), ("a", "x"), ("b", "yy")]);
    p.build_ok(&["all.cat"]);
    let log = p.root().join("_build/.caravan/traces");
    let len = std::fs::metadata(&log).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&log)
        .unwrap()
        .set_len(len - 5)
        .unwrap();
    let ran = p.build_ok(&["all.cat"]);
    // Only the last recorded action (the final cat) lost its trace.
    assert_eq!(ran, ["all.cat"]);
}
