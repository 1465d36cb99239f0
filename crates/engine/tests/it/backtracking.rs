//! Several rules for one target: the engine tries them in order and falls
//! to the next when one's inputs cannot be built, as ocamlbuild's solver.

use crate::support::Project;

#[test]
fn the_first_rule_whose_inputs_exist_makes_the_target() {
    let p = Project::new(&[("x.second", "from the second rule\n")]);
    assert_eq!(p.build_ok(&["x.pick"]), ["x.pick"]);
    assert_eq!(p.built("x.pick"), "from the second rule\n");
    // Nothing changed: the chosen rule's action is up to date.
    assert!(p.build_ok(&["x.pick"]).is_empty());
    // A source for the first rule appears: it wins from now on.
    p.write("x.first", "from the first rule\n");
    assert_eq!(p.build_ok(&["x.pick"]), ["x.pick"]);
    assert_eq!(p.built("x.pick"), "from the first rule\n");
}

#[test]
fn when_no_rule_applies_the_first_rule_s_error_is_reported() {
    let p = Project::new(&[]);
    let (results, _) = p.build(&["x.pick"], 2);
    match &results[0] {
        Err(engine::Error::NoRule { target, .. }) => assert_eq!(target.as_str(), "x.first"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_rule_whose_command_failed_is_not_given_up() {
    let p = Project::new(&[("x", "content\n")]);
    let (results, rec) = p.build(&["x.strict"], 2);
    assert!(
        matches!(results[0], Err(engine::Error::CommandFailed(_))),
        "{:?}",
        results[0]
    );
    assert_eq!(*rec.started.lock().unwrap(), ["x.strict"]);
}
