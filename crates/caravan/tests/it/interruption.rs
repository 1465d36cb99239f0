//! A build killed with SIGKILL at any moment: the next run finishes with a
//! correct result and reruns nothing that had completed.

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::Duration;

use engine::{Record, read_records};

use crate::support::{Tree, caravan_bin};

/// Tasks whose latest trace record says they completed.
fn completed_tasks(t: &Tree) -> HashSet<String> {
    let path = t.path("_build/.caravan/traces");
    let mut done = HashSet::new();
    let Ok(records) = read_records(&path) else {
        return done;
    };
    for r in records {
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
        let mut child = Command::new(caravan_bin())
            .args(["-j", "2", "main.native", "main.byte"])
            .current_dir(t.root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn caravan");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Compilers started by the killed build may still be running; they
        // are children of the dead process and finish on their own.
        std::thread::sleep(Duration::from_millis(300));
        let completed = completed_tasks(&t);

        t.caravan(&["-j", "2", "main.native", "main.byte"]).ok();
        assert_eq!(
            t.run("main.native", &[]).stdout,
            expected,
            "after a kill at {delay_ms} ms"
        );
        assert_eq!(
            t.run("main.byte", &[]).stdout,
            expected,
            "after a kill at {delay_ms} ms"
        );
        let rerun: Vec<String> = executed_targets(&t)
            .into_iter()
            .filter(|target| completed.contains(target))
            .collect();
        assert!(
            rerun.is_empty(),
            "kill at {delay_ms} ms: completed actions ran again: {rerun:?}"
        );
        t.caravan(&["main.native", "main.byte"]).ok();
        assert!(t.commands().is_empty(), "not a null build after recovery");
    }
}
