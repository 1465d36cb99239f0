//! A configured build: the rules, the targets and the null-build record of
//! one configuration. [`Build::is_up_to_date`] is the null-build fast
//! path; [`Build::run`] runs the engine over the targets (the caller
//! renders its events and may drop the future to interrupt it);
//! [`Build::finish`] links the targets at the root and runs the program
//! after `--`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use engine::graph_record::GraphConfig;
use engine::null_build_record::{self, RecordCheck};
use engine::{Digest, DigestBuilder, Engine, EngineConfig, Error as EngineError, EventSink};
use engine::{SourceTree, Target};
use ocaml::rules::OcamlRules;
use plugin::PluginRunner;

use crate::declared_layer::DeclaredLayer;
use crate::error::Error;
use crate::install_plan::InstallPlan;
use crate::layout::Layout;
use crate::request::Request;
use crate::sharing::{ForBuild, Sharing};
use crate::timings::Timings;
use crate::{links, run_program};

/// Ends the plugin when the build is over, whatever happened.
pub(crate) struct RunnerGuard(pub(crate) Option<Arc<PluginRunner>>);

impl Drop for RunnerGuard {
    fn drop(&mut self) {
        if let Some(r) = &self.0 {
            r.shutdown();
        }
    }
}

/// A build ready to run.
pub struct Build {
    pub(crate) request: Request,
    pub(crate) layout: Layout,
    pub(crate) rules: OcamlRules,
    pub(crate) targets: Vec<Target>,
    /// With `-install` or `-install-file`: what to install, and what the
    /// build makes for it (built, not linked at the root).
    pub(crate) install: Option<(InstallPlan, Vec<Target>)>,
    /// The null-build record's path and key.
    pub(crate) record: (PathBuf, Digest),
    /// The files the null-build check found changed, when it could check
    /// them all (handed to the engine's graph).
    pub(crate) changed: Mutex<Option<Vec<PathBuf>>>,
    pub(crate) timings: Arc<Mutex<Timings>>,
    /// The caches and the executor of the session.
    pub(crate) sharing: Arc<Sharing>,
    /// Keeps the plugin's process for the build's rules.
    pub(crate) _runner: RunnerGuard,
    /// `build_libs` and `build_tools`, with the install root.
    pub(crate) layer: DeclaredLayer,
}

impl Build {
    /// The request as the plugin left it.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// The build folder.
    pub fn build_dir(&self) -> &std::path::Path {
        &self.layout.build_dir
    }

    /// `build_libs` and `build_tools` as read for this build, with the
    /// install root (`-mlstatelibs`, `$MLSTATELIBS`, or the build folder).
    pub fn declared_layer(&self) -> &DeclaredLayer {
        &self.layer
    }

    /// What to print for `e`, an error of this build: [`Error::report`]
    /// with the hints only the project can give (where an unbound module
    /// is, what a misspelt one was meant to be).
    pub fn report(&self, e: &Error) -> String {
        match e {
            Error::Build(b) => {
                crate::report::describe_build_error(b, Some(&self.rules.context().project))
            }
            Error::Builds(all) => {
                crate::report::describe_build_errors(all, Some(&self.rules.context().project))
            }
            other => other.report(),
        }
    }

    /// Whether nothing the last successful build read or wrote changed:
    /// then there is nothing to do.
    pub fn is_up_to_date(&self) -> bool {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let found = match null_build_record::check(&self.record.0, &self.record.1, threads) {
            RecordCheck::UpToDate => {
                self.mark("null-build");
                return true;
            }
            RecordCheck::Changed(files) => Some(files),
            RecordCheck::Missing => None,
        };
        self.mark("null-check");
        if let Ok(mut changed) = self.changed.lock() {
            *changed = found;
        }
        false
    }

    /// The environment every command gets: `BUILD_PATH_PREFIX_MAP` (the
    /// reproducible-builds convention the OCaml compilers follow since
    /// 4.08, as dune uses it) maps the build folder to `/caravan-build`, so
    /// that a `-g` compilation or link records that name rather than where
    /// the build folder is: what commands write, and so what a cache
    /// stores, does not depend on the clone, the user or the worker.
    fn command_env(&self) -> Vec<(String, String)> {
        vec![(
            "BUILD_PATH_PREFIX_MAP".to_string(),
            format!("/caravan-build={}", engine::BUILD_DIR_PLACEHOLDER),
        )]
    }

    /// Builds the targets, sending the engine's events to `events`. On
    /// success the null-build record is written. On failure the error
    /// holds every distinct failure, ordered by target, when the request
    /// keeps going ([`Error::Builds`] for several), else the first. Dropping the future stops
    /// the build; the commands under way are killed when the runtime that
    /// runs them shuts down.
    pub async fn run(&self, events: Arc<dyn EventSink>) -> Result<(), Error> {
        let _ = null_build_record::remove(&self.record.0);
        let jobs = self.request.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        });
        let sources = SourceTree::new(
            &self.layout.root,
            self.rules.context().project.files.iter().cloned(),
        );
        let ForBuild { cache, executor } = self.sharing.for_build(&events).await;
        let engine = Engine::open(EngineConfig {
            build_dir: self.layout.build_dir.clone(),
            sources,
            rules: Arc::new(self.rules.clone()),
            executor,
            cache,
            command_env: self.command_env(),
            events,
            jobs,
            forbid_runs: self.request.nothing_should_be_rebuilt,
            keep_going: self.request.keep_going,
            graph: Some(self.graph_config()),
        })
        .map_err(|e| Error::System(format!("Error: {e}")))?;
        self.mark("open");
        let all = self.all_targets();
        let results = engine.build(&all).await;
        self.mark("build");
        self.note_graph(&engine);
        let first_error = results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .find(|e| !matches!(e, EngineError::Stopped));
        let success = first_error.is_none() && results.iter().all(|r| r.is_ok());
        if success {
            self.record_success(&engine, &all);
        }
        if let Err(e) = engine.finish() {
            println!("Warning: {e}");
        }
        self.mark("finish");
        if success {
            return Ok(());
        }
        // Stopping at the first failure, the first result's error is the
        // one to report; going on, every failure is.
        let mut failures = if self.request.keep_going {
            engine.failures(&all, &results)
        } else {
            first_error.cloned().into_iter().collect()
        };
        match failures.len() {
            0 => Err(Error::CommandsFailed),
            1 => Err(Error::Build(failures.remove(0))),
            _ => Err(Error::Builds(failures)),
        }
    }

    /// After a successful build: links at the root, then the program after
    /// `--`, whose exit code is returned (0 without `--`).
    pub fn finish(&self) -> Result<u8, Error> {
        let layout = &self.layout;
        if layout.make_links {
            for t in links::to_make(&layout.build_dir, &self.targets) {
                match links::make(&layout.root, &layout.build_dir, &t) {
                    Ok(Some(warning)) => println!("{warning}"),
                    Ok(None) => {}
                    Err(e) => println!("Warning: cannot link {t}: {e}"),
                }
            }
        }
        if let Some((plan, _)) = &self.install {
            crate::install::finish(plan, &self.request, &layout.root, &layout.build_dir)?;
        }
        match &self.request.program_args {
            Some(args) => run_program::run_last(
                &layout.root,
                &layout.build_dir,
                &self.targets,
                args,
                self.request.ocamlrun.as_deref(),
            ),
            None => Ok(0),
        }
    }

    /// The targets and what the installation needs, each once.
    fn all_targets(&self) -> Vec<Target> {
        let mut all = self.targets.clone();
        if let Some((_, more)) = &self.install {
            for t in more {
                if !all.contains(t) {
                    all.push(t.clone());
                }
            }
        }
        all
    }

    /// Where the persistent graph lives, and its key: the null-build
    /// key's configuration, and the namespaced libraries' members, which
    /// the rules read from the `.mllib` files when they are made.
    fn graph_config(&self) -> GraphConfig {
        let mut key = DigestBuilder::new("graph");
        key.digest(&self.record.1);
        for ns in self.rules.context().namespaces.iter() {
            key.str(&format!("{ns:?}"));
        }
        GraphConfig {
            path: engine::state_dir(&self.layout.build_dir).join("graph"),
            key: key.finish(),
            // Taken: a second run of this build stats for itself.
            changed: self.changed.lock().ok().and_then(|mut c| c.take()),
        }
    }

    /// After a successful build: the graph for the next build, and the
    /// null-build record (the stats of every file the graph watches).
    /// Without them the next build only loses its fast paths.
    fn record_success(&self, engine: &Engine, roots: &[Target]) {
        let files = engine
            .save_graph(roots)
            .unwrap_or_else(|| engine.touched_files());
        self.mark("graph");
        // A file the record cannot represent makes `write` fail before
        // writing anything: then there is no record.
        let _ = null_build_record::write(&self.record.0, &self.record.1, &files);
    }

    /// How the previous graph applied, for `-stats`.
    fn note_graph(&self, engine: &Engine) {
        let Ok(mut t) = self.timings.lock() else {
            return;
        };
        match engine.prior_graph_stats() {
            Some(s) => {
                t.figure("graph-nodes", s.nodes);
                t.figure("changed-files", s.changed_files);
                t.figure("to-run", s.run);
                t.figure("to-check", s.check);
                t.figure("taken", engine.tasks_taken_from_graph());
            }
            None => t.figure("graph", "none"),
        }
    }

    fn mark(&self, phase: &'static str) {
        if let Ok(mut t) = self.timings.lock() {
            t.mark(phase);
        }
    }
}
