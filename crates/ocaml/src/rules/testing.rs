//! Test support for the rules' unit tests: a small project in a temporary
//! folder, built by the real rules through a real [`engine::Engine`] whose
//! executor records each action instead of running it.
//!
//! [`Fixture`] owns the setup. It writes the given files (and a `_tags`
//! text) into a temporary project, then configures it the way the
//! session's `configure` does (tree scan with the `_tags` files, built-in
//! flag declarations, the `use_<lib>` tags of the project's libraries, the
//! startup instantiation of parametrised tags) and assembles the rules
//! with [`RuleSetup`], as the session's `make_rules` does, over a
//! toolchain described by [`Toolchain::described`]: fixed command names
//! (`ocamlc.opt`, `ocamlopt.opt`... as ocamlbuild's `_log` shows them,
//! without their folder) and a fixed `ocamlc -config` whose standard
//! library is a folder of the fixture holding a few `.cmi` names.
//! Nothing is looked up on `PATH` and no compiler is run.
//!
//! [`Fixture::build`] asks for targets; the [`Recorder`] executor keeps each
//! [`Action`] it is handed as a [`Recorded`] (argv, inputs, outputs) and
//! writes empty files for the declared outputs, so the tasks waiting on
//! them go on. In-process steps (the dependency scan of a `.ml`, the stamp
//! of a target group) do run, so module dependencies are the real ones,
//! except those that run a compiler themselves ([`RUNS_A_COMPILER`]),
//! recorded like a process with their arguments as argv. A command's
//! output that a rule reads back (a preprocessed `.depends`) is empty.
//!
//! These tests check the commands the rules write; that the compilers
//! accept them, and that they match the real ocamlbuild's, is the business
//! of the end-to-end tests (`crates/caravan/tests`), which run the real
//! compilers.

use std::path::Path;
use std::sync::{Arc, Mutex};

use engine::{
    Action, Command, Engine, EngineConfig, ExecOutcome, Executor, Input, LocalExecutor, NoEvents,
    SourceTree, Target,
};
use futures::future::BoxFuture;

use super::declared::DeclaredRules;
use super::{OcamlRules, RuleContext, RuleSetup};
use crate::build_options::BuildOptions;
use crate::project::{Project, ScanConfig};
use crate::tagging::TagsBuilder;
use crate::toolchain::{ToolOverrides, Toolchain};
use flags::{self, FlagOptions};

/// The `ocamlc -config` of the described toolchain (`standard_library` is
/// added by the fixture).
const CONFIG: &str = "version: 4.13.1\next_obj: .o\next_lib: .a\next_dll: .so\n\
                      supports_shared_libraries: true\n";

/// The in-process steps that run a compiler (by the start of their name):
/// their arguments are its argv.
pub const RUNS_A_COMPILER: &[&str] = &["output-obj-in-private-dir"];

fn runs_a_compiler(action: &Action) -> bool {
    matches!(&action.command, Command::Internal { name, .. }
        if RUNS_A_COMPILER.iter().any(|n| name.starts_with(n)))
}

/// A program `a` that uses `B` (with an `.mli`) and `Util` of the folder
/// `lib`; `b` uses `C`.
pub const A_USES_B_AND_UTIL: &[(&str, &str)] = &[
    ("a.ml", "let () = print_int (B.x + Util.z)\n"),
    ("b.ml", "let x = C.y\n"),
    ("b.mli", "val x : int\n"),
    ("c.ml", "let y = List.length [1]\n"),
    ("lib/util.ml", "let z = 3\n"),
];

/// Modules of the fixture's standard library.
const STDLIB: &[&str] = &["stdlib", "list", "printf", "string", "unix"];

/// The commands of the described toolchain, named as ocamlbuild's `_log`
/// names them on Debian, without `/usr/bin/`.
pub fn commands() -> ToolOverrides {
    ToolOverrides {
        ocamlc: Some("ocamlc.opt".into()),
        ocamlopt: Some("ocamlopt.opt".into()),
        ocamldep: Some("ocamldep.opt".into()),
        ocamlrun: None,
        ocamllex: Some("ocamllex.opt".into()),
        parser_generator: Some("ocamlyacc".into()),
        ocamldoc: Some("ocamldoc.opt".into()),
        ocamlmklib: Some("ocamlmklib.opt".into()),
        ocamlmktop: Some("ocamlmktop.opt".into()),
    }
}

/// A project to build with the rules, and how.
#[derive(Clone)]
pub struct Fixture {
    files: Vec<(String, String)>,
    /// Options of the build (`targets` and the rest as the driver sets them).
    pub options: BuildOptions,
    /// The command line's flag options (`-cflags`, `-lflags`...).
    pub flag_options: FlagOptions,
    /// The toolchain's commands.
    pub commands: ToolOverrides,
    /// `-tag`s.
    pub tags: Vec<String>,
    /// `-I` folders.
    pub include_dirs: Vec<String>,
    /// `-r`.
    pub recursive: bool,
    /// The project's own rules (a plugin's), if any.
    pub plugin: Option<Arc<dyn DeclaredRules>>,
}

impl Fixture {
    /// A project of `files` (path, text).
    pub fn new(files: &[(&str, &str)]) -> Fixture {
        Fixture {
            files: files
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
            options: BuildOptions::default(),
            flag_options: FlagOptions::default(),
            commands: commands(),
            tags: Vec::new(),
            include_dirs: Vec::new(),
            recursive: false,
            plugin: None,
        }
    }

    /// Adds `text` to the root `_tags` file (made if needed).
    pub fn tags(mut self, text: &str) -> Fixture {
        match self.files.iter_mut().find(|(p, _)| p == "_tags") {
            Some((_, t)) => t.push_str(text),
            None => self.files.push(("_tags".to_string(), text.to_string())),
        }
        self
    }

    /// Changes the options.
    pub fn with(mut self, f: impl FnOnce(&mut Fixture)) -> Fixture {
        f(&mut self);
        self
    }

    /// Writes the project into a temporary folder and assembles the rules'
    /// context over it, as the driver does.
    pub fn context(&self) -> Setup {
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = dir.path().join("project");
        let stdlib = dir.path().join("stdlib");
        std::fs::create_dir_all(&stdlib).unwrap();
        for m in STDLIB {
            std::fs::write(stdlib.join(format!("{m}.cmi")), "").unwrap();
        }
        for (path, text) in &self.files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
        std::fs::create_dir_all(&root).unwrap();
        let build_dir = root.join("_build");
        let looks_like_project = root.join("_tags").is_file();
        let mut builder = TagsBuilder::new(
            &[],
            &self.tags,
            self.recursive || looks_like_project,
            &[],
            &[],
        )
        .expect("tags");
        let scan = ScanConfig {
            root: root.clone(),
            build_dir: build_dir.clone(),
            include_dirs: self.include_dirs.clone(),
            recursive: self.recursive,
            target_dirs: self
                .options
                .targets
                .iter()
                .map(|t| Target::new(t).dir().to_string())
                .filter(|d| !d.is_empty())
                .collect(),
            ..ScanConfig::default()
        };
        let project = Project::scan(&scan, &mut builder).expect("scan");
        let tagger = builder.finish();
        let mut decls = tags::Declarations::new();
        flags::declare_builtin(&mut decls, &self.flag_options, "+camlp4", false, &[]);
        let mut libraries = super::libraries::of_project(&project);
        super::libraries::read_namespace_tags(&mut libraries, &tagger, &project)
            .expect("namespace tags");
        super::libraries::declare(&libraries, &mut decls);
        let mut warnings = Vec::new();
        tags::startup_checks(tagger.config(), &mut decls, &mut warnings).expect("tags");
        let config = format!("{CONFIG}standard_library: {}\n", stdlib.display());
        let toolchain = Toolchain::described(&self.commands, &config).expect("toolchain");
        let files = project.files.clone();
        let namespaces = super::libraries::namespace_declarations(&project, &libraries)
            .expect("namespaced mllib");
        let rules = RuleSetup {
            project,
            toolchain,
            options: self.options.clone(),
            tagger,
            flags: decls,
            ocamlfind: None,
            libraries,
            plugin: self.plugin.clone(),
            generated: Vec::new(),
            namespaces,
        }
        .rules();
        Setup {
            rules,
            files,
            root,
            build_dir,
            _dir: dir,
        }
    }

    /// Builds `targets` (as named on the command line, looked up in the
    /// include folders) and records the actions.
    pub fn build(&self, targets: &[&str]) -> Build {
        let mut fixture = self.clone();
        if fixture.options.targets.is_empty() {
            fixture.options.targets = targets.iter().map(|t| t.to_string()).collect();
        }
        fixture.context().build(targets)
    }
}

/// A project written and its rules assembled.
pub struct Setup {
    /// The rules.
    pub rules: OcamlRules,
    files: Vec<String>,
    root: std::path::PathBuf,
    build_dir: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Setup {
    /// The rules' context.
    pub fn cx(&self) -> &Arc<RuleContext> {
        self.rules.context()
    }

    /// Builds `targets` and records the actions.
    pub fn build(&self, targets: &[&str]) -> Build {
        let recorder = Arc::new(Recorder::default());
        let engine = Engine::open(EngineConfig {
            build_dir: self.build_dir.clone(),
            sources: SourceTree::new(&self.root, self.files.clone()),
            rules: Arc::new(self.rules.clone()),
            executor: recorder.clone(),
            cache: None,
            command_env: Vec::new(),
            events: Arc::new(NoEvents),
            jobs: 1,
            forbid_runs: false,
            keep_going: false,
            graph: None,
        })
        .expect("engine");
        let targets: Vec<Target> = targets.iter().map(|t| self.rules.locate(t)).collect();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let results = runtime.block_on(engine.build(&targets));
        let errors = results
            .into_iter()
            .filter_map(|r| r.err())
            .map(|e| e.to_string())
            .collect();
        let actions = std::mem::take(&mut *recorder.actions.lock().unwrap());
        Build { actions, errors }
    }
}

/// What an executed action was, as data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The command line as ocamlbuild's `_log` shows it (an in-process
    /// step's display text).
    pub line: String,
    /// The argv of a process (empty for an in-process step).
    pub argv: Vec<String>,
    /// Whether it ran in process.
    pub internal: bool,
    /// Its input files (groups flattened), in order.
    pub inputs: Vec<String>,
    /// Its declared outputs.
    pub outputs: Vec<String>,
    /// Its preparation steps, as shell commands.
    pub prepare: Vec<String>,
    /// The stamp the rebuilder writes after it.
    pub stamp: Option<String>,
    /// The target of its log header.
    pub log_target: String,
    /// The tags of its log header.
    pub tags: String,
}

/// The outcome of a build.
#[derive(Debug)]
pub struct Build {
    /// The actions, in the order they were handed to the executor.
    pub actions: Vec<Recorded>,
    /// The build's errors, as shown.
    pub errors: Vec<String>,
}

impl Build {
    /// The one action that declared `output` (or `output` as its stamp);
    /// panics (showing every action) when there is none.
    pub fn action(&self, output: &str) -> &Recorded {
        self.actions
            .iter()
            .find(|a| a.outputs.iter().chain(&a.stamp).any(|o| o == output))
            .unwrap_or_else(|| panic!("no action made {output}; actions: {:#?}", self.lines()))
    }

    /// The command line that made `output` (see [`Recorded::line`]).
    pub fn line(&self, output: &str) -> String {
        self.action(output).line.clone()
    }

    /// Every command line, in order.
    pub fn lines(&self) -> Vec<String> {
        self.actions.iter().map(|a| a.line.clone()).collect()
    }

    /// The command lines of processes only (no in-process steps), in order.
    pub fn commands(&self) -> Vec<String> {
        self.actions
            .iter()
            .filter(|a| !a.internal)
            .map(|a| a.line.clone())
            .collect()
    }

    /// Panics with the errors if the build failed.
    pub fn ok(self) -> Build {
        assert!(self.errors.is_empty(), "build failed: {:#?}", self.errors);
        self
    }

    /// The one error of a failed build.
    pub fn error(&self) -> &str {
        assert_eq!(self.errors.len(), 1, "expected one error: {self:#?}");
        &self.errors[0]
    }
}

/// An executor that records each action and, instead of running a process,
/// writes its declared outputs empty. In-process steps run.
#[derive(Default)]
pub struct Recorder {
    actions: Mutex<Vec<Recorded>>,
}

impl Recorder {
    fn record(action: &Action) -> Recorded {
        let (argv, internal) = match &action.command {
            Command::Process { argv, .. } => (argv.clone(), false),
            Command::Internal { args, .. } if runs_a_compiler(action) => (args.clone(), true),
            Command::Internal { .. } => (Vec::new(), true),
        };
        let mut inputs = Vec::new();
        for i in &action.inputs {
            match i {
                Input::File(t) | Input::Exists(t) => inputs.push(t.to_string()),
                Input::Group(g) => {
                    let mut files: Vec<String> = g
                        .flatten()
                        .into_iter()
                        .map(|(t, _)| t.to_string())
                        .collect();
                    files.sort();
                    inputs.extend(files);
                }
            }
        }
        Recorded {
            line: action.to_string(),
            argv,
            internal,
            inputs,
            outputs: action.outputs.iter().map(|t| t.to_string()).collect(),
            prepare: action.prepare.iter().map(|p| p.to_string()).collect(),
            stamp: action.stamp.as_ref().map(|t| t.to_string()),
            log_target: action.log.target.clone(),
            tags: action.log.tags.render(),
        }
    }
}

impl Executor for Recorder {
    fn execute<'a>(
        &'a self,
        build_dir: &'a Path,
        action: &'a Action,
    ) -> BoxFuture<'a, engine::Result<ExecOutcome>> {
        Box::pin(async move {
            self.actions.lock().unwrap().push(Recorder::record(action));
            let stdout = match &action.command {
                Command::Internal { .. } if !runs_a_compiler(action) => {
                    return LocalExecutor.execute(build_dir, action).await;
                }
                Command::Internal { .. } => None,
                Command::Process { stdout, .. } => stdout.as_ref(),
            };
            for out in action.outputs.iter().chain(stdout) {
                let path = build_dir.join(out.as_str());
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).unwrap();
                }
                std::fs::write(&path, "").unwrap();
            }
            Ok(ExecOutcome {
                exit_code: Some(0),
                signal: None,
                output: String::new(),
                value: Vec::new(),
            })
        })
    }
}

/// A plugin that declares rules, none of which matches anything: the
/// built-in rules apply, but the project has a plugin with rules.
pub struct SilentPlugin;

impl crate::rules::declared::DeclaredRules for SilentPlugin {
    fn is_empty(&self) -> bool {
        false
    }

    fn keeps_builtins(&self) -> bool {
        true
    }

    fn matching(
        &self,
        _cx: &Arc<RuleContext>,
        _target: &Target,
        _place: crate::rules::declared::Place,
    ) -> Vec<(Target, Arc<dyn engine::Task>)> {
        Vec::new()
    }
}
