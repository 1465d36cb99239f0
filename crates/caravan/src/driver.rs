//! One run of caravan: parse the command line, open a build session on the
//! request, show the build's events, and turn the outcome into an exit
//! code. Everything about OCaml and ocamlbuild lives in the `session`
//! crate and below.

use std::path::Path;

use session::{Layout, Session};

use crate::build_graph::Recorded;
use crate::cli::{self, Cli, GraphFormat, Info, Verbosity};
use crate::display;
use crate::error::Failure;
use crate::exit_code;
use crate::explanation;
use crate::one_build::{Ended, build_once};

/// Runs caravan with `args` (without the program name); returns the exit code.
pub fn run(args: &[String]) -> u8 {
    let outcome = cli::parse(args).map_err(Failure::Cli).and_then(|mut cli| {
        cli.request.words = cli::build_words(args);
        cli.request.plugin_words = cli::plugin_words(args);
        cli.request.quiet = cli.verbosity == Verbosity::Quiet;
        cli.request.sharing.verbose = matches!(cli.verbosity, Verbosity::Verbose(n) if n > 0);
        match &cli.info {
            Some(info) => Ok(print_info(info, &cli)),
            None => build(&cli),
        }
    });
    match outcome {
        Ok(code) => code,
        Err(failure) => {
            let message = failure.message();
            if !message.is_empty() {
                if matches!(failure, Failure::Cli(cli::CliError::Usage(_))) {
                    print!("{message}");
                } else {
                    println!("{}", display::fit_hints(message.trim_end()));
                }
            }
            failure.exit_code()
        }
    }
}

fn print_info(info: &Info, cli: &Cli) -> u8 {
    match info {
        Info::Which(tool) => match session::which(&cli.request, tool) {
            Ok(words) => println!("{words}"),
            Err(e) => {
                println!("{e}");
                return exit_code::FAILURE;
            }
        },
        Info::Version => println!("caravan {}", env!("CARGO_PKG_VERSION")),
        Info::Vnum => println!("{}", env!("CARGO_PKG_VERSION")),
        Info::Where => match std::env::current_exe() {
            Ok(p) => println!("{}", p.parent().unwrap_or(&p).display()),
            Err(_) => println!("."),
        },
        Info::Help => print!("{}", cli::usage()),
        Info::Explain(target) => return explain(cli, target),
        Info::Graph(format) => return graph(cli, *format),
        Info::CacheStats | Info::CacheTrim => {
            let sharing = &cli.request.sharing;
            let text = match info {
                Info::CacheStats => session::cache_stats(sharing),
                _ => session::cache_trim(sharing),
            };
            match text {
                Ok(t) => print!("{t}"),
                Err(e) => {
                    println!("{e}");
                    return exit_code::FAILURE;
                }
            }
        }
    }
    exit_code::OK
}

/// `-explain TARGET`.
fn explain(cli: &Cli, target: &str) -> u8 {
    let text = Layout::of(&cli.request)
        .map_err(|e| e.to_string())
        .and_then(|layout| explanation::explain(&layout.build_dir, target));
    match text {
        Ok(t) => {
            print!("{t}");
            exit_code::OK
        }
        Err(e) => {
            println!("{e}");
            exit_code::FAILURE
        }
    }
}

/// `-graph FORMAT`.
fn graph(cli: &Cli, format: GraphFormat) -> u8 {
    let recorded = Layout::of(&cli.request)
        .map_err(|e| e.to_string())
        .and_then(|layout| {
            Recorded::load(&layout.build_dir).map_err(|e| {
                format!(
                    "Error: -graph: cannot read the traces of {}: {e}",
                    layout.build_dir.display()
                )
            })
        });
    match recorded {
        Ok(r) => {
            let g = r.graph(&cli.request.targets);
            let text = match format {
                GraphFormat::Dot => g.to_dot(),
                GraphFormat::Json => format!("{}\n", g.to_json()),
            };
            // A reader that stops early (`| head`) is no failure, and no
            // panic as `print!` would make it.
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    eprintln!("Error: -graph: cannot write the graph: {e}");
                    exit_code::FAILURE
                }
                _ => exit_code::OK,
            }
        }
        Err(e) => {
            println!("{e}");
            exit_code::FAILURE
        }
    }
}

fn build(cli: &Cli) -> Result<u8, Failure> {
    let layout = Layout::of(&cli.request)?;
    check_log(cli)?;
    if matches!(
        cli.request.install.action,
        Some(session::InstallAction::Uninstall(_))
    ) {
        session::uninstall(&cli.request, &layout.root)?;
        return Ok(exit_code::OK);
    }
    if cli.watch && cli.request.install.installs() {
        return Err(Failure::Cli(cli::CliError::Usage(
            "-watch cannot be combined with -install or -install-file.".to_string(),
        )));
    }
    if cli.request.clean {
        session::clean(&layout.root, &layout.build_dir, layout.make_links)?;
        return Ok(exit_code::OK);
    }
    let mut session = Session::open(cli.request.clone(), layout)?;
    if cli.request.just_plugin {
        return Ok(exit_code::OK);
    }
    if cli.watch {
        return crate::watch::watch(cli, &mut session);
    }
    match build_once(cli, &mut session, None)? {
        Ended::Finished(code) => Ok(code),
        // Without a source of restarts a build is never restarted.
        Ended::Restarted => Ok(exit_code::OK),
    }
}

/// Refuses a log file outside the build directory.
fn check_log(cli: &Cli) -> Result<(), Failure> {
    match &cli.log {
        Some(log) if Path::new(log).is_absolute() => {
            Err(Failure::Session(session::Error::refused(format!(
                "Error: -log {log}: the log file name must be relative to the build directory."
            ))))
        }
        _ => Ok(()),
    }
}
