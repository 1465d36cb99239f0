//! The persistent graph: a build that starts from the previous build's
//! graph does the same work as one that walks every task, and visits only
//! the tasks above what changed.

use crate::support::{Project, Recorder};
use std::sync::Arc;

fn project() -> Project {
    Project::with_graph(&[
        ("all.list", "a\nb.len\n"),
        ("a", "alpha\n"),
        ("b", "bb\n"),
        ("other.list", "c\n"),
        ("c", "gamma\n"),
    ])
}

/// Builds `targets`, asserting success; the actions that ran (sorted) and
/// the tasks whose logic ran (sorted).
fn build(p: &Project, targets: &[&str]) -> (Vec<String>, Vec<String>) {
    let (results, rec): (_, Arc<Recorder>) = p.build(targets, 2);
    for r in &results {
        if let Err(e) = r {
            panic!("build failed: {e}");
        }
    }
    let mut ran = rec.started.lock().unwrap().clone();
    ran.sort();
    let mut tasks = rec.tasks.lock().unwrap().clone();
    tasks.sort();
    (ran, tasks)
}

#[test]
fn the_first_build_records_a_graph() {
    let p = project();
    build(&p, &["all.cat", "other.cat"]);
    assert!(p.graph_path().exists());
}

#[test]
fn with_nothing_changed_no_task_runs_its_logic() {
    let p = project();
    build(&p, &["all.cat", "other.cat"]);
    let (ran, tasks) = build(&p, &["all.cat", "other.cat"]);
    assert!(ran.is_empty(), "{ran:?}");
    assert!(
        tasks.is_empty(),
        "every task taken from the graph: {tasks:?}"
    );
}

#[test]
fn an_edit_runs_the_tasks_above_it_and_no_other() {
    let p = project();
    build(&p, &["all.cat", "other.cat"]);
    p.write("a", "ALPHA!\n");
    let (ran, tasks) = build(&p, &["all.cat", "other.cat"]);
    assert_eq!(ran, ["all.cat"]);
    assert_eq!(tasks, ["a", "all.cat"], "other.cat's side is not visited");
    assert_eq!(p.built("all.cat"), "ALPHA!\n3\n");
    // And the graph recorded by that build serves the next one.
    let (ran, tasks) = build(&p, &["all.cat", "other.cat"]);
    assert!(ran.is_empty() && tasks.is_empty(), "{ran:?} {tasks:?}");
}

#[test]
fn an_identical_intermediate_value_stops_at_the_task_that_made_it() {
    let p = project();
    build(&p, &["all.cat"]);
    // Same length: b.len comes out identical, all.cat is taken as it was.
    p.write("b", "xy\n");
    let (ran, tasks) = build(&p, &["all.cat"]);
    assert_eq!(ran, ["b.len"]);
    assert_eq!(tasks, ["b", "b.len"], "all.cat not run: {tasks:?}");
    assert_eq!(p.built("all.cat"), "alpha\n3\n");
}

#[test]
fn a_changed_dependency_list_is_followed() {
    let p = project();
    build(&p, &["all.cat"]);
    p.write("all.list", "a\nb.twice\n");
    let (ran, _) = build(&p, &["all.cat"]);
    assert_eq!(ran, ["all.cat", "b.twice"]);
    assert_eq!(p.built("all.cat"), "alpha\nbb\nbb\n");
    p.write("b", "BB\n");
    let (ran, _) = build(&p, &["all.cat"]);
    assert_eq!(ran, ["all.cat", "b.twice"], "the new dependency is watched");
    assert_eq!(p.built("all.cat"), "alpha\nBB\nBB\n");
}

#[test]
fn a_modified_or_deleted_output_is_rebuilt() {
    let p = project();
    build(&p, &["all.cat"]);
    std::fs::write(p.root().join("_build/b.len"), "999\n").unwrap();
    let (ran, _) = build(&p, &["all.cat"]);
    assert_eq!(ran, ["b.len"]);
    assert_eq!(p.built("b.len"), "3\n");
    std::fs::remove_file(p.root().join("_build/all.cat")).unwrap();
    let (ran, _) = build(&p, &["all.cat"]);
    assert_eq!(ran, ["all.cat"]);
    assert_eq!(p.built("all.cat"), "alpha\n3\n");
}

#[test]
fn a_corrupt_graph_means_walking_every_task() {
    let p = project();
    build(&p, &["all.cat"]);
    let mut bytes = std::fs::read(p.graph_path()).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x5a;
    std::fs::write(p.graph_path(), &bytes).unwrap();
    p.write("a", "changed\n");
    let (ran, tasks) = build(&p, &["all.cat"]);
    assert_eq!(ran, ["all.cat"]);
    assert!(
        tasks.contains(&"b.len".to_string()),
        "a full walk: {tasks:?}"
    );
    assert_eq!(p.built("all.cat"), "changed\n3\n");
}

#[test]
fn an_interrupted_build_leaves_the_previous_graph_usable() {
    let p = project();
    build(&p, &["all.cat"]);
    // A failed build records no graph: the previous one stays.
    p.write("all.list", "a\nb.len\na.fail\n");
    let (results, _) = p.build(&["all.cat"], 2);
    assert!(results[0].is_err());
    // Back as it was: the list's copy comes out as the graph has it, so
    // all.cat, whose command never ran in the failed build, is taken.
    p.write("all.list", "a\nb.len\n");
    let (ran, tasks) = build(&p, &["all.cat"]);
    assert!(ran.is_empty(), "{ran:?}");
    assert_eq!(tasks, ["all.list"]);
    assert_eq!(p.built("all.cat"), "alpha\n3\n");
}
