//! Where the time went: `-trace FILE` (a Chrome trace-event file),
//! `-explain TARGET` and `-graph FORMAT`.

use std::collections::HashSet;

use serde_json::Value;

use crate::support::Tree;

/// The action events (`cat: "action"`) of a trace file.
fn actions(t: &Tree, file: &str) -> Vec<Value> {
    let trace: Value = serde_json::from_str(&t.read(file)).expect("a JSON trace");
    let events = trace["traceEvents"].as_array().expect("traceEvents");
    events
        .iter()
        .filter(|e| e["cat"] == "action")
        .cloned()
        .collect()
}

#[test]
fn the_trace_has_every_command_of_the_build_with_its_duration_and_slot() {
    let (t, expected) = Tree::layered(12, 3);
    t.caravan(&["-j", "3", "-trace", "trace.json", "main.native"])
        .ok();
    assert_eq!(t.run("./main.native", &[]).ok().stdout, expected);
    let events = actions(&t, "trace.json");
    let mut commands = HashSet::new();
    for a in &events {
        assert_eq!(a["ph"], "X");
        assert!(a["dur"].as_f64().expect("dur") > 0.0, "{a}");
        assert!(a["ts"].as_f64().expect("ts") >= 0.0, "{a}");
        assert!(!a["name"].as_str().expect("name").is_empty());
        if a["pid"] == 1 {
            let slot = a["tid"].as_u64().expect("tid");
            assert!((1..=3).contains(&slot), "slot {slot} with -j 3: {a}");
        }
        commands.insert(a["args"]["command"].as_str().expect("command").to_string());
        for p in a["args"]["prepare"].as_array().expect("prepare") {
            commands.insert(p.as_str().expect("a step").to_string());
        }
    }
    let log = t.commands();
    assert!(log.len() > 12, "{log:?}");
    for c in &log {
        assert!(commands.contains(c), "{c} is not in the trace");
    }
    let trace: Value = serde_json::from_str(&t.read("trace.json")).expect("JSON");
    let waits = trace["traceEvents"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["cat"] == "wait" && e["name"] == "main.native")
        .count();
    assert_eq!(waits, 1, "the link waited for its dependencies");

    // A null build writes a trace with no action.
    t.caravan(&["-trace", "again.json", "main.native"]).ok();
    assert!(actions(&t, "again.json").is_empty());
}
