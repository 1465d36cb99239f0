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

fn two_modules() -> Tree {
    Tree::new(&[
        ("util.ml", "let answer = 41\n"),
        ("other.ml", "let name = \"other\"\n"),
        (
            "main.ml",
            "let () = print_int (Util.answer + String.length Other.name)\n",
        ),
    ])
}

#[test]
fn explain_names_the_compile_of_the_edited_file_and_its_reason() {
    let t = two_modules();
    t.caravan(&["main.native"]).ok();
    t.write("util.ml", "let answer = 42\n");
    t.caravan(&["main.native"]).ok();
    let out = t.caravan(&["-explain", "main.native"]).ok().stdout;
    assert!(
        out.contains("util.cmx: util.ml changed\n"),
        "the edited module's compile and its reason:\n{out}"
    );
    assert!(out.contains("-o util.cmx util.ml"), "{out}");
    assert!(
        !out.contains("other.cmx:"),
        "other.ml did not change:\n{out}"
    );
    // Nothing ran in a null build.
    t.caravan(&["main.native"]).ok();
    let out = t.caravan(&["-explain", "main.native"]).ok().stdout;
    assert!(out.contains("nothing that leads to it ran"), "{out}");
}

#[test]
fn explain_before_any_build_says_so() {
    let t = two_modules();
    let r = t.caravan(&["-explain", "main.native"]);
    assert_ne!(r.code, 0);
    assert!(r.stdout.contains("no build is recorded"), "{}", r.stdout);
}

#[test]
fn the_json_graph_has_the_recorded_dependencies_of_the_targets() {
    let t = two_modules();
    t.caravan(&["main.native", "main.byte"]).ok();
    let out = t.caravan(&["-graph", "json", "main.native"]).ok().stdout;
    let graph: Value = serde_json::from_str(&out).expect("JSON graph");
    assert_eq!(graph["roots"], serde_json::json!(["main.native"]));
    let edges: HashSet<(String, String)> = graph["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            (
                e["from"].as_str().expect("from").to_string(),
                e["to"].as_str().expect("to").to_string(),
            )
        })
        .collect();
    for (from, to) in [
        ("main.native", "main.cmx"),
        ("main.native", "util.cmx"),
        ("main.native", "other.cmx"),
        ("util.cmx", "util.ml"),
    ] {
        assert!(
            edges.contains(&(from.to_string(), to.to_string())),
            "{from} -> {to} in {edges:?}"
        );
    }
    let names: Vec<&str> = graph["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["name"].as_str().expect("name"))
        .collect();
    assert!(
        !names.contains(&"main.byte"),
        "only what leads to main.native"
    );
    assert!(
        edges
            .iter()
            .all(|(f, t)| names.contains(&f.as_str()) && names.contains(&t.as_str())),
        "every edge joins two nodes"
    );

    let dot = t.caravan(&["-graph", "dot", "main.native"]).ok().stdout;
    assert!(dot.starts_with("digraph build {"), "{dot}");
    assert!(dot.contains("\"main.native\" -> \"main.cmx\";"), "{dot}");

    let bad = t.caravan(&["-graph", "svg"]);
    assert_ne!(bad.code, 0);
}

#[test]
fn stats_is_an_option_and_observing_options_do_not_reach_the_plugin() {
    let t = Tree::new(&[
        ("main.ml", "let () = print_int 1\n"),
        (
            "myocamlbuild.ml",
            "open Ocamlbuild_plugin\nlet () = dispatch (fun _ -> ())\n",
        ),
    ]);
    let out = t
        .caravan(&["-stats", "-trace", "t.json", "main.native"])
        .ok()
        .stdout;
    assert!(out.contains("caravan-stats: files-hashed="), "{out}");
    assert!(!actions(&t, "t.json").is_empty());
    // Observing a build does not change its null-build key.
    t.caravan(&["main.native"]).ok();
    let out = t
        .caravan(&["-stats", "-trace", "u.json", "main.native"])
        .ok()
        .stdout;
    assert!(out.contains("null-build="), "a null build:\n{out}");
}

/// `-stats` splits the CPU time: caravan's own threads apart from the
/// commands it ran (the compilers of a cold build take CPU; a null build
/// runs none).
#[test]
fn stats_split_caravans_own_cpu_from_its_commands() {
    let t = Tree::new(&[
        ("a.ml", "let x = List.init 10 (fun i -> i)\n"),
        ("main.ml", "let () = print_int (List.length A.x)\n"),
    ]);
    let cpu = |out: &str| -> (f64, f64) {
        let line = out
            .lines()
            .find(|l| l.starts_with("caravan-stats: cpu "))
            .unwrap_or_else(|| panic!("no cpu line in:\n{out}"));
        let field = |name: &str| -> f64 {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(name))
                .and_then(|v| v.trim_end_matches('s').parse().ok())
                .unwrap_or_else(|| panic!("{name} in {line}"))
        };
        (
            field("own-user=") + field("own-sys="),
            field("children-user=") + field("children-sys="),
        )
    };
    let cold = t
        .caravan(&["-no-cache", "-stats", "main.native"])
        .ok()
        .stdout;
    let (_, children) = cpu(&cold);
    assert!(children > 0.0, "the compilers ran:\n{cold}");
    let null = t
        .caravan(&["-no-cache", "-stats", "main.native"])
        .ok()
        .stdout;
    let (_, children) = cpu(&null);
    assert_eq!(children, 0.0, "a null build runs no command:\n{null}");
}
