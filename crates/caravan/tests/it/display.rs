//! What caravan prints.

use std::process::Command;

use crate::support::{Tree, caravan_bin};

#[test]
fn a_failing_compile_shows_the_command_and_the_compilers_message() {
    let t = Tree::new(&[("bad.ml", "let x : int = \"s\"\n")]);
    let r = t.caravan(&["bad.byte"]);
    assert_eq!(r.code, 10);
    assert!(r.stdout.contains("+ /"), "{}", r.stdout);
    assert!(r.stdout.contains("-o bad.cmo bad.ml\n"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("File \"bad.ml\", line 1, characters 14-17:"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Error: This expression has type string"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Command exited with code 2."),
        "{}",
        r.stdout
    );
    let log = t.read("_build/_log");
    assert!(
        log.ends_with("Command exited with code 2.\n# Compilation unsuccessful.\n"),
        "{log}"
    );
}

#[test]
fn off_a_terminal_each_command_is_one_line() {
    let t = Tree::new(&[
        ("a.ml", "let x = 1\n"),
        ("main.ml", "let () = print_int A.x\n"),
    ]);
    let r = t.caravan(&["main.byte"]).ok();
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", r.stdout);
    assert!(lines.iter().all(|l| l.starts_with('/')), "{}", r.stdout);
    assert!(lines[4].ends_with("a.cmo main.cmo -o main.byte"));
}

#[test]
fn warnings_are_shown_with_their_command() {
    let t = Tree::new(&[("main.ml", "let () = let x = 1 in ()\n")]);
    let r = t.caravan(&["main.byte"]).ok();
    assert!(r.stdout.contains("+ /"), "{}", r.stdout);
    assert!(r.stdout.contains("unused variable x"), "{}", r.stdout);
}

#[test]
fn quiet_prints_nothing_on_success() {
    let t = Tree::new(&[("main.ml", "let () = ()\n")]);
    assert!(t.caravan(&["-quiet", "main.byte"]).ok().stdout.is_empty());
}

#[test]
fn on_a_terminal_a_status_line_ends_with_a_summary() {
    let t = Tree::new(&[
        ("a.ml", "let x = 1\n"),
        ("main.ml", "let () = print_int A.x\n"),
    ]);
    // `script` gives caravan a pseudo-terminal.
    let cmd = format!("{} main.native", caravan_bin());
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(t.root())
        .env("TERM", "xterm")
        .output()
        .expect("script (util-linux)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Finished, 5 targets (0 cached) in 00:00:0"),
        "{text}"
    );
    assert!(
        !text.contains("ocamlopt.opt -c"),
        "commands are not echoed: {text}"
    );
}

/// A terminal for caravan: a tmux session on a server of its own, 100
/// columns by 30 lines, whose screen the test reads as the user sees it.
/// The server ends when the value is dropped.
struct Screen {
    socket: String,
}

impl Screen {
    /// Runs `command` (a shell command line) in `dir`, then prints `EXIT=`
    /// and its exit code. The shell is bash, which goes on after a child
    /// that handled Ctrl-C (dash dies of the signal with it).
    fn run(dir: &std::path::Path, command: &str) -> Screen {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "caravan-it-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let shell = format!("{command}; echo EXIT=$?; sleep 600");
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", "100", "-y", "30", "bash", "-c", &shell])
            .current_dir(dir)
            .env("TERM", "xterm")
            .status()
            .expect("tmux runs (apt-get install tmux)");
        assert!(status.success(), "tmux new-session failed");
        Screen { socket }
    }

    /// The screen's text, one line per row, trailing blanks removed.
    fn text(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .expect("tmux capture-pane");
        let text = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        lines.join("\n").trim_end().to_string()
    }

    /// The screen once `ready` holds for it, polled every 20 ms for at most
    /// 60 s; every screen seen on the way goes to `seen`.
    fn wait(&self, ready: impl Fn(&str) -> bool, seen: &mut Vec<String>) -> String {
        let start = std::time::Instant::now();
        loop {
            let text = self.text();
            seen.push(text.clone());
            if ready(&text) {
                return text;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(60),
                "the screen never got there:\n{text}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    fn keys(&self, keys: &str) {
        Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", keys])
            .status()
            .expect("tmux send-keys");
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

/// The status line's counter, `[done/total]`, if `line` is a status line
/// (`  1s [12/40] a.cmx`).
fn counter(line: &str) -> Option<(usize, usize)> {
    let (elapsed, rest) = line.trim_start().split_once(' ')?;
    elapsed.strip_suffix('s')?.parse::<u64>().ok()?;
    let (done, total) = rest.strip_prefix('[')?.split_once(']')?.0.split_once('/')?;
    Some((done.parse().ok()?, total.parse().ok()?))
}

/// A chain of `n` modules, each using the one before, and `main.ml` using
/// the last: a build slow enough to watch.
fn chain(n: usize) -> Tree {
    let t = Tree::new(&[("m1.ml", "let x = 1\n")]);
    for i in 2..=n {
        t.write(&format!("m{i}.ml"), &format!("let x = M{}.x + 1\n", i - 1));
    }
    t.write("main.ml", &format!("let () = print_int M{n}.x\n"));
    t
}

#[test]
fn on_a_terminal_the_counter_counts_actions_and_the_status_line_goes_away() {
    let t = chain(40);
    let screen = Screen::run(t.root(), &format!("{} main.native", caravan_bin()));
    let mut seen = Vec::new();
    let last = screen.wait(|s| s.contains("EXIT="), &mut seen);
    assert!(last.ends_with("EXIT=0"), "{last}");
    // 41 dependency scans, 41 compilations and a link.
    assert!(
        last.contains("Finished, 83 targets (0 cached) in 00:00:"),
        "{last}"
    );
    assert!(
        last.lines().all(|l| counter(l).is_none()),
        "a status line is left:\n{last}"
    );
    let counters: Vec<(usize, usize)> = seen
        .iter()
        .flat_map(|s| s.lines().filter_map(counter))
        .collect();
    assert!(
        !counters.is_empty() && counters.iter().all(|(done, total)| done <= total),
        "{counters:?}"
    );
}

#[test]
fn on_a_terminal_ctrl_c_leaves_the_message_and_no_status_line() {
    let t = chain(150);
    let screen = Screen::run(t.root(), &format!("{} main.native", caravan_bin()));
    let mut seen = Vec::new();
    screen.wait(
        |s| {
            s.lines()
                .any(|l| matches!(counter(l), Some((d, _)) if d > 10))
        },
        &mut seen,
    );
    screen.keys("C-c");
    let last = screen.wait(|s| s.contains("EXIT="), &mut seen);
    assert!(last.ends_with("EXIT=130"), "{last}");
    assert!(
        last.contains("caravan: interrupted; the commands under way were stopped."),
        "{last}"
    );
    assert!(
        last.lines().all(|l| counter(l).is_none()),
        "a status line is left:\n{last}"
    );
}
