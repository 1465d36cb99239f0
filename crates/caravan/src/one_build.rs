//! One configured build of a session, as the binary runs it: configure,
//! the null-build fast path or the engine on a tokio runtime (until it
//! ends, a signal comes or a change asks for a restart), the display, the
//! log and the observers (`-trace`, `-explain`'s record), then links and
//! `--`. `driver` runs it once; `watch` again after every change.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use engine::EventSink;
use session::{Build, Session};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::build_log::BuildLog;
use crate::cli::{Cli, Verbosity};
use crate::display::{Display, Fanout, Style};
use crate::error::Failure;
use crate::exit_code;
use crate::last_build::LastBuildRecorder;
use crate::trace_file::TraceFile;

/// How a build ended.
pub enum Ended {
    /// It ran to its end: the exit code of `--`'s program, or 0.
    Finished(u8),
    /// A change stopped it before its end.
    Restarted,
}

/// Configures and builds once. A message on `restart`, when given, stops
/// the build (its commands are killed) and ends it as [`Ended::Restarted`].
pub fn build_once(
    cli: &Cli,
    session: &mut Session,
    restart: Option<&mut UnboundedReceiver<()>>,
) -> Result<Ended, Failure> {
    let Some(build) = session.configure()? else {
        return Ok(Ended::Finished(exit_code::OK));
    };
    let (display, log) = outputs(cli, build.build_dir());
    let trace = trace_file(cli);
    let last_build = Arc::new(LastBuildRecorder::new(build.build_dir()));
    if build.is_up_to_date() {
        display.up_to_date();
        if let Some(l) = &log {
            l.finish(true);
        }
        finish_trace(&trace);
        finish_last_build(&last_build);
    } else {
        let result = run_engine(&build, &display, &log, &trace, &last_build, restart);
        finish_trace(&trace);
        finish_last_build(&last_build);
        let success = matches!(result, Ok(true));
        if matches!(result, Err(Failure::Interrupted) | Ok(false)) {
            // Stopped by Ctrl-C or by a change (watch mode): no summary.
            display.clear();
        } else {
            display.finish(success);
        }
        if let Some(l) = &log {
            l.finish(success);
        }
        let finished = result.map_err(|failure| match failure {
            Failure::Session(error) => Failure::Build {
                message: build.report(&error),
                error: Box::new(error),
            },
            other => other,
        })?;
        if !finished {
            return Ok(Ended::Restarted);
        }
    }
    if cli.stats {
        session.report_timings();
    }
    Ok(Ended::Finished(build.finish()?))
}

/// Runs the build on a tokio runtime until it ends, a signal comes or
/// `restart` says to stop; `Ok(false)` when it was stopped by `restart`.
fn run_engine(
    build: &Build,
    display: &Arc<Display>,
    log: &Option<Arc<BuildLog>>,
    trace: &Option<Arc<TraceFile>>,
    last_build: &Arc<LastBuildRecorder>,
    restart: Option<&mut UnboundedReceiver<()>>,
) -> Result<bool, Failure> {
    let mut sinks: Vec<Arc<dyn EventSink>> = vec![display.clone(), last_build.clone()];
    if let Some(l) = log {
        sinks.push(l.clone());
    }
    if let Some(t) = trace {
        sinks.push(t.clone());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| session::Error::System(format!("Error: cannot start: {e}")))?;
    let outcome = runtime.block_on(async {
        tokio::select! {
            result = build.run(Arc::new(Fanout(sinks))) => Outcome::Done(result),
            _ = interrupted() => Outcome::Interrupted,
            _ = restart_asked(restart) => Outcome::Restarted,
        }
    });
    // Shutting the runtime down drops every command under way, which
    // kills its process group.
    drop(runtime);
    match outcome {
        Outcome::Done(result) => {
            result?;
            Ok(true)
        }
        Outcome::Interrupted => Err(Failure::Interrupted),
        Outcome::Restarted => Ok(false),
    }
}

/// How the engine's run ended.
enum Outcome {
    Done(Result<(), session::Error>),
    Interrupted,
    Restarted,
}

/// Resolves when `restart` receives a message; never without one.
async fn restart_asked(restart: Option<&mut UnboundedReceiver<()>>) {
    match restart {
        Some(r) => {
            r.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}

/// The display and the build log of a run.
fn outputs(cli: &Cli, build_dir: &Path) -> (Arc<Display>, Option<Arc<BuildLog>>) {
    let style = match cli.verbosity {
        Verbosity::Quiet => Style::Quiet,
        Verbosity::Verbose(_) => Style::Classic,
        Verbosity::Normal => {
            let dumb = std::env::var("TERM").map(|t| t == "dumb").unwrap_or(false);
            if std::io::stdout().is_terminal() && !dumb && !cli.classic_display {
                Style::Status
            } else {
                Style::Classic
            }
        }
    };
    let display = Arc::new(Display::new(
        style,
        matches!(cli.verbosity, Verbosity::Verbose(_)),
        cli.request.keep_going,
    ));
    let log = match (&cli.log, cli.verbosity) {
        (Some(name), v) if v != Verbosity::Quiet => {
            let path = build_dir.join(name);
            match BuildLog::create(&path) {
                Ok(l) => Some(Arc::new(l)),
                Err(e) => {
                    println!("Warning: cannot write the log {}: {e}", path.display());
                    None
                }
            }
        }
        _ => None,
    };
    (display, log)
}

/// The `-trace` file of a run, named relative to the working directory.
fn trace_file(cli: &Cli) -> Option<Arc<TraceFile>> {
    let name = cli.trace.as_ref()?;
    let path = std::path::absolute(name).unwrap_or_else(|_| Path::new(name).to_path_buf());
    Some(Arc::new(TraceFile::new(path)))
}

/// Writes the `-trace` file; a failure to write it is a warning.
fn finish_trace(trace: &Option<Arc<TraceFile>>) {
    if let Some(t) = trace
        && let Err(e) = t.finish()
    {
        println!(
            "Warning: cannot write the trace {}: {e}",
            t.path().display()
        );
    }
}

/// Records the actions of the build for `-explain`; a failure to write is
/// a warning.
fn finish_last_build(last_build: &LastBuildRecorder) {
    if let Err(e) = last_build.finish() {
        println!("Warning: cannot record the build for -explain: {e}");
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn interrupted() {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        (Ok(mut int), Ok(mut term)) => {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        // Without signal handlers the default actions apply.
        _ => std::future::pending::<()>().await,
    }
}
