//! Cycles are errors, never deadlocks.

use crate::support::Project;

#[test]
fn a_target_needing_itself_is_a_cycle() {
    let p = Project::new(&[("x.list", "x.cat\n")]);
    let (results, _) = p.build(&["x.cat"], 2);
    assert!(
        matches!(results[0], Err(engine::Error::Cycle { .. })),
        "{:?}",
        results[0]
    );
}

#[test]
fn a_two_step_cycle_is_reported_with_its_members() {
    let p = Project::new(&[("x.list", "y.cat\n"), ("y.list", "x.cat\n")]);
    let (results, _) = p.build(&["x.cat"], 2);
    match &results[0] {
        Err(engine::Error::Cycle { cycle }) => {
            let mut names: Vec<&str> = cycle.iter().map(|t| t.as_str()).collect();
            names.sort();
            assert_eq!(names, ["x.cat", "y.cat"]);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn cycles_entered_from_two_sides_at_once_do_not_deadlock() {
    let p = Project::new(&[("x.list", "y.cat\n"), ("y.list", "x.cat\n")]);
    let (results, _) = p.build(&["x.cat", "y.cat"], 2);
    assert!(results.iter().all(|r| r.is_err()));
}

#[test]
fn a_cycle_is_reported_from_the_task_the_build_started_first() {
    // x asks for y and z at once, and y and z ask for each other: which
    // request finds the cycle depends on timing, but the report starts at
    // y, started first, on every run.
    let files = [
        ("x.list", "y.cat\nz.cat\n"),
        ("y.list", "z.cat\n"),
        ("z.list", "y.cat\n"),
    ];
    for _ in 0..20 {
        let p = Project::new(&files);
        let (results, _) = p.build(&["x.cat"], 2);
        match &results[0] {
            Err(engine::Error::Cycle { cycle }) => {
                let names: Vec<&str> = cycle.iter().map(|t| t.as_str()).collect();
                assert_eq!(names, ["y.cat", "z.cat"]);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
