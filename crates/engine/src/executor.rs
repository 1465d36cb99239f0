//! Executors: where an action's command actually runs.
//!
//! [`Executor`] is the seam between deciding and doing: the rebuilder decides
//! that an action must run and hands it to an executor. [`LocalExecutor`]
//! spawns the process in the build directory (never through a shell),
//! captures stdout and stderr through one pipe so their interleaving is kept,
//! and kills the child if the build is abandoned.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::Stdio;

use futures::future::BoxFuture;

use crate::action::{Action, Command, expand_build_dir};
use crate::error::{Error, Result};

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutcome {
    /// Exit code when it exited.
    pub exit_code: Option<i32>,
    /// Signal number when it was killed.
    pub signal: Option<i32>,
    /// Captured stdout and stderr (stderr only when stdout is redirected).
    pub output: String,
    /// The value returned by an internal step (empty for processes).
    pub value: Vec<u8>,
}

impl ExecOutcome {
    /// Whether the command succeeded.
    pub fn success(&self) -> bool {
        self.exit_code == Some(0)
    }
}

/// Runs actions.
pub trait Executor: Send + Sync + 'static {
    /// Runs `action` with `build_dir` as working directory.
    fn execute<'a>(
        &'a self,
        build_dir: &'a Path,
        action: &'a Action,
    ) -> BoxFuture<'a, Result<ExecOutcome>>;
}

/// Runs actions as local processes or in-process steps.
#[derive(Debug, Default)]
pub struct LocalExecutor;

impl Executor for LocalExecutor {
    fn execute<'a>(
        &'a self,
        build_dir: &'a Path,
        action: &'a Action,
    ) -> BoxFuture<'a, Result<ExecOutcome>> {
        Box::pin(async move {
            match &action.command {
                Command::Process { argv, stdout } => {
                    let dir =
                        std::path::absolute(build_dir).unwrap_or_else(|_| build_dir.to_path_buf());
                    let env: Vec<(String, String)> = action
                        .env
                        .iter()
                        .map(|(k, v)| (k.clone(), expand_build_dir(v, &dir)))
                        .collect();
                    run_process(build_dir, argv, stdout.as_ref().map(|t| t.as_str()), &env).await
                }
                Command::Internal { run, .. } => {
                    let run = run.clone();
                    let dir = build_dir.to_path_buf();
                    match tokio::task::spawn_blocking(move || run(&dir)).await {
                        Ok(Ok(value)) => Ok(ExecOutcome {
                            exit_code: Some(0),
                            signal: None,
                            output: String::new(),
                            value,
                        }),
                        Ok(Err(e)) => Err(e),
                        // The runtime is shutting down (Ctrl-C): the step
                        // never ran, and the build is stopping, not failing.
                        Err(e) if e.is_cancelled() => Err(Error::Stopped),
                        Err(e) => Err(Error::internal(format!("internal step panicked: {e}"))),
                    }
                }
            }
        })
    }
}

async fn run_process(
    build_dir: &Path,
    argv: &[String],
    stdout_to: Option<&str>,
    env: &[(String, String)],
) -> Result<ExecOutcome> {
    let Some(program) = argv.first() else {
        return Err(Error::internal("empty command line"));
    };
    let (reader, writer) = std::io::pipe().map_err(|e| Error::io("pipe", e))?;
    let mut cmd = tokio::process::Command::new(program);
    // Each command leads a process group of its own, so that abandoning it
    // (Ctrl-C, another command failing) kills its children too, and so that
    // a terminal's Ctrl-C reaches caravan alone, which decides.
    cmd.args(&argv[1..])
        .current_dir(build_dir)
        .stdin(Stdio::null())
        .process_group(0)
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let writer_err = writer.try_clone().map_err(|e| Error::io("pipe", e))?;
    cmd.stderr(Stdio::from(writer_err));
    match stdout_to {
        Some(path) => {
            let full = build_dir.join(path);
            let file = File::create(&full).map_err(|e| Error::io(&full, e))?;
            cmd.stdout(Stdio::from(file));
            drop(writer);
        }
        None => {
            cmd.stdout(Stdio::from(writer));
        }
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Ok(ExecOutcome {
                exit_code: Some(127),
                signal: None,
                output: format!("cannot run {program}: {e}\n"),
                value: Vec::new(),
            });
        }
    };
    // The parent's copies of the pipe's write end were moved into `cmd`;
    // drop it so that the reader sees end-of-file when the child exits.
    drop(cmd);
    let mut group = child.id().map(|pid| GroupKiller { pgid: pid as i32 });
    let collect = tokio::task::spawn_blocking(move || {
        let mut reader = reader;
        let mut bytes = Vec::new();
        let _ = reader.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    });
    let status = child
        .wait()
        .await
        .map_err(|e| Error::io(program.as_str(), e))?;
    // The command ended by itself: nothing to kill.
    if let Some(g) = group.as_mut() {
        g.pgid = 0;
    }
    let output = collect
        .await
        .map_err(|e| Error::internal(format!("output reader failed: {e}")))?;
    use std::os::unix::process::ExitStatusExt;
    Ok(ExecOutcome {
        exit_code: status.code(),
        signal: status.signal(),
        output,
        value: Vec::new(),
    })
}

/// Kills a command's whole process group if the command is abandoned
/// before it ends (the future running it is dropped).
struct GroupKiller {
    pgid: i32,
}

impl Drop for GroupKiller {
    fn drop(&mut self) {
        if self.pgid > 0 {
            // SAFETY: killpg has no memory-safety preconditions; the group
            // was created for this command and it has not been reaped.
            unsafe {
                libc::killpg(self.pgid, libc::SIGKILL);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn captures_output_and_exit_code() {
        let dir = tempfile::tempdir().unwrap();
        let a = Action::process(vec![
            "sh".into(),
            "-c".into(),
            "echo out; echo err >&2; exit 3".into(),
        ]);
        let r = LocalExecutor.execute(dir.path(), &a).await.unwrap();
        assert_eq!(r.exit_code, Some(3));
        assert_eq!(r.output, "out\nerr\n");
    }

    #[tokio::test]
    async fn redirects_stdout_to_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Action::process(vec!["echo".into(), "hi".into()]);
        if let Command::Process { stdout, .. } = &mut a.command {
            *stdout = Some(crate::Target::new("o.txt"));
        }
        let r = LocalExecutor.execute(dir.path(), &a).await.unwrap();
        assert!(r.success());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("o.txt")).unwrap(),
            "hi\n"
        );
    }

    #[tokio::test]
    async fn missing_program_is_a_failed_command_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let a = Action::process(vec!["/nonexistent/tool".into()]);
        let r = LocalExecutor.execute(dir.path(), &a).await.unwrap();
        assert_eq!(r.exit_code, Some(127));
        assert!(r.output.contains("/nonexistent/tool"));
    }
}
