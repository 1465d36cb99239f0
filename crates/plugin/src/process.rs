//! The running plugin: the child process, its pipes, and the thread that
//! copies what the plugin prints to caravan's standard output.
//!
//! Before the build, caravan reads the plugin's messages itself, one at a
//! time ([`PluginProcess::receive`]). During the build, a reader thread
//! owns the plugin's output and routes each message to the rule task that
//! is waiting for it (the `server` module).

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::thread::JoinHandle;

use super::PluginError;
use super::protocol::{FromPlugin, ToPlugin};
use super::wire::{self, Sexp};

/// What the plugin is started with.
#[derive(Clone, Debug)]
pub struct Launch {
    /// The plugin binary.
    pub binary: PathBuf,
    /// `ocamlrun` (or `-ocamlrun`'s command) for a bytecode plugin.
    pub runner: Vec<String>,
    /// The project root (its working directory).
    pub root: PathBuf,
    /// Its arguments (caravan's, without the words `-plugin-option`).
    pub args: Vec<String>,
}

/// A started plugin.
pub struct PluginProcess {
    child: Child,
    input: BufWriter<ChildStdin>,
    output: BufReader<ChildStdout>,
    echo: Option<JoinHandle<()>>,
}

/// A message as sent and received, for the transcript.
pub type Raw = Sexp;

impl PluginProcess {
    /// Starts the plugin.
    pub fn spawn(launch: &Launch) -> Result<PluginProcess, PluginError> {
        let mut argv: Vec<String> = launch.runner.clone();
        argv.push(launch.binary.to_string_lossy().into_owned());
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..])
            .args(&launch.args)
            .current_dir(&launch.root)
            .env("CARAVAN_PLUGIN_PROTOCOL", "1")
            .env("OCAMLRUNPARAM", ocamlrunparam())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| {
            PluginError::new(
                2,
                format!(
                    "Error: cannot start the plugin {}: {e}",
                    launch.binary.display()
                ),
            )
        })?;
        let missing = || PluginError::new(4, "Error: the plugin's pipes are missing".into());
        let input = BufWriter::new(child.stdin.take().ok_or_else(missing)?);
        let output = BufReader::new(child.stdout.take().ok_or_else(missing)?);
        let mut printed = child.stderr.take().ok_or_else(missing)?;
        let echo = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match printed.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let mut out = std::io::stdout().lock();
                        let _ = out.write_all(&buf[..n]);
                        let _ = out.flush();
                    }
                }
            }
        });
        Ok(PluginProcess {
            child,
            input,
            output,
            echo: Some(echo),
        })
    }

    /// Sends a message; returns what was sent.
    pub fn send(&mut self, msg: &ToPlugin) -> Result<Raw, PluginError> {
        let raw = msg.encode();
        if let Err(e) = wire::write(&mut self.input, &raw) {
            return Err(self.died(&format!("cannot write to it: {e}")));
        }
        Ok(raw)
    }

    /// Reads the next message (blocking), with its raw form.
    pub fn receive(&mut self) -> Result<(FromPlugin, Raw), PluginError> {
        match wire::read(&mut self.output) {
            Ok(Some(raw)) => match FromPlugin::decode(&raw) {
                Some(m) => Ok((m, raw)),
                None => Err(PluginError::new(
                    3,
                    format!(
                        "Internal error: the plugin sent a message caravan does not know: {raw:?}"
                    ),
                )),
            },
            Ok(None) => Err(self.died("it stopped")),
            Err(e) => Err(self.died(&format!("its messages cannot be read: {e}"))),
        }
    }

    /// The error for a plugin that stopped talking: its exit status, once
    /// what it printed has been shown.
    pub fn died(&mut self, what: &str) -> PluginError {
        let status = self.child.wait().ok();
        if let Some(h) = self.echo.take() {
            let _ = h.join();
        }
        let code = status.and_then(|s| s.code());
        let detail = match (status, code) {
            (_, Some(c)) => format!("exit code {c}"),
            (Some(s), None) => {
                use std::os::unix::process::ExitStatusExt;
                format!("signal {}", s.signal().unwrap_or(0))
            }
            (None, None) => "unknown status".to_string(),
        };
        PluginError::new(
            match code {
                Some(c) if c > 0 && c < 256 => c as u8,
                _ => 2,
            },
            format!("Error: the plugin myocamlbuild.ml stopped unexpectedly ({what}; {detail})."),
        )
    }

    /// Splits the process for the build: the writer, the reader, and the
    /// process itself (to wait for at the end).
    pub fn into_parts(self) -> (BufWriter<ChildStdin>, BufReader<ChildStdout>, Finisher) {
        let finisher = Finisher {
            child: Some(self.child),
            echo: self.echo,
        };
        (self.input, self.output, finisher)
    }

    /// Ends the plugin: asks it to quit and waits for it.
    pub fn quit(mut self) {
        let _ = wire::write(&mut self.input, &ToPlugin::Quit.encode());
        drop(self.input);
        let _ = self.child.wait();
        if let Some(h) = self.echo.take() {
            let _ = h.join();
        }
    }
}

/// Waits for the plugin process at the end of a build.
pub struct Finisher {
    child: Option<Child>,
    echo: Option<JoinHandle<()>>,
}

impl Finisher {
    /// Waits for the process and its output.
    pub fn finish(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.wait();
        }
        if let Some(h) = self.echo.take() {
            let _ = h.join();
        }
    }
}

/// `OCAMLRUNPARAM` with backtraces on, keeping what the user set.
fn ocamlrunparam() -> String {
    match std::env::var("OCAMLRUNPARAM") {
        Ok(v) if !v.is_empty() => format!("{v},b"),
        _ => "b".to_string(),
    }
}
