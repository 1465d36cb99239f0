//! What the user sees while building.
//!
//! On a terminal, a live status line: `[done/at most]` and what is running.
//! Both numbers count actions (commands run or found up to date): the first
//! those done, the second those done plus one for each target under way
//! (each runs at most one action). The second grows as the build finds
//! targets and shrinks as targets finish without an action (sources, the
//! second output of an action); when the build succeeds every target has
//! finished, so the two are equal, and equal to the summary's count. With `-classic-display`, `-verbose`, or when stdout is
//! not a terminal, one line per command, as ocamlbuild prints them. In every
//! mode, a command that prints something (warnings) is shown as
//! `+ <command>` followed by its output, and a failed command also with its
//! exit status.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use console::Term;
use engine::{CommandFailure, Event, EventSink};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};

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
    /// Whether failed commands are shown at the end, sorted by target
    /// (when the build keeps going, so that several failures come in the
    /// same order from run to run), rather than as they fail.
    failures_at_end: bool,
}

#[derive(Default)]
struct State {
    ran: usize,
    cached: usize,
    /// Actions whose outputs a cache restored.
    restored: usize,
    /// Targets started and not finished yet.
    open: usize,
    running: BTreeMap<u64, String>,
    /// Failed commands not shown yet: (target, text).
    failures: Vec<(String, String)>,
}

impl Display {
    /// A display of the given style; `explain` prints why each action runs;
    /// `failures_at_end` keeps failed commands for the end of the build.
    pub fn new(style: Style, explain: bool, failures_at_end: bool) -> Display {
        let bar = (style == Style::Status).then(|| {
            let target = ProgressDrawTarget::term_like(Box::new(NarrowTerm(Term::stdout())));
            let bar = ProgressBar::with_draw_target(None, target);
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
            failures_at_end,
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
            let done = state.ran + state.cached;
            bar.set_length((done + state.open) as u64);
            bar.set_position(done as u64);
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

    /// Clears the status line, without a summary (the build was
    /// interrupted; the caller says so).
    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        self.print_failures();
    }

    /// Shows the failed commands kept for the end, sorted by target.
    fn print_failures(&self) {
        let mut failures = match self.state.lock() {
            Ok(mut s) => std::mem::take(&mut s.failures),
            Err(p) => std::mem::take(&mut p.into_inner().failures),
        };
        failures.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, text) in failures {
            self.print(&text);
        }
    }

    /// Clears the status line and prints the summary (status style only).
    pub fn finish(&self, success: bool) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        self.print_failures();
        if self.bar.is_none() {
            return;
        }
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
        let total = st.ran + st.cached + st.restored;
        // ocamlbuild's line, with caravan's cache hits added only when
        // there are some, so that scripts reading the line still match.
        let counts = match st.restored {
            0 => format!("{} cached", st.cached),
            n => format!("{} cached, {n} from cache", st.cached),
        };
        let line = if success {
            format!("Finished, {total} targets ({counts}) in {clock}.\n")
        } else {
            format!(
                "Compilation unsuccessful after building {total} targets ({counts}) in {clock}.\n"
            )
        };
        drop(st);
        self.print(&line);
    }
}

/// The terminal, three columns narrower than it is: the terminal echoes
/// Ctrl-C as `^C` after the status line, and if those two characters did
/// not fit on its line, the echo would wrap to a new line, so that clearing
/// "the status line" would clear the echo and leave the status on screen.
#[derive(Debug)]
struct NarrowTerm(Term);

impl TermLike for NarrowTerm {
    fn width(&self) -> u16 {
        self.0.size().1.saturating_sub(3).max(1)
    }
    fn height(&self) -> u16 {
        self.0.size().0
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_up(n)
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_down(n)
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_right(n)
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_left(n)
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.0.write_line(s)
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.0.write_str(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.0.clear_line()
    }
    fn flush(&self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// `text` with its `Hint:` paragraphs wrapped at the terminal's width, on
/// a terminal; unchanged off a terminal, where a hint stays one line for
/// scripts and logs to match.
pub fn fit_hints(text: &str) -> String {
    match console::Term::stdout().size_checked() {
        Some((_, columns)) => wrap_hints(text, usize::from(columns)),
        None => text.to_string(),
    }
}

/// `text` with each line that starts with `Hint:` broken at spaces into
/// lines of at most `width` characters (a longer word stays whole), the
/// continuation lines indented like the text after `Hint: `.
pub fn wrap_hints(text: &str, width: usize) -> String {
    const INDENT: &str = "      ";
    let width = width.max(INDENT.len() + 20);
    let mut out = Vec::new();
    for line in text.split('\n') {
        if !line.starts_with("Hint:") || line.chars().count() <= width {
            out.push(line.to_string());
            continue;
        }
        let mut current = String::new();
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let fits = current.chars().count() + 1 + word.chars().count() <= width;
            if current.is_empty() || current == INDENT {
                current.push_str(word);
            } else if fits {
                current.push(' ');
                current.push_str(word);
            } else {
                out.push(std::mem::replace(&mut current, format!("{INDENT}{word}")));
            }
        }
        out.push(current);
    }
    out.join("\n")
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
                st.open += 1;
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
            Event::ActionRestored {
                action,
                output,
                origin,
            } => {
                st.restored += 1;
                let mut text = String::new();
                if self.style == Style::Classic {
                    text.push_str(&format!("{action} # from the {origin}\n"));
                }
                if !output.is_empty() {
                    if text.is_empty() {
                        text.push_str(&format!("+ {action}\n"));
                    }
                    text.push_str(output);
                    if !text.ends_with('\n') {
                        text.push('\n');
                    }
                }
                if !text.is_empty() {
                    self.refresh(&st);
                    drop(st);
                    self.print(&text);
                    return;
                }
            }
            Event::Notice { message, warning } => {
                self.refresh(&st);
                drop(st);
                let prefix = if *warning { "Warning" } else { "caravan" };
                self.print(&format!("{prefix}: {message}\n"));
                return;
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
                if self.failures_at_end {
                    st.failures.push((failure.target.to_string(), text));
                    self.refresh(&st);
                    return;
                }
                self.refresh(&st);
                drop(st);
                self.print(&text);
                return;
            }
            Event::TaskFinished { .. } => {
                st.open = st.open.saturating_sub(1);
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_wrap_at_the_width_and_other_lines_stay() {
        let text = "Error: a line that is long but is not a hint at all\n\
                    Hint: add the folder with -I, or tag it include in _tags.";
        let wrapped = wrap_hints(text, 30);
        assert_eq!(
            wrapped,
            "Error: a line that is long but is not a hint at all\n\
             Hint: add the folder with -I,\n      or tag it include in\n      _tags."
        );
        assert!(wrapped.lines().skip(1).all(|l| l.chars().count() <= 30));
        assert_eq!(wrap_hints(text, 200), text);
    }
}
