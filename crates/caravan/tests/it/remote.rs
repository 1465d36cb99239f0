//! Remote caching and execution through the binary, against the real
//! servers `scripts/remote-server.sh start` runs (BuildGrid with its test
//! workers, nginx as a Bazel HTTP cache). Without them (the variables
//! `CARAVAN_TEST_REAPI` and `CARAVAN_TEST_HTTP_CACHE` unset) each test says
//! why it is skipped and passes. The fault test starts servers of its own
//! on other ports, since it kills one.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{Tree, caravan_bin};

fn server(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            println!("skipped: {var} not set (scripts/remote-server.sh start)");
            None
        }
    }
}

/// A project whose sources no server has seen: a fresh salt in the code
/// of each file (in a comment it would change the sources but not the
/// compiled files, and a link of the same objects would be a hit).
fn project(modules: usize) -> Tree {
    let salt = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    );
    let mut files: Vec<(String, String)> = Vec::new();
    for i in 0..modules {
        let body = if i == 0 {
            "let v = 1".to_string()
        } else {
            format!("let v = M{}.v + {i}", i - 1)
        };
        files.push((
            format!("m{i}.ml"),
            format!("let salt = \"{salt}\"\n{body}\n"),
        ));
    }
    files.push((
        "main.ml".to_string(),
        format!(
            "let salt = \"{salt}\"\nlet () = print_int M{}.v; print_newline ()\n",
            modules - 1
        ),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    Tree::new(&refs)
}

fn expected(modules: usize) -> String {
    format!("{}\n", 1 + (1..modules).sum::<usize>())
}

fn marked(t: &Tree, marker: &str) -> usize {
    t.read("_build/_log")
        .lines()
        .filter(|l| l.ends_with(marker))
        .count()
}

fn build(t: &Tree, args: &[&str], cache: &Path) -> crate::support::Run {
    let dir = cache.to_str().unwrap();
    let mut all = vec!["-cache-dir", dir];
    all.extend_from_slice(args);
    all.extend_from_slice(&["main.native", "main.byte"]);
    t.caravan(&all)
}

/// Both remote caches: a clone with an empty local cache restores every
/// compilation and link from the remote, and the local cache keeps a copy.
#[test]
fn a_remote_cache_serves_a_fresh_clone() {
    for var in ["CARAVAN_TEST_REAPI", "CARAVAN_TEST_HTTP_CACHE"] {
        let Some(url) = server(var) else { continue };
        let one = project(6);
        let first_cache = tempfile::tempdir().unwrap();
        let run = build(&one, &["-remote-cache", &url], first_cache.path()).ok();
        assert!(!run.stdout.contains("Warning"), "{var}: {}", run.stdout);
        assert_eq!(
            marked(&one, "# from the remote cache"),
            0,
            "{var}: {}",
            one.read("_build/_log")
        );

        let two = one.copy_sources();
        let second_cache = tempfile::tempdir().unwrap();
        let run = build(&two, &["-remote-cache", &url], second_cache.path()).ok();
        assert!(!run.stdout.contains("Warning"), "{var}: {}", run.stdout);
        // 7 modules in two modes and two links.
        assert_eq!(
            marked(&two, "# from the remote cache"),
            16,
            "{var}: {}",
            two.read("_build/_log")
        );
        assert_eq!(two.run("./main.native", &[]).ok().stdout, expected(6));
        assert_eq!(two.run("./main.byte", &[]).ok().stdout, expected(6));

        // The remote hit went into the local cache too: a third clone
        // needs no server at all.
        let three = one.copy_sources();
        build(
            &three,
            &["-remote-cache", "grpc://127.0.0.1:9"],
            second_cache.path(),
        )
        .ok();
        assert_eq!(marked(&three, "# from the local cache"), 16, "{var}");
    }
}

/// `-remote-exec`: compilations run in a worker's own folder (the
/// compiler wrapper records where it ran), links too, and the result is
/// right; the in-process scans stay here, said once with `-verbose`.
#[test]
fn remote_execution_runs_compilations_on_the_workers() {
    let Some(url) = server("CARAVAN_TEST_REAPI") else {
        return;
    };
    let t = project(4);
    let record = tempfile::tempdir().unwrap();
    let log = record.path().join("where");
    let wrapper = record.path().join("ocamlopt-here");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\npwd >> {}\nexec ocamlopt.opt \"$@\"\n",
            log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let run = t
        .caravan(&[
            "-cache-dir",
            cache.path().to_str().unwrap(),
            "-verbose",
            "1",
            "-remote-exec",
            &url,
            "-ocamlopt",
            wrapper.to_str().unwrap(),
            "main.native",
        ])
        .ok();
    assert_eq!(t.run("./main.native", &[]).ok().stdout, expected(4));
    let places = std::fs::read_to_string(&log).unwrap();
    let build_dir = t.path("_build").canonicalize().unwrap();
    let dirs: Vec<PathBuf> = places.lines().map(PathBuf::from).collect();
    // 5 compilations and the link.
    assert_eq!(dirs.len(), 6, "{places}");
    assert!(
        dirs.iter().all(|d| *d != build_dir),
        "every ocamlopt ran on a worker: {places}"
    );
    assert_eq!(
        run.stdout
            .matches("caravan: running locally (not on")
            .count(),
        1,
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("runs inside caravan"), "{}", run.stdout);
}

/// A server that is not there: said once, then a normal local build.
#[test]
fn an_unreachable_server_is_said_once_and_the_build_goes_on() {
    let t = project(3);
    let cache = tempfile::tempdir().unwrap();
    for mode in ["-remote-cache", "-remote-exec"] {
        let run = build(&t, &[mode, "grpc://127.0.0.1:9"], cache.path()).ok();
        assert_eq!(
            run.stdout
                .matches("Warning: the remote at grpc://127.0.0.1:9 cannot be used")
                .count(),
            1,
            "{}",
            run.stdout
        );
        assert_eq!(t.run("./main.native", &[]).ok().stdout, expected(3));
        std::fs::remove_dir_all(t.path("_build")).unwrap();
    }
}

/// Servers of this test's own, on ports no other test uses.
struct OwnServers {
    state: tempfile::TempDir,
}

impl OwnServers {
    fn env(&self) -> [(&'static str, String); 4] {
        [
            (
                "CARAVAN_REMOTE_STATE",
                self.state.path().join("s").display().to_string(),
            ),
            ("CARAVAN_REMOTE_PORT", "50191".to_string()),
            ("CARAVAN_REMOTE_HTTP_PORT", "8191".to_string()),
            ("CARAVAN_REMOTE_PG_PORT", "54391".to_string()),
        ]
    }

    fn script(&self, verb: &str) -> std::process::Output {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/remote-server.sh");
        Command::new(script)
            .arg(verb)
            .envs(self.env())
            .output()
            .expect("scripts/remote-server.sh")
    }
}

impl Drop for OwnServers {
    fn drop(&mut self) {
        let _ = self.script("stop");
    }
}

/// The server killed in the middle of a remote-execution build: one
/// notice, the rest runs locally, the program is right.
#[test]
fn a_server_killed_mid_build_loses_nothing() {
    if server("CARAVAN_TEST_REAPI").is_none() {
        return;
    }
    let own = OwnServers {
        state: tempfile::tempdir().unwrap(),
    };
    let started = own.script("start");
    assert!(
        started.status.success(),
        "{}{}",
        String::from_utf8_lossy(&started.stdout),
        String::from_utf8_lossy(&started.stderr)
    );
    let t = project(40);
    let cache = tempfile::tempdir().unwrap();
    let child = Command::new(caravan_bin())
        .args([
            "-cache-dir",
            cache.path().to_str().unwrap(),
            "-remote-exec",
            "grpc://127.0.0.1:50191",
            "main.native",
        ])
        .current_dir(t.root())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once a few compilations are done, kill BuildGrid.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let log = std::fs::read_to_string(t.path("_build/_log")).unwrap_or_default();
        if log.matches("ocamlopt.opt -c").count() >= 5 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the build never got going:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = std::fs::read_to_string(own.state.path().join("s/bgd.pid")).unwrap();
    let killed = Command::new("kill")
        .args(["-9", pid.trim()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(out.status.success(), "{stdout}");
    assert_eq!(
        stdout.matches("Warning: remote execution at").count(),
        1,
        "{stdout}"
    );
    assert_eq!(t.run("./main.native", &[]).ok().stdout, expected(40));
}
