//! Null builds, touched files, edits and early cutoff.

use crate::support::Project;

fn project() -> Project {
    Project::new(&[("all.list", "a\nb.len\n"), ("a", "alpha\n"), ("b", "bb\n")])
}

#[test]
fn dynamic_dependencies_are_built_first() {
    let p = project();
    let ran = p.build_ok(&["all.cat"]);
    assert_eq!(ran, ["all.cat", "b.len"]);
    assert_eq!(p.built("all.cat"), "alpha\n3\n");
}

#[test]
fn null_build_runs_nothing() {
    let p = project();
    p.build_ok(&["all.cat"]);
    assert!(p.build_ok(&["all.cat"]).is_empty());
}

#[test]
fn touching_a_source_without_changing_it_runs_nothing() {
    let p = project();
    p.build_ok(&["all.cat"]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    p.write("b", "bb\n");
    assert!(p.build_ok(&["all.cat"]).is_empty());
}

#[test]
fn an_edit_reruns_its_dependents() {
    let p = project();
    p.build_ok(&["all.cat"]);
    p.write("a", "ALPHA!\n");
    assert_eq!(p.build_ok(&["all.cat"]), ["all.cat"]);
    assert_eq!(p.built("all.cat"), "ALPHA!\n3\n");
}

#[test]
fn an_identical_intermediate_output_stops_the_rebuild() {
    let p = project();
    p.build_ok(&["all.cat"]);
    // Same length: b.len is rebuilt identical, all.cat is not rebuilt.
    p.write("b", "xy\n");
    assert_eq!(p.build_ok(&["all.cat"]), ["b.len"]);
}

#[test]
fn a_changed_dependency_list_is_followed() {
    let p = project();
    p.build_ok(&["all.cat"]);
    p.write("all.list", "a\nb.twice\n");
    assert_eq!(p.build_ok(&["all.cat"]), ["all.cat", "b.twice"]);
    assert_eq!(p.built("all.cat"), "alpha\nbb\nbb\n");
}

#[test]
fn a_modified_output_is_rebuilt() {
    let p = project();
    p.build_ok(&["all.cat"]);
    std::fs::write(p.root().join("_build/b.len"), "999\n").unwrap();
    assert_eq!(p.build_ok(&["all.cat"]), ["b.len"]);
    assert_eq!(p.built("b.len"), "3\n");
}

#[test]
fn a_deleted_output_is_rebuilt() {
    let p = project();
    p.build_ok(&["all.cat"]);
    std::fs::remove_file(p.root().join("_build/all.cat")).unwrap();
    assert_eq!(p.build_ok(&["all.cat"]), ["all.cat"]);
}

#[test]
fn outputs_of_a_deleted_source_leave_the_build_dir() {
    let p = project();
    p.build_ok(&["all.cat", "b.twice"]);
    assert!(p.root().join("_build/b.twice").exists());
    std::fs::remove_file(p.root().join("b")).unwrap();
    p.write("all.list", "a\n");
    p.build_ok(&["all.cat"]);
    for gone in ["b", "b.len", "b.twice"] {
        assert!(
            !p.root().join("_build").join(gone).exists(),
            "{gone} should have been removed"
        );
    }
}

#[test]
fn unknown_targets_are_reported_with_their_requester() {
    let p = project();
    p.write("all.list", "a\nnope\n");
    let (results, _) = p.build(&["all.cat"], 2);
    match &results[0] {
        Err(engine::Error::NoRule { target, via }) => {
            assert_eq!(target.as_str(), "nope");
            assert_eq!(
                via.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                ["all.cat"]
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn an_unchanged_source_is_not_copied_again() {
    use std::os::unix::fs::MetadataExt;
    let p = project();
    p.build_ok(&["all.cat"]);
    let inode = std::fs::metadata(p.root().join("_build/a")).unwrap().ino();
    p.write("all.list", "a\nb.len\n\n");
    p.build_ok(&["all.cat"]);
    assert_eq!(
        std::fs::metadata(p.root().join("_build/a")).unwrap().ino(),
        inode
    );
}

#[test]
fn a_prepared_directory_is_emptied_and_stamped() {
    let p = project();
    assert_eq!(p.build_ok(&["a.d/stamp"]), ["a.d/stamp"]);
    assert_eq!(p.built("a.d/copy"), "alpha\n");
    let stamp = p.built("a.d/stamp");
    assert_eq!(stamp.len(), 64, "a hex digest: {stamp}");
    assert!(p.build_ok(&["a.d/stamp"]).is_empty());
    // A file left in the directory does not survive the next run.
    p.write("_build/a.d/stale", "x");
    p.write("a", "ALPHA\n");
    assert_eq!(p.build_ok(&["a.d/stamp"]), ["a.d/stamp"]);
    assert!(!p.root().join("_build/a.d/stale").exists());
    assert_eq!(p.built("a.d/copy"), "ALPHA\n");
    assert_ne!(p.built("a.d/stamp"), stamp);
}

#[test]
fn a_probe_finds_an_up_to_date_trace_without_building_it() {
    let p = project();
    assert_eq!(p.build_ok(&["b.peek"]), ["b.peek"]);
    assert_eq!(p.built("b.peek"), "none\n", "no trace of b.len yet");
    assert_eq!(p.build_ok(&["b.len"]), ["b.len"]);
    assert_eq!(p.build_ok(&["b.peek"]), ["b.peek"]);
    assert_eq!(p.built("b.peek"), "3\n", "b.len's output, not rebuilt");
    assert!(p.build_ok(&["b.peek"]).is_empty());
}

#[test]
fn a_probe_of_a_stale_trace_finds_nothing() {
    let p = project();
    p.build_ok(&["b.len"]);
    p.write("b", "longer\n");
    assert_eq!(p.build_ok(&["b.peek"]), ["b.peek"]);
    assert_eq!(p.built("b.peek"), "none\n");
    p.build_ok(&["b.len"]);
    std::fs::write(p.root().join("_build/b.len"), "9\n").unwrap();
    p.build_ok(&["b.peek"]);
    assert_eq!(p.built("b.peek"), "none\n", "an output changed since");
}

#[test]
fn an_equivalent_recorded_action_stands_for_the_task_s_own() {
    let p = project();
    p.write("prefer-cat", "");
    assert_eq!(p.build_ok(&["a.either"]), ["a.either"]);
    std::fs::remove_file(p.root().join("prefer-cat")).unwrap();
    let (results, rec) = p.build(&["a.either"], 2);
    assert!(results.iter().all(Result::is_ok));
    assert!(rec.started.lock().unwrap().is_empty());
    assert_eq!(*rec.cached.lock().unwrap(), ["a.either"]);
    p.write("a", "changed\n");
    assert_eq!(p.build_ok(&["a.either"]), ["a.either"]);
    assert_eq!(p.built("a.either"), "changed\n");
}
