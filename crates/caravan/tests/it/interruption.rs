//! A build killed with SIGKILL or interrupted with SIGINT at any moment,
//! cold or rebuilding after an edit: the next run finishes with a correct
//! result and reruns nothing that had completed.
//!
//! `./test.sh` tries a dozen random instants; `scripts/soak.sh` more
//! (`CARAVAN_KILL_INSTANTS`, `CARAVAN_KILL_SEED`).

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use engine::{Record, read_records};

use crate::support::{Tree, caravan_bin};

/// The records of the trace store so far.
fn trace_records(t: &Tree) -> Vec<Record> {
    read_records(&t.path("_build/.caravan/traces")).unwrap_or_default()
}

/// Tasks that completed after the first `skip` records of the trace store
/// (and were not restarted since).
fn completed_since(t: &Tree, skip: usize) -> HashSet<String> {
    let mut done = HashSet::new();
    for r in trace_records(t).into_iter().skip(skip) {
        match r {
            Record::Trace(tr) => {
                done.insert(tr.task);
            }
            Record::Started { task, .. } | Record::Removed { task } => {
                done.remove(&task);
            }
            _ => {}
        }
    }
    done
}

/// The log targets of the commands that ran (not cached) in the last build.
fn executed_targets(t: &Tree) -> Vec<String> {
    let log = t.read("_build/_log");
    let lines: Vec<&str> = log.lines().collect();
    let mut out = Vec::new();
    for pair in lines.windows(2) {
        if let Some(rest) = pair[0].strip_prefix("# Target: ")
            && !pair[1].ends_with("# cached")
            && let Some((target, _)) = rest.split_once(", tags:")
        {
            out.push(target.to_string());
        }
    }
    out
}

#[test]
fn killed_builds_recover_at_several_moments() {
    let (template, expected) = Tree::layered(40, 5);
    for delay_ms in [20u64, 80, 200, 450, 900, 1500] {
        let t = template.copy_sources();
        let completed = stop_build_after(&t, Duration::from_millis(delay_ms), libc::SIGKILL);

        assert_recovers(&t, &completed, &expected, &format!("kill at {delay_ms} ms"));
    }
}

/// The build after an interrupted one (`completed`: the targets whose
/// actions had finished) gives programs printing `expected`, reruns none of
/// those actions, and is followed by a null build.
fn assert_recovers(t: &Tree, completed: &HashSet<String>, expected: &str, what: &str) {
    t.caravan(&["-j", "2", "main.native", "main.byte"]).ok();
    assert_eq!(t.run("main.native", &[]).stdout, expected, "{what}");
    assert_eq!(t.run("main.byte", &[]).stdout, expected, "{what}");
    let rerun: Vec<String> = executed_targets(t)
        .into_iter()
        .filter(|target| completed.contains(target))
        .collect();
    assert!(
        rerun.is_empty(),
        "{what}: completed actions ran again: {rerun:?}"
    );
    t.caravan(&["main.native", "main.byte"]).ok();
    assert!(
        t.commands().is_empty(),
        "{what}: not a null build after recovery"
    );
}

/// Builds `t`, stops the build after `delay` with `signal`, and returns what
/// this build completed by then.
fn stop_build_after(t: &Tree, delay: Duration, signal: i32) -> HashSet<String> {
    let before = trace_records(t).len();
    let mut child = Command::new(caravan_bin())
        .args(["-j", "2", "main.native", "main.byte"])
        .current_dir(t.root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn caravan");
    std::thread::sleep(delay);
    // SAFETY: a signal to the caravan process this test started (it may
    // have exited already: then the signal goes nowhere).
    unsafe {
        libc::kill(child.id() as i32, signal);
    }
    let _ = child.wait();
    // After SIGKILL, compilers the build started may still be running (they
    // are not caravan's to stop any more); they finish on their own.
    if signal == libc::SIGKILL {
        std::thread::sleep(Duration::from_millis(300));
    }
    completed_since(t, before)
}

/// An edit that recompiles most of the tree without changing the output:
/// a new value in the interface of the bottom module.
fn widen_bottom_interface(t: &Tree) {
    let mli = t.read("m000.mli");
    t.write("m000.mli", &format!("{mli}val extra : int\n"));
    let ml = t.read("m000.ml");
    t.write("m000.ml", &format!("{ml}let extra = 1\n"));
}

#[test]
fn interrupted_builds_recover_at_random_moments() {
    let instants: usize = std::env::var("CARAVAN_KILL_INSTANTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12);
    let mut seed: u64 = std::env::var("CARAVAN_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261121)
        .max(1);
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    println!("interruptions: seed {seed}, {instants} instants");
    let (template, expected) = Tree::layered(40, 5);
    // How long a build takes here and now: the instants spread over it.
    let timing = template.copy_sources();
    let start = Instant::now();
    timing
        .caravan(&["-j", "2", "main.native", "main.byte"])
        .ok();
    let span_ms = (start.elapsed().as_millis() as u64).max(50);
    for i in 0..instants {
        let signal = if random() % 2 == 0 {
            libc::SIGKILL
        } else {
            libc::SIGINT
        };
        let rebuild = random() % 2 == 0;
        let delay = Duration::from_millis(random() % span_ms);
        let what = format!(
            "instant {i}: {} after {delay:?} of a {} build",
            if signal == libc::SIGKILL {
                "SIGKILL"
            } else {
                "SIGINT"
            },
            if rebuild { "re" } else { "cold" }
        );
        let t = template.copy_sources();
        if rebuild {
            t.caravan(&["main.native", "main.byte"]).ok();
            widen_bottom_interface(&t);
        }
        let completed = stop_build_after(&t, delay, signal);

        assert_recovers(&t, &completed, &expected, &what);
        if rebuild {
            // The recovered build is the edited one.
            assert!(
                t.read("_build/m000.mli").contains("val extra"),
                "{what}: the edit is not in the build"
            );
        }
    }
}
