//! `-watch`: build, then wait for a change under the project root and build
//! again, until Ctrl-C.
//!
//! The whole tree is watched (inotify, through the `notify` crate), so
//! every file a build may read counts: sources, `_tags`, `.mllib` and the
//! other list files, `myocamlbuild.ml` (each build configures again, so a
//! plugin change reconfigures). What caravan writes itself never starts a
//! build: the build folder, the links it makes at the root, `.merlin`
//! files; nor do editors' scratch files. A change during a build stops it
//! (its commands are killed, as with Ctrl-C) and starts the next one. A
//! burst of changes (an editor saving several files, `git checkout`) makes
//! one build: events are gathered until the tree has been quiet for
//! [`QUIET`]. Each build ends with one summary line and its time; on a
//! terminal the screen is cleared before the next one.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};
use session::Session;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::cli::Cli;
use crate::error::Failure;
use crate::one_build::{Ended, build_once, interrupted};

/// How long the tree must stay quiet before a build starts.
const QUIET: Duration = Duration::from_millis(150);

/// Builds, then builds again after every change, until Ctrl-C.
pub fn watch(cli: &Cli, session: &mut Session) -> Result<u8, Failure> {
    let root = session.layout().root.clone();
    let ignored = Ignored::new(&root, &session.layout().build_dir, cli);
    let (changes, mut changed) = unbounded_channel::<()>();
    let _watcher = start_watcher(&root, ignored, changes)?;
    let terminal = std::io::stdout().is_terminal();
    let mut first = true;
    loop {
        if terminal && !first {
            // Clear the screen and go home, as `dune build -w` does.
            print!("\x1b[2J\x1b[H");
            let _ = std::io::stdout().flush();
        }
        first = false;
        let started = Instant::now();
        let outcome = build_once(cli, session, Some(&mut changed));
        let seconds = started.elapsed().as_secs_f64();
        match outcome {
            Ok(Ended::Restarted) => {
                println!("caravan: a file changed during the build; building again.");
                settle(&mut changed)?;
                continue;
            }
            Ok(Ended::Finished(_)) => {
                println!(
                    "caravan: build done in {seconds:.2} s; watching for changes (Ctrl-C stops)."
                )
            }
            Err(Failure::Interrupted) => return Err(Failure::Interrupted),
            Err(failure) => {
                let message = failure.message();
                if !message.is_empty() {
                    println!("{}", message.trim_end());
                }
                println!(
                    "caravan: build failed in {seconds:.2} s; watching for changes (Ctrl-C stops)."
                );
            }
        }
        let _ = std::io::stdout().flush();
        wait_for_change(&mut changed)?;
    }
}

/// Starts watching `root`; every relevant change sends a message.
fn start_watcher(
    root: &Path,
    ignored: Ignored,
    changes: UnboundedSender<()>,
) -> Result<notify::RecommendedWatcher, Failure> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if !matters(&event.kind) {
            return;
        }
        if event.paths.iter().any(|p| !ignored.covers(p)) {
            let _ = changes.send(());
        }
    })
    .map_err(|e| watch_error(root, e))?;
    watcher
        .watch(root, RecursiveMode::Recursive)
        .map_err(|e| watch_error(root, e))?;
    Ok(watcher)
}

fn watch_error(root: &Path, e: notify::Error) -> Failure {
    Failure::Session(session::Error::System(format!(
        "Error: cannot watch {} for changes: {e}\nHint: on Linux, the number of inotify watches \
         is limited by /proc/sys/fs/inotify/max_user_watches.",
        root.display()
    )))
}

/// Whether an event says that a file's contents or the tree changed.
fn matters(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any
    )
}

/// The paths whose changes never start a build.
struct Ignored {
    build_dir: PathBuf,
    links: Vec<PathBuf>,
}

impl Ignored {
    fn new(root: &Path, build_dir: &Path, cli: &Cli) -> Ignored {
        // The links caravan makes at the root for the targets.
        let links = cli
            .request
            .targets
            .iter()
            .flat_map(|t| {
                let name = Path::new(t).file_name().map(|n| root.join(n));
                [Some(root.join(t)), name]
            })
            .flatten()
            .collect();
        Ignored {
            build_dir: build_dir.to_path_buf(),
            links,
        }
    }

    fn covers(&self, path: &Path) -> bool {
        if path.starts_with(&self.build_dir) || self.links.iter().any(|l| l == path) {
            return true;
        }
        if path.components().any(|c| c.as_os_str() == ".git") {
            return true;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        name == ".merlin"
            || name.starts_with(".#")
            || name.ends_with('~')
            || name.ends_with(".swp")
            || name.ends_with(".swx")
            || name == "4913"
    }
}

/// Waits for a change, then for the tree to be quiet; Ctrl-C ends the wait
/// (and the watch) with [`Failure::Interrupted`].
fn wait_for_change(changed: &mut UnboundedReceiver<()>) -> Result<(), Failure> {
    let runtime = waiting_runtime()?;
    let woke = runtime.block_on(async {
        tokio::select! {
            got = changed.recv() => got.is_some(),
            _ = interrupted() => false,
        }
    });
    if !woke {
        return Err(Failure::Interrupted);
    }
    settle_on(&runtime, changed)
}

/// Waits for the tree to be quiet after a change that stopped a build.
fn settle(changed: &mut UnboundedReceiver<()>) -> Result<(), Failure> {
    let runtime = waiting_runtime()?;
    settle_on(&runtime, changed)
}

fn settle_on(
    runtime: &tokio::runtime::Runtime,
    changed: &mut UnboundedReceiver<()>,
) -> Result<(), Failure> {
    runtime.block_on(async {
        loop {
            tokio::select! {
                more = tokio::time::timeout(QUIET, changed.recv()) => match more {
                    Ok(Some(())) => continue,
                    // Quiet for long enough, or the watcher is gone.
                    Ok(None) | Err(_) => return Ok(()),
                },
                _ = interrupted() => return Err(Failure::Interrupted),
            }
        }
    })
}

fn waiting_runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Session(session::Error::System(format!("Error: cannot start: {e}"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_caravan_writes_and_editors_scratch_files_are_ignored() {
        let cli = Cli {
            request: session::Request {
                targets: vec!["src/main.native".into()],
                ..session::Request::default()
            },
            ..Cli::default()
        };
        let root = Path::new("/p");
        let ignored = Ignored::new(root, &root.join("_build"), &cli);
        for p in [
            "/p/_build/src/main.cmx",
            "/p/main.native",
            "/p/src/main.native",
            "/p/src/.merlin",
            "/p/src/.main.ml.swp",
            "/p/src/main.ml~",
            "/p/.git/index",
        ] {
            assert!(ignored.covers(Path::new(p)), "{p}");
        }
        for p in [
            "/p/src/main.ml",
            "/p/_tags",
            "/p/lib/new/a.ml",
            "/p/myocamlbuild.ml",
        ] {
            assert!(!ignored.covers(Path::new(p)), "{p}");
        }
    }
}
