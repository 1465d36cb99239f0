//! `-watch`: the files are edited while caravan watches, and the build that
//! follows is checked (real compilers, real inotify).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use crate::support::{Tree, caravan_bin};

/// A running `caravan -watch` and the lines it prints.
struct Watching {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Watching {
    fn start(t: &Tree, args: &[&str]) -> Watching {
        let mut child = Command::new(caravan_bin())
            .arg("-watch")
            .args(args)
            .current_dir(t.root())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting caravan: {e}"));
        let out = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watching {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line containing `text`; panics with what was printed
    /// after 60 s.
    fn wait_for(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => panic!(
                    "no line with {text:?}; caravan printed:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Waits for builds until one ends with `main.byte` printing `word`.
    fn wait_for_output(&mut self, t: &Tree, word: &str) {
        for _ in 0..4 {
            self.wait_for("caravan: build ");
            if t.run("_build/main.byte", &[]).stdout == word {
                return;
            }
        }
        panic!(
            "main.byte never printed {word:?}; caravan printed:\n{}",
            self.seen.join("\n")
        );
    }

    /// Sends Ctrl-C and returns the exit code.
    fn interrupt(mut self) -> i32 {
        let pid = self.child.id() as i32;
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(pid, libc::SIGINT) };
        let status = self
            .child
            .wait()
            .unwrap_or_else(|e| panic!("waiting for caravan: {e}"));
        status.code().unwrap_or(-1)
    }
}

fn project() -> Tree {
    Tree::new(&[
        ("_tags", "<gen>: include\n"),
        ("util.ml", "let word = \"one\"\n"),
        ("main.ml", "let () = print_string Util.word\n"),
    ])
}

#[test]
fn edits_new_folders_and_deletions_are_rebuilt_until_ctrl_c() {
    let t = project();
    let mut w = Watching::start(&t, &["-no-links", "main.byte"]);
    let first = w.wait_for("caravan: build ");
    assert!(first.contains("build done in"), "{first}");
    assert_eq!(t.run("_build/main.byte", &[]).stdout, "one");

    t.write("util.ml", "let word = \"two\"\n");
    w.wait_for_output(&t, "two");

    // A module in a folder created while caravan watches.
    t.write("gen/extra.ml", "let word = \"three\"\n");
    t.write("main.ml", "let () = print_string Extra.word\n");
    w.wait_for_output(&t, "three");

    // Deleting it breaks the build; caravan says so and keeps watching.
    t.remove("gen/extra.ml");
    w.wait_for("caravan: build failed in");
    t.write("main.ml", "let () = print_string Util.word\n");
    w.wait_for_output(&t, "two");

    // Files caravan writes itself start no build.
    t.write("_build/unrelated.txt", "x");
    std::thread::sleep(Duration::from_millis(800));
    while let Ok(line) = w.lines.try_recv() {
        assert!(
            !line.contains("caravan: build "),
            "a write in _build started: {line}"
        );
    }
    assert_eq!(w.interrupt(), 130);
}

#[test]
fn an_edit_during_a_build_stops_it_and_builds_again() {
    let t = project();
    // A compiler that takes a second per command, so that the edit lands
    // while the build runs.
    t.write(
        "slowc",
        "#!/bin/sh\ncase \"$1\" in -config|-version|-where) ;; *) sleep 1 ;; esac\nexec ocamlc \"$@\"\n",
    );
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(t.path("slowc"), std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("chmod: {e}"));
    }
    let slowc = t.path("slowc").display().to_string();
    let mut w = Watching::start(
        &t,
        &[
            "-no-links",
            "-classic-display",
            "-ocamlc",
            &slowc,
            "main.byte",
        ],
    );
    w.wait_for("slowc");
    t.write("util.ml", "let word = \"changed\"\n");
    w.wait_for("a file changed during the build");
    w.wait_for_output(&t, "changed");
    assert_eq!(w.interrupt(), 130);
}
