//! One run of caravan, in ocamlbuild's order: options, build directory,
//! `-clean`, tree scan, hygiene, rules, then either the null-build fast path
//! or the engine, then links and `--`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ::plugin::PluginRunner;
use ::plugin::rule::PluginRules;
use engine::null_build_record::{self, RecordCheck};
use engine::{
    BuildLock, Digest, Engine, EngineConfig, Error, EventSink, LocalExecutor, SourceTree, Target,
};
use ocaml::options::BuildOptions;
use ocaml::project::ScanConfig;
use ocaml::resolver::Resolver;
use ocaml::rules::declared::DeclaredRules;
use ocaml::rules::{OcamlRules, RuleContext};
use ocaml::toolchain::{ToolOverrides, Toolchain};

use crate::build_log::BuildLog;
use crate::cli::{self, Cli, CliError, Info, Verbosity};
use crate::configure::{self, ConfigureError, Configured, PluginRun};
use crate::display::{Display, Fanout, Style};
use crate::plugin::Plugin;
use crate::timings::Timings;
use crate::{clean, documentation, exit_code, links, null_build, program, report, sanitize};

/// A reason to stop, with its exit code and what to print.
pub struct Stop {
    /// The exit code.
    pub code: u8,
    /// The message (printed on stdout, like ocamlbuild).
    pub message: String,
}

impl Stop {
    /// A stop with a message.
    pub fn new(code: u8, message: impl Into<String>) -> Stop {
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
    if let Some(info) = &cli.info {
        return print_info(info, &cli);
    }
    match build(&cli, args) {
        Ok(code) => code,
        Err(stop) => {
            if !stop.message.is_empty() {
                println!("{}", stop.message.trim_end());
            }
            stop.code
        }
    }
}

fn print_info(info: &Info, cli: &Cli) -> u8 {
    if let Info::Which(tool) = info {
        let found = match ocaml::toolchain::Tool::from_name(tool) {
            // As ocamlbuild: the tool found on PATH, whatever -menhir... says.
            Some(t) => ocaml::toolchain::tool_argv(t, None),
            None => {
                let overrides = tool_overrides(cli);
                let given = match tool.as_str() {
                    "ocamlc" => overrides.ocamlc.as_deref(),
                    "ocamlopt" => overrides.ocamlopt.as_deref(),
                    "ocamldep" => overrides.ocamldep.as_deref(),
                    "ocamlrun" => overrides.ocamlrun.as_deref(),
                    "ocamlmklib" => overrides.ocamlmklib.as_deref(),
                    "ocamlmktop" => overrides.ocamlmktop.as_deref(),
                    _ => None,
                };
                ocaml::toolchain::tool_command(given, tool)
            }
        };
        return match found {
            Ok(words) => {
                println!("{}", words.join(" "));
                exit_code::OK
            }
            Err(e) => {
                println!("Error: {e}");
                exit_code::FAILURE
            }
        };
    }
    match info {
        Info::Version => println!("caravan {}", env!("CARGO_PKG_VERSION")),
        Info::Vnum => println!("{}", env!("CARGO_PKG_VERSION")),
        Info::Where => match std::env::current_exe() {
            Ok(p) => println!("{}", p.parent().unwrap_or(&p).display()),
            Err(_) => println!("."),
        },
        Info::Help => print!("{}", cli::usage()),
        Info::Which(_) => {}
    }
    exit_code::OK
}

/// The directories of a run.
struct Paths {
    root: PathBuf,
    build_dir: PathBuf,
    make_links: bool,
}

impl Paths {
    fn of(cli: &Cli) -> Result<Paths, Stop> {
        let root = std::env::current_dir().map_err(|e| {
            Stop::new(
                exit_code::SYSTEM,
                format!("Error: cannot read the current directory: {e}"),
            )
        })?;
        for (option, dirs) in [("-I", &cli.include_dirs), ("-X", &cli.exclude_dirs)] {
            if let Some(d) = dirs.iter().find(|d| Path::new(d).is_absolute()) {
                return Err(Stop::new(
                    exit_code::FAILURE,
                    format!(
                        "Error: {option} {d}: include and exclude directories must be relative \
                         to the project root."
                    ),
                ));
            }
        }
        if let Some(log) = &cli.log
            && Path::new(log).is_absolute()
        {
            return Err(Stop::new(
                exit_code::FAILURE,
                format!(
                    "Error: -log {log}: the log file name must be relative to the build \
                     directory."
                ),
            ));
        }
        let build_dir = match &cli.build_dir {
            Some(d) => root.join(d),
            None => root.join("_build"),
        };
        Ok(Paths {
            root,
            build_dir,
            make_links: !cli.no_links && cli.build_dir.is_none(),
        })
    }
}

fn build(cli: &Cli, args: &[String]) -> Result<u8, Stop> {
    let mut timings = Timings::start();
    let mut paths = Paths::of(cli)?;
    if cli.clean {
        return clean::clean(&paths.root, &paths.build_dir, paths.make_links);
    }
    let has_plugin = paths.root.join("myocamlbuild.ml").is_file() && !cli.no_plugin;
    std::fs::create_dir_all(&paths.build_dir).map_err(|e| {
        Stop::new(
            exit_code::SYSTEM,
            format!("Error: cannot create {}: {e}", paths.build_dir.display()),
        )
    })?;
    let _lock = BuildLock::acquire(&paths.build_dir, || {
        println!(
            "caravan: another caravan process is using {}; waiting for it to finish...",
            paths.build_dir.display()
        )
    })
    .map_err(|e| Stop::new(exit_code::SYSTEM, format!("Error: {e}")))?;
    let mut toolchain =
        Toolchain::discover(&tool_overrides(cli), &engine::state_dir(&paths.build_dir))
            .map_err(|e| Stop::new(exit_code::FAILURE, format!("Error: {e}")))?;
    timings.mark("toolchain");
    let plugin = if has_plugin {
        Some(crate::plugin::prepare(
            cli,
            args,
            &paths.root,
            &paths.build_dir,
            &toolchain.stdlib(),
        )?)
    } else {
        None
    };
    if cli.just_plugin {
        return Ok(exit_code::OK);
    }
    timings.mark("plugin");
    let configured = configure_with(cli, &paths, plugin.as_ref())?;
    let first = cli;
    let cli = &configured.cli.clone();
    paths.make_links = !cli.no_links && cli.build_dir.is_none();
    let tools = |c: &Cli| {
        [
            c.ocamlc.clone(),
            c.ocamlopt.clone(),
            c.ocamldep.clone(),
            c.ocamlrun.clone(),
            c.ocamllex.clone(),
            c.parser_generator.clone(),
            c.ocamldoc.clone(),
        ]
    };
    if tools(cli) != tools(first) {
        toolchain = Toolchain::discover(&tool_overrides(cli), &engine::state_dir(&paths.build_dir))
            .map_err(|e| Stop::new(exit_code::FAILURE, format!("Error: {e}")))?;
    }
    timings.mark("scan");
    if cli.documentation {
        print!(
            "{}",
            documentation::render(
                &configured.flags,
                configured.menhir,
                configured.plugin.as_ref().map(|p| p.decls.rules()).as_ref()
            )
        );
        return Ok(exit_code::OK);
    }
    if cli.targets.is_empty() {
        return Ok(exit_code::OK);
    }
    check_targets(cli)?;
    if paths.make_links {
        // Dangling links to the build directory are stale leftovers.
        let _ = links::remove(
            &paths.root,
            &paths.build_dir,
            &configured.project.target_links,
            true,
        );
    }
    if cli.hygiene {
        let tagger = &configured.tagger;
        let exempt = |p: &str| tagger.has(p, "not_hygienic") || tagger.has(p, "precious");
        sanitize::check(
            cli,
            &paths.root,
            &paths.build_dir,
            &configured.project,
            &exempt,
        )?;
    }

    let record_path = null_build::record_path(&paths.build_dir);
    let key = null_build::key(
        args,
        &paths.root,
        &paths.build_dir,
        &configured.project,
        &toolchain.identity,
        &configured.fingerprint,
        ppx_driver_enabled(),
    );
    let (rules, runner) = make_rules(cli, configured, toolchain, plugin.as_ref(), &paths)?;
    let _running = RunnerGuard(runner);
    for (module, stems) in rules.context().resolver.clashes() {
        println!(
            "Warning: module {module} is in several include directories ({}); {} is used \
             except from the folders of the others.",
            stems.join(", "),
            stems[0]
        );
    }
    let targets: Vec<Target> = cli.targets.iter().map(|t| rules.locate(t)).collect();
    let (display, log) = outputs(cli, &paths.build_dir);
    timings.mark("rules");

    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    if null_build_record::check(&record_path, &key, threads) == RecordCheck::UpToDate {
        timings.mark("null-build");
        display.up_to_date();
        if let Some(l) = &log {
            l.finish(true);
        }
    } else {
        let _ = null_build_record::remove(&record_path);
        let run = EngineRun {
            cli,
            paths: &paths,
            display,
            log,
            null_build: (record_path, key),
        };
        run.build(rules, &targets, &mut timings)?;
    }
    timings.report();
    finish(cli, &paths, &targets)
}

/// Refuses targets that would be built outside the build directory.
fn check_targets(cli: &Cli) -> Result<(), Stop> {
    for t in &cli.targets {
        if Path::new(t).is_absolute() || t.split('/').any(|c| c == "..") {
            return Err(Stop::new(
                exit_code::FAILURE,
                format!(
                    "Error: the target {t} is outside the project.\nHint: targets are paths \
                     relative to the project root, such as main.native or src/main.byte."
                ),
            ));
        }
    }
    Ok(())
}

/// Configures the project, with the plugin's session when there is one: a
/// replayed session that no longer fits is run again, live.
fn configure_with(cli: &Cli, paths: &Paths, plugin: Option<&Plugin>) -> Result<Configured, Stop> {
    let scan_for = |c: &Cli| scan_config(c, paths);
    let mut live = false;
    loop {
        let run = match plugin {
            Some(p) => Some(PluginRun {
                session: p.session(&paths.build_dir, live)?,
                key: &p.key,
                build_dir: &paths.build_dir,
                binary_digest: p.binary.digest.to_hex(),
            }),
            None => None,
        };
        match configure::configure(cli, &scan_for, run) {
            Ok(c) => return Ok(c),
            Err(ConfigureError::Stale) if !live => live = true,
            Err(ConfigureError::Stale) => {
                return Err(Stop::new(
                    exit_code::INTERNAL,
                    "Internal error: the plugin's live session was found stale.",
                ));
            }
            Err(ConfigureError::Stop(s)) => return Err(s),
        }
    }
}

/// Ends the plugin when the build is over, whatever happened.
struct RunnerGuard(Option<Arc<PluginRunner>>);

impl Drop for RunnerGuard {
    fn drop(&mut self) {
        if let Some(r) = &self.0 {
            r.shutdown();
        }
    }
}

fn scan_config(cli: &Cli, paths: &Paths) -> ScanConfig {
    let target_dirs: Vec<String> = cli
        .targets
        .iter()
        .map(|t| Target::new(t).dir().to_string())
        .filter(|d| !d.is_empty())
        .collect();
    ScanConfig {
        root: paths.root.clone(),
        build_dir: paths.build_dir.clone(),
        include_dirs: cli.include_dirs.clone(),
        exclude_dirs: cli.exclude_dirs.clone(),
        recursive: cli.recursive,
        search_all_dirs: cli.search_all_dirs,
        target_dirs,
    }
}

fn tool_overrides(cli: &Cli) -> ToolOverrides {
    ToolOverrides {
        ocamlc: cli.ocamlc.clone(),
        ocamlopt: cli.ocamlopt.clone(),
        ocamldep: cli.ocamldep.clone(),
        ocamlrun: cli.ocamlrun.clone(),
        ocamllex: cli.ocamllex.clone(),
        parser_generator: cli.parser_generator.clone(),
        ocamldoc: cli.ocamldoc.clone(),
        ocamlmklib: cli.ocamlmklib.clone(),
        ocamlmktop: cli.ocamlmktop.clone(),
    }
}

fn make_rules(
    cli: &Cli,
    configured: Configured,
    toolchain: Toolchain,
    plugin: Option<&Plugin>,
    paths: &Paths,
) -> Result<(OcamlRules, Option<Arc<PluginRunner>>), Stop> {
    let mut options = BuildOptions {
        ignore: cli.ignore.clone(),
        no_skip: cli.no_skip,
        cmi_from_native: native_only(&cli.targets),
        menhir: configured.menhir,
        targets: cli.targets.clone(),
        ppx_driver: ppx_driver_enabled(),
        ..BuildOptions::default()
    };
    let mut project = configured.project;
    let mut plugin_rules = None;
    let mut runner = None;
    if let (Some(pc), Some(p)) = (configured.plugin, plugin) {
        options.non_dependencies = pc.decls.non_dependencies();
        project.contexts = pc.decls.contexts();
        let include_dirs = project.include_dirs_named();
        let r = Arc::new(PluginRunner::new(
            p.launch.clone(),
            paths.build_dir.clone(),
            include_dirs,
            pc.process,
        ));
        let rules = PluginRules::new(pc.decls.rules(), r.clone()).map_err(crate::plugin::stop)?;
        if rules.is_empty() {
            r.shutdown();
        } else {
            runner = Some(r);
        }
        plugin_rules = Some(rules);
    }
    let mut resolver = Resolver::with_generators(&project, toolchain.stdlib(), options.menhir);
    if let Some(r) = &plugin_rules {
        resolver.add_generated(r.generated(&project.files));
    }
    let plugin_rules = plugin_rules.map(|r| Arc::new(r) as Arc<dyn DeclaredRules>);
    let libraries = ocaml::rules::libraries::of_project(&project);
    let rules = OcamlRules::new(RuleContext {
        project,
        resolver,
        toolchain,
        options,
        tagger: configured.tagger,
        flags: configured.flags,
        ocamlfind: configured.ocamlfind,
        plugin: plugin_rules,
        libraries,
        ppx_drivers: Default::default(),
    });
    Ok((rules, runner))
}

/// The environment variable that turns the ppx driver pipeline off (`0`,
/// `no`, `false` or `off`) or on (anything else).
pub const PPX_DRIVER_VARIABLE: &str = "CARAVAN_PPX_DRIVER";

/// Whether rewriters from packages run through linked ppx drivers (see
/// `ocaml::rules::ppx`): on unless [`PPX_DRIVER_VARIABLE`] turns it off.
pub fn ppx_driver_enabled() -> bool {
    match std::env::var(PPX_DRIVER_VARIABLE) {
        Ok(v) => !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "0" | "no" | "false" | "off"
        ),
        Err(_) => true,
    }
}

/// Whether every target is native code: then `ocamlopt` writes the `.cmi`
/// of modules without an `.mli` and `ocamlc` never runs.
fn native_only(targets: &[String]) -> bool {
    let byte = [
        ".byte.o",
        ".byte.so",
        ".byte.c",
        ".byte.exe",
        ".byte.complete.o",
    ];
    let native = [".native", ".cmx", ".cmxa", ".cmxs", ".o", ".a", ".so"];
    let neutral = [".depends"];
    let mut any_native = false;
    for t in targets {
        if byte.iter().any(|e| t.ends_with(e)) {
            return false;
        }
        if native.iter().any(|e| t.ends_with(e)) {
            any_native = true;
        } else if !neutral.iter().any(|e| t.ends_with(e)) {
            return false;
        }
    }
    any_native
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

/// A build through the engine.
struct EngineRun<'a> {
    cli: &'a Cli,
    paths: &'a Paths,
    display: Arc<Display>,
    log: Option<Arc<BuildLog>>,
    null_build: (PathBuf, Digest),
}

impl EngineRun<'_> {
    fn build(
        self,
        rules: OcamlRules,
        targets: &[Target],
        timings: &mut Timings,
    ) -> Result<(), Stop> {
        let mut sinks: Vec<Arc<dyn EventSink>> = vec![self.display.clone()];
        if let Some(l) = &self.log {
            sinks.push(l.clone());
        }
        let jobs = self.cli.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        });
        let sources = SourceTree::new(
            &self.paths.root,
            rules.context().project.files.iter().cloned(),
        );
        let engine = Engine::open(EngineConfig {
            build_dir: self.paths.build_dir.clone(),
            sources,
            rules: Arc::new(rules),
            executor: Arc::new(LocalExecutor),
            events: Arc::new(Fanout(sinks)),
            jobs,
            forbid_runs: self.cli.nothing_should_be_rebuilt,
        })
        .map_err(|e| Stop::new(exit_code::SYSTEM, format!("Error: {e}")))?;
        timings.mark("open");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| Stop::new(exit_code::SYSTEM, format!("Error: cannot start: {e}")))?;
        let results = runtime.block_on(async {
            tokio::select! {
                results = engine.build(targets) => Some(results),
                _ = interrupted() => None,
            }
        });
        // Shutting the runtime down drops every command under way, which
        // kills its process group.
        drop(runtime);
        timings.mark("build");
        let Some(results) = results else {
            self.display.finish(false);
            if let Some(l) = &self.log {
                l.finish(false);
            }
            return Err(Stop::new(
                exit_code::INTERRUPTED,
                "caravan: interrupted; the commands under way were stopped. The next build \
                 redoes them.",
            ));
        };

        let first_error = results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .find(|e| !matches!(e, Error::Stopped));
        let success = first_error.is_none() && results.iter().all(|r| r.is_ok());
        if success {
            let files = engine.touched_files();
            if files
                .iter()
                .all(|(p, _)| null_build_record::representable(p))
            {
                // Without a record the next build only loses its fast path.
                let _ = null_build_record::write(&self.null_build.0, &self.null_build.1, &files);
            }
        }
        if let Err(e) = engine.finish() {
            println!("Warning: {e}");
        }
        timings.mark("finish");
        self.display.finish(success);
        if let Some(l) = &self.log {
            l.finish(success);
        }
        if let Some(e) = first_error {
            let mut message = report::describe(e);
            if report::mentions_unbound_module(e) {
                message.push_str(
                    "\nHint: as with ocamlbuild, modules are looked up in include folders \
                     only. If the module is in a sub-folder, add `<DIR>: include` to _tags \
                     or pass -I DIR (or -search-all-dirs to search every traversed folder).",
                );
            }
            return Err(Stop::new(exit_code::of_error(e), message));
        }
        if !success {
            return Err(Stop::new(exit_code::COMMAND_FAILED, ""));
        }
        Ok(())
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn interrupted() {
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

/// After a successful build: links at the root, then `--`.
fn finish(cli: &Cli, paths: &Paths, targets: &[Target]) -> Result<u8, Stop> {
    if paths.make_links {
        for t in links::to_make(&paths.build_dir, targets) {
            match links::make(&paths.root, &paths.build_dir, &t) {
                Ok(Some(warning)) => println!("{warning}"),
                Ok(None) => {}
                Err(e) => println!("Warning: cannot link {t}: {e}"),
            }
        }
    }
    match &cli.program_args {
        Some(args) => program::run_last(
            &paths.root,
            &paths.build_dir,
            targets,
            args,
            cli.ocamlrun.as_deref(),
        ),
        None => Ok(exit_code::OK),
    }
}
