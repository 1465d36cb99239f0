//! What the user sees while building.
//!
//! On a terminal, a live status line: actions done and known so far, and
//! what is running. With `-classic-display`, `-verbose`, or when stdout is
//! not a terminal, one line per command, as ocamlbuild prints them. In every
//! mode, a command that prints something (warnings) is shown as
//! `+ <command>` followed by its output, and a failed command also with its
//! exit status.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use engine::{CommandFailure, Event, EventSink};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How commands are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// A status line on a terminal.
    Status,
    /// One line per command.
    Classic,
    /// Nothing but outputs and failures (`-quiet`).
    Quiet,
}

/// The display.
pub struct Display {
    style: Style,
    explain: bool,
    bar: Option<ProgressBar>,
    state: Mutex<State>,
    started: Instant,
}

#[derive(Default)]
struct State {
    ran: usize,
    cached: usize,
    known: usize,
    running: BTreeMap<u64, String>,
}

impl Display {
    /// A display of the given style; `explain` prints why each action runs.
    pub fn new(style: Style, explain: bool) -> Display {
        let bar = (style == Style::Status).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stdout());
            bar.set_style(
                ProgressStyle::with_template("{elapsed:>4} [{pos}/{len}] {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Display {
            style,
            explain,
            bar,
            state: Mutex::new(State::default()),
            started: Instant::now(),
        }
    }

    fn print(&self, text: &str) {
        let write = || {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        };
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    fn refresh(&self, state: &State) {
        if let Some(bar) = &self.bar {
            bar.set_length(state.known.max(state.ran + state.cached) as u64);
            bar.set_position((state.ran + state.cached) as u64);
            let running: Vec<&str> = state.running.values().map(String::as_str).collect();
            bar.set_message(running.join(" "));
        }
    }

    /// Says that nothing needed doing (the null-build fast path).
    pub fn up_to_date(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
            self.print("Finished: everything is up to date.\n");
        }
    }

    /// Clears the status line and prints the summary (status style only).
    pub fn finish(&self, success: bool) {
        let Some(bar) = &self.bar else { return };
        bar.finish_and_clear();
        let st = match self.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        let elapsed = self.started.elapsed().as_secs();
        let clock = format!(
            "{:02}:{:02}:{:02}",
            elapsed / 3600,
            (elapsed / 60) % 60,
            elapsed % 60
        );
        let total = st.ran + st.cached;
        let line = if success {
            format!(
                "Finished, {total} targets ({} cached) in {clock}.\n",
                st.cached
            )
        } else {
            format!(
                "Compilation unsuccessful after building {total} targets ({} cached) in {clock}.\n",
                st.cached
            )
        };
        drop(st);
        self.print(&line);
    }
}

/// `Command exited with code N.` or the signal that killed it.
pub fn exit_line(f: &CommandFailure) -> String {
    match (f.exit_code, f.signal) {
        (_, Some(sig)) => format!("Command got signal {sig}."),
        (Some(code), None) => format!("Command exited with code {code}."),
        (None, None) => "Command failed.".to_string(),
    }
}

impl EventSink for Display {
    fn event(&self, event: &Event<'_>) {
        let mut st = match self.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        match event {
            Event::TaskStarted { .. } => {
                st.known += 1;
            }
            Event::ActionStarted { id, action, reason } => {
                st.running.insert(*id, action.outputs[0].to_string());
                if self.style == Style::Classic {
                    let mut line: String =
                        action.prepare.iter().map(|p| format!("{p}\n")).collect();
                    line.push_str(&format!("{action}\n"));
                    if self.explain {
                        line = format!("# {}: {reason}\n{line}", action.outputs[0]);
                    }
                    drop(st);
                    self.print(&line);
                    return;
                }
            }
            Event::ActionCached { .. } => {
                st.cached += 1;
            }
            Event::ActionFinished {
                id, action, output, ..
            } => {
                st.running.remove(id);
                st.ran += 1;
                if !output.is_empty() {
                    let mut text = format!("+ {action}\n{output}");
                    if !text.ends_with('\n') {
                        text.push('\n');
                    }
                    self.refresh(&st);
                    drop(st);
                    self.print(&text);
                    return;
                }
            }
            Event::ActionFailed { id, failure, .. } => {
                st.running.remove(id);
                let mut text = format!("+ {}\n{}", failure.command, failure.output);
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                text.push_str(&exit_line(failure));
                text.push('\n');
                self.refresh(&st);
                drop(st);
                self.print(&text);
                return;
            }
            Event::TaskFinished { .. } => {}
        }
        self.refresh(&st);
    }
}

/// Sends events to several sinks.
pub struct Fanout(pub Vec<std::sync::Arc<dyn EventSink>>);

impl EventSink for Fanout {
    fn event(&self, event: &Event<'_>) {
        for s in &self.0 {
            s.event(event);
        }
    }
}
