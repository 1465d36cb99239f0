//! One run of caravan, in ocamlbuild's order: options, build directory,
//! `-clean`, tree scan, hygiene, rules, build, links, and `--`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use engine::{
    BuildLock, Engine, EngineConfig, Error, EventSink, LocalExecutor, SourceTree, Target,
};
use ocaml::hygiene;
use ocaml::options::BuildOptions;
use ocaml::project::{NoTags, Project, ScanConfig};
use ocaml::resolver::Resolver;
use ocaml::rules::{OcamlRules, RuleContext};
use ocaml::tagging::BuiltinTags;
use ocaml::toolchain::{ToolOverrides, Toolchain};

use crate::build_log::BuildLog;
use crate::cli::{self, Cli, CliError, Info, Verbosity};
use crate::display::{Display, Fanout, Style};
use crate::exit_code;
use crate::links;
use crate::program;

/// A reason to stop, with its exit code and what to print.
pub struct Stop {
    /// The exit code.
    pub code: u8,
    /// The message (printed on stdout, like ocamlbuild).
    pub message: String,
}

impl Stop {
    fn new(code: u8, message: impl Into<String>) -> Stop {
        Stop {
            code,
            message: message.into(),
        }
    }
}

/// Runs caravan with `args` (without the program name); returns the exit code.
pub fn run(args: &[String]) -> u8 {
    let cli = match cli::parse(args) {
        Ok(c) => c,
        Err(CliError::Usage(msg)) => {
            print!("caravan: {msg}\n{}", cli::usage());
            return exit_code::USAGE;
        }
        Err(CliError::NotSupported { option, feature }) => {
            println!(
                "Error: option {option} is not supported yet: it belongs to {feature}, \
                 which caravan does not implement yet.\n\
                 Hint: run ocamlbuild for this project until then, or remove the option."
            );
            return exit_code::FAILURE;
        }
    };
    if let Some(info) = cli.info {
        print_info(info);
        return exit_code::OK;
    }
    match build(cli) {
        Ok(code) => code,
        Err(stop) => {
            if !stop.message.is_empty() {
                println!("{}", stop.message.trim_end());
            }
            stop.code
        }
    }
}

fn print_info(info: Info) {
    match info {
        Info::Version => println!("caravan {}", env!("CARGO_PKG_VERSION")),
        Info::Vnum => println!("{}", env!("CARGO_PKG_VERSION")),
        Info::Where => match std::env::current_exe() {
            Ok(p) => println!("{}", p.parent().unwrap_or(&p).display()),
            Err(_) => println!("."),
        },
        Info::Help => print!("{}", cli::usage()),
    }
}

fn relative_dir(option: &str, dir: &str) -> Result<(), Stop> {
    if Path::new(dir).is_absolute() {
        return Err(Stop::new(
            exit_code::FAILURE,
            format!(
                "Error: {option} {dir}: include and exclude directories must be relative to the \
                 project root."
            ),
        ));
    }
    Ok(())
}

fn build(cli: Cli) -> Result<u8, Stop> {
    let root = std::env::current_dir().map_err(|e| {
        Stop::new(
            exit_code::SYSTEM,
            format!("Error: cannot read the current directory: {e}"),
        )
    })?;
    for d in &cli.include_dirs {
        relative_dir("-I", d)?;
    }
    for d in &cli.exclude_dirs {
        relative_dir("-X", d)?;
    }
    if let Some(log) = &cli.log
        && Path::new(log).is_absolute()
    {
        return Err(Stop::new(
            exit_code::FAILURE,
            format!(
                "Error: -log {log}: the log file name must be relative to the build directory."
            ),
        ));
    }
    let build_dir = match &cli.build_dir {
        Some(d) => root.join(d),
        None => root.join("_build"),
    };
    let make_links = !cli.no_links && cli.build_dir.is_none();

    if cli.clean {
        return clean(&root, &build_dir, make_links);
    }
    if root.join("myocamlbuild.ml").is_file() && !cli.no_plugin {
        return Err(Stop::new(
            exit_code::FAILURE,
            "Error: this project has a myocamlbuild.ml plugin, and caravan does not run plugins \
             yet.\nHint: pass -no-plugin to build without it, or keep using ocamlbuild for this \
             project until plugins are supported.",
        ));
    }
    if cli.targets.is_empty() {
        return Ok(exit_code::OK);
    }

    let target_dirs: Vec<String> = cli
        .targets
        .iter()
        .map(|t| Target::new(t).dir().to_string())
        .filter(|d| !d.is_empty())
        .collect();
    let scan = ScanConfig {
        root: root.clone(),
        build_dir: build_dir.clone(),
        include_dirs: cli.include_dirs.clone(),
        exclude_dirs: cli.exclude_dirs.clone(),
        recursive: cli.recursive,
        target_dirs,
    };
    let project = Project::scan(&scan, &mut NoTags)
        .map_err(|e| Stop::new(exit_code::SYSTEM, format!("Error: {e}")))?;
    if make_links {
        // Dangling links to the build directory are stale leftovers.
        let _ = links::remove(&root, &build_dir, &project.target_links, true);
    }
    if cli.hygiene {
        check_hygiene(&cli, &root, &build_dir, &project)?;
    }

    std::fs::create_dir_all(&build_dir).map_err(|e| {
        Stop::new(
            exit_code::SYSTEM,
            format!("Error: cannot create {}: {e}", build_dir.display()),
        )
    })?;
    let _lock = BuildLock::acquire(&build_dir, || {
        println!(
            "caravan: another caravan process is using {}; waiting for it to finish...",
            build_dir.display()
        )
    })
    .map_err(|e| Stop::new(exit_code::SYSTEM, format!("Error: {e}")))?;

    let overrides = ToolOverrides {
        ocamlc: cli.ocamlc.clone(),
        ocamlopt: cli.ocamlopt.clone(),
        ocamldep: cli.ocamldep.clone(),
        ocamlrun: cli.ocamlrun.clone(),
    };
    let toolchain = Toolchain::discover(&overrides, &engine::state_dir(&build_dir))
        .map_err(|e| Stop::new(exit_code::FAILURE, format!("Error: {e}")))?;
    let options = BuildOptions {
        cflags: cli.cflags.clone(),
        lflags: cli.lflags.clone(),
        libs: cli.libs.clone(),
        mods: cli.mods.clone(),
        cmi_from_native: native_only(&cli.targets),
    };
    let resolver = Resolver::new(&project, toolchain.stdlib());
    let sources = SourceTree::new(&root, project.files.iter().cloned());
    let looks_like_project = project.looks_like_project || cli.recursive;
    let rules = OcamlRules::new(RuleContext {
        tagging: Box::new(BuiltinTags {
            traverse: project.recursive,
        }),
        project,
        resolver,
        toolchain,
        options,
    });
    let targets: Vec<Target> = cli.targets.iter().map(|t| rules.locate(t)).collect();

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
    ));
    let mut sinks: Vec<Arc<dyn EventSink>> = vec![display.clone()];
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
    if let Some(l) = &log {
        sinks.push(l.clone());
    }
    let jobs = cli.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let engine = Engine::open(EngineConfig {
        build_dir: build_dir.clone(),
        sources,
        rules: Arc::new(rules),
        executor: Arc::new(LocalExecutor),
        events: Arc::new(Fanout(sinks)),
        jobs,
    })
    .map_err(|e| Stop::new(exit_code::SYSTEM, format!("Error: {e}")))?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Stop::new(exit_code::SYSTEM, format!("Error: cannot start: {e}")))?;
    let results = runtime.block_on(engine.build(&targets));
    let finished = engine.finish();
    drop(runtime);

    let first_error = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .find(|e| !matches!(e, Error::Stopped));
    let success = first_error.is_none() && results.iter().all(|r| r.is_ok());
    display.finish(success);
    if let Some(l) = &log {
        l.finish(success);
    }
    if let Err(e) = finished {
        println!("Warning: {e}");
    }
    if std::env::var_os("CARAVAN_STATS").is_some() {
        println!("caravan-stats: files-hashed={}", engine::files_hashed());
    }
    if let Some(e) = first_error {
        let mut message = describe(e);
        if !looks_like_project && mentions_unbound_module(e) {
            message.push_str(
                "\nHint: sub-folders are not searched for modules in a folder without a _tags \
                 file. Pass -r (or -I DIR for each folder), or create an empty _tags file.",
            );
        }
        return Err(Stop::new(exit_code::of_error(e), message));
    }
    if !success {
        return Err(Stop::new(exit_code::COMMAND_FAILED, ""));
    }

    if make_links {
        for t in &targets {
            if links::is_linked(t.as_str()) {
                match links::make(&root, &build_dir, t.as_str()) {
                    Ok(Some(warning)) => println!("{warning}"),
                    Ok(None) => {}
                    Err(e) => println!("Warning: cannot link {t}: {e}"),
                }
            }
        }
    }
    match cli.program_args {
        Some(args) => {
            program::run_last(&root, &build_dir, &targets, &args, cli.ocamlrun.as_deref())
        }
        None => Ok(exit_code::OK),
    }
}

/// Whether every target is native code: then `ocamlopt` writes the `.cmi`
/// of modules without an `.mli` and `ocamlc` never runs.
fn native_only(targets: &[String]) -> bool {
    let native = [".native", ".cmx", ".cmxa", ".cmxs", ".o", ".a", ".so"];
    let neutral = [".depends"];
    let mut any_native = false;
    for t in targets {
        if native.iter().any(|e| t.ends_with(e)) {
            any_native = true;
        } else if !neutral.iter().any(|e| t.ends_with(e)) {
            return false;
        }
    }
    any_native
}

fn check_hygiene(cli: &Cli, root: &Path, build_dir: &Path, project: &Project) -> Result<(), Stop> {
    let report = hygiene::check(project, &|_| false);
    if report.is_clean() {
        return Ok(());
    }
    let script: Option<PathBuf> = cli
        .sanitize
        .then(|| build_dir.join(&cli.sanitization_script));
    if let Some(script) = &script {
        let text = report.sanitize_script(root, script);
        let written = std::fs::create_dir_all(build_dir)
            .and_then(|_| std::fs::write(script, text))
            .and_then(|_| {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(script, std::fs::Permissions::from_mode(0o777))
            });
        if let Err(e) = written {
            println!("Warning: cannot write {}: {e}", script.display());
        }
    }
    print!("{}", report.render(script.as_deref()));
    if report.failed() {
        return Err(Stop::new(exit_code::USAGE, ""));
    }
    Ok(())
}

fn clean(root: &Path, build_dir: &Path, links_enabled: bool) -> Result<u8, Stop> {
    if links_enabled {
        let mut names = Vec::new();
        if let Ok(entries) = std::fs::read_dir(root) {
            for e in entries.flatten() {
                if e.file_type().map(|t| t.is_symlink()).unwrap_or(false) {
                    names.push(e.file_name().to_string_lossy().into_owned());
                }
            }
        }
        links::remove(root, build_dir, &names, false).map_err(|e| {
            Stop::new(
                exit_code::SYSTEM,
                format!("Error: cannot remove links: {e}"),
            )
        })?;
    }
    match std::fs::remove_dir_all(build_dir) {
        Ok(()) => Ok(exit_code::OK),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(exit_code::OK),
        Err(e) => Err(Stop::new(
            exit_code::SYSTEM,
            format!("Error: cannot remove {}: {e}", build_dir.display()),
        )),
    }
}

fn mentions_unbound_module(e: &Error) -> bool {
    matches!(e, Error::CommandFailed(f) if f.output.contains("Unbound module"))
}

/// The message for a build error (failed commands were already shown).
fn describe(e: &Error) -> String {
    match e {
        Error::CommandFailed(_) => String::new(),
        Error::NoRule { target, via } => {
            let mut s = format!("Error: caravan knows no rule that builds {target}");
            if let Some(parent) = via.first() {
                s.push_str(&format!(" (needed by {parent})"));
            }
            s.push_str(
                ".\nHint: from X.ml and X.mli, caravan builds X.byte, X.native, X.cmo, X.cmx, \
                 X.cmi, X.o, X.ml.depends, X.mli.depends and X.inferred.mli; check the \
                 extension, and add the source's folder with -I if it is in a sub-folder.",
            );
            s
        }
        Error::Cycle { cycle } => {
            let mut names: Vec<&str> = cycle.iter().map(|t| t.as_str()).collect();
            if let Some(first) = names.first().copied() {
                names.push(first);
            }
            format!(
                "Error: circular build: {}.\nHint: these files need each other; OCaml modules \
                 cannot depend on each other in a cycle. Move what they share into a module of \
                 its own.",
                names.join(" -> ")
            )
        }
        Error::Rule { message, .. } => format!("Error: {message}"),
        Error::Internal(m) => format!(
            "Internal error: {m}\nThis is a bug in caravan; please report it with the command \
             line and _build/_log."
        ),
        other => format!("Error: {other}"),
    }
}
