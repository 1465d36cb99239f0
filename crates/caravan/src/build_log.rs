//! `_build/_log`: every command of the build, in ocamlbuild's format.
//!
//! ```text
//! ### Starting build.
//! # Target: a.cmo, tags: { byte, compile, ... }
//! /usr/bin/ocamlc.opt -c -o a.cmo a.ml
//! # Target: b.cmo, tags: { ... }
//! /usr/bin/ocamlc.opt -c -o b.cmo b.ml # cached
//! # Compilation successful.
//! ```
//!
//! A failed command is followed by `+ <command>`, its output and
//! `Command exited with code N.`

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Mutex;

use engine::{Action, Event, EventSink};

/// Writes the log as events arrive.
pub struct BuildLog {
    out: Mutex<BufWriter<File>>,
}

impl BuildLog {
    /// Creates (truncates) the log file.
    pub fn create(path: &Path) -> std::io::Result<BuildLog> {
        let mut out = BufWriter::new(File::create(path)?);
        out.write_all(b"### Starting build.\n")?;
        Ok(BuildLog {
            out: Mutex::new(out),
        })
    }

    fn write(&self, text: &str) {
        if let Ok(mut out) = self.out.lock() {
            // The log is best-effort: a full disk must not fail the build here
            // (the trace store reports it).
            let _ = out.write_all(text.as_bytes());
        }
    }

    /// Writes the closing line and flushes.
    pub fn finish(&self, success: bool) {
        self.write(if success {
            "# Compilation successful.\n"
        } else {
            "# Compilation unsuccessful.\n"
        });
        if let Ok(mut out) = self.out.lock() {
            let _ = out.flush();
        }
    }
}

/// The steps taken before the command (`rm -rf D`, `mkdir -p D`), each
/// with a header without tags, as ocamlbuild logs the commands of a
/// sequence; `suffix` is `""` or `" # cached"`.
fn preparation(action: &Action, suffix: &str) -> String {
    let mut s = String::new();
    for p in &action.prepare {
        s.push_str(&format!(
            "# Target: {}, tags: {{  }}\n{p}{suffix}\n",
            p.target()
        ));
    }
    s
}

fn header(action: &Action) -> String {
    let target = if action.log.target.is_empty() {
        action.to_string()
    } else {
        action.log.target.clone()
    };
    format!("# Target: {target}, tags: {}\n", action.log.tags.render())
}

impl EventSink for BuildLog {
    fn event(&self, event: &Event<'_>) {
        match event {
            Event::ActionStarted { action, .. } => {
                self.write(&format!(
                    "{}{}{action}\n",
                    preparation(action, ""),
                    header(action)
                ));
            }
            Event::ActionFinished { action, output, .. } if !output.is_empty() => {
                let mut s = format!("+ {action}\n{output}");
                if !s.ends_with('\n') {
                    s.push('\n');
                }
                self.write(&s);
            }
            Event::ActionCached { action } => {
                self.write(&format!(
                    "{}{}{action} # cached\n",
                    preparation(action, " # cached"),
                    header(action)
                ));
            }
            Event::ActionRestored {
                action,
                output,
                origin,
            } => {
                let mut s = format!("{}{action} # from the {origin}\n", header(action));
                s.push_str(output);
                if !s.ends_with('\n') {
                    s.push('\n');
                }
                self.write(&s);
            }
            Event::ActionFailed { failure, .. } => {
                let mut s = format!("+ {}\n{}", failure.command, failure.output);
                if !s.ends_with('\n') {
                    s.push('\n');
                }
                s.push_str(&crate::display::exit_line(failure));
                s.push('\n');
                self.write(&s);
            }
            _ => {}
        }
    }
}
