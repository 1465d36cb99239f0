//! A build session: one project, one build folder, built once or many
//! times. Opening it takes the build folder's lock, finds the toolchain
//! and compiles the plugin; each [`Session::configure`] reads the tree,
//! `_tags` and the plugin's hooks again (a replayed plugin session costs no
//! process) and returns a [`Build`] ready to run. The toolchain is found
//! once per session, again only when the plugin changes a tool's command.

use std::path::Path;
use std::sync::{Arc, Mutex};

use engine::{BuildLock, Target};
use ocaml::build_options::BuildOptions;
use ocaml::rules::declared::DeclaredRules;
use ocaml::rules::{OcamlRules, RuleSetup};
use ocaml::toolchain::Toolchain;
use plugin::PluginRunner;
use plugin::rule::PluginRules;

use crate::build::{Build, RunnerGuard};
use crate::configure::{self, ConfigureError, Configured, PluginRun};
use crate::declared_layer::DeclaredLayer;
use crate::error::Error;
use crate::install_request::InstallAction;
use crate::layout::{Layout, links_made};
use crate::plugin_binary::{self, Plugin};
use crate::request::Request;
use crate::sharing::Sharing;
use crate::timings::Timings;
use crate::tool_paths::ToolPaths;
use crate::{
    build_rules, context_patterns, documentation, dot_merlin, hygiene_check, install, install_plan,
    links, null_build_key,
};

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

/// An open session.
pub struct Session {
    /// The caches and executor every build of the session uses.
    sharing: Arc<Sharing>,
    request: Request,
    layout: Layout,
    toolchain: Toolchain,
    plugin: Option<Plugin>,
    ppx_driver: bool,
    timings: Arc<Mutex<Timings>>,
    discoveries: usize,
    configured_once: bool,
    _lock: BuildLock,
}

impl Session {
    /// Opens a session for `request` in `layout`: creates the build folder,
    /// waits for its lock, finds the toolchain, compiles the plugin.
    pub fn open(request: Request, layout: Layout) -> Result<Session, Error> {
        let mut timings = Timings::start();
        let build_dir = &layout.build_dir;
        std::fs::create_dir_all(build_dir).map_err(|e| {
            Error::System(format!("Error: cannot create {}: {e}", build_dir.display()))
        })?;
        let lock = BuildLock::acquire(build_dir, || {
            println!(
                "caravan: another caravan process is using {}; waiting for it to finish...",
                build_dir.display()
            )
        })
        .map_err(|e| Error::System(format!("Error: {e}")))?;
        let toolchain = discover(&request, build_dir)?;
        timings.mark("toolchain");
        let plugin = prepare_plugin(&request, &layout, &toolchain)?;
        let ppx_driver = request.ppx_driver.unwrap_or_else(ppx_driver_enabled);
        let version = toolchain.config.get("version").cloned().unwrap_or_default();
        let sharing = Arc::new(Sharing::new(&request.sharing, &toolchain.ocamlc, &version));
        Ok(Session {
            sharing,
            toolchain,
            request,
            layout,
            plugin,
            ppx_driver,
            timings: Arc::new(Mutex::new(timings)),
            discoveries: 1,
            configured_once: false,
            _lock: lock,
        })
    }

    /// Where the session works.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The request the session was opened with.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Reads the project's configuration and makes its rules. `None` when
    /// there is nothing to build (no target, or `-documentation`, printed).
    pub fn configure(&mut self) -> Result<Option<Build>, Error> {
        if self.configured_once {
            // The plugin may have been created, edited or removed since:
            // compiled again only if its sources changed.
            self.plugin = prepare_plugin(&self.request, &self.layout, &self.toolchain)?;
        }
        self.configured_once = true;
        self.mark("plugin");
        let configured = self.configure_with_plugin()?;
        let request = configured.request.clone();
        let mut layout = self.layout.clone();
        layout.make_links = links_made(&request);
        if request.tool_overrides() != *self.toolchain.overrides() {
            self.toolchain = discover(&request, &layout.build_dir)?;
            self.discoveries += 1;
        }
        self.mark("scan");
        if request.documentation {
            print!(
                "{}",
                documentation::render(
                    &configured.flags,
                    configured.menhir,
                    configured.plugin.as_ref().map(|p| p.decls.rules()).as_ref()
                )
            );
            return Ok(None);
        }
        let merlin = request.merlin || dot_merlin::kept_up(&layout.root);
        let installing = request.install.installs();
        if request.targets.is_empty() && !merlin && !installing {
            return Ok(None);
        }
        check_targets(&request)?;
        if let Some(dest) = install::destination(&request, &layout.root)? {
            // Before building: a folder that cannot be written stops now.
            install::check_writable(&dest)?;
        }
        let building = !request.targets.is_empty() || installing;
        if building && layout.make_links {
            // Dangling links to the build directory are stale leftovers.
            let _ = links::remove(
                &layout.root,
                &layout.build_dir,
                &configured.project.target_links,
                true,
            );
        }
        if building && request.hygiene {
            let tagger = &configured.tagger;
            let exempt = |p: &str| tagger.has(p, "not_hygienic") || tagger.has(p, "precious");
            hygiene_check::check(
                &request,
                &layout.root,
                &layout.build_dir,
                &configured.project,
                &exempt,
            )?;
        }
        let record = null_build_key::record_path(&layout.build_dir);
        let key = null_build_key::key(
            &self.request.words,
            &layout.root,
            &layout.build_dir,
            &configured.project,
            &self.toolchain.identity,
            &configured.fingerprint,
            self.ppx_driver,
        );
        let layer = configured.layer.clone();
        let (rules, runner) = self.make_rules(&request, configured, &layout)?;
        let runner = RunnerGuard(runner);
        if merlin {
            write_merlin(&rules, &layout, request.merlin);
        }
        let install = if installing {
            let programs = request.install.bin_dir.is_some()
                || request.install.action == Some(InstallAction::File);
            Some(install_plan::plan(
                rules.context(),
                &layout.root,
                &layer.declarations,
                &request.targets,
                request.install.option(),
                programs,
            )?)
        } else {
            None
        };
        if request.targets.is_empty() && install.is_none() {
            return Ok(None);
        }
        for (module, stems) in rules.context().resolver.clashes() {
            println!(
                "Warning: module {module} is in several include directories ({}); {} is used \
                 except from the folders of the others.",
                stems.join(", "),
                stems[0]
            );
        }
        let targets: Vec<Target> = request.targets.iter().map(|t| rules.locate(t)).collect();
        let install_targets: Vec<Target> = install
            .as_ref()
            .map(|p| p.targets().iter().map(|t| rules.locate(t)).collect())
            .unwrap_or_default();
        self.mark("rules");
        Ok(Some(Build {
            request,
            layout,
            rules,
            targets,
            install: install.map(|plan| (plan, install_targets)),
            record: (record, key),
            changed: Mutex::new(None),
            _runner: runner,
            timings: self.timings.clone(),
            sharing: self.sharing.clone(),
            layer,
        }))
    }

    /// How many times the toolchain was looked for: once per session,
    /// again only when the plugin changes a tool's command.
    pub fn toolchain_discoveries(&self) -> usize {
        self.discoveries
    }

    /// Prints where the time went (the binary calls it for `-stats`).
    pub fn report_timings(&self) {
        if let Ok(t) = self.timings.lock() {
            t.report();
        }
    }

    fn mark(&self, phase: &'static str) {
        if let Ok(mut t) = self.timings.lock() {
            t.mark(phase);
        }
    }

    /// Configures the project, with the plugin's session when there is
    /// one: a replayed session that no longer fits is run again, live.
    fn configure_with_plugin(&self) -> Result<Configured, Error> {
        let layout = &self.layout;
        let scan_for = |r: &Request| r.scan_config(&layout.root, &layout.build_dir);
        let mut live = false;
        loop {
            let run = match &self.plugin {
                Some(p) => Some(PluginRun {
                    session: p.session(&layout.build_dir, live)?,
                    key: &p.key,
                    build_dir: &layout.build_dir,
                    binary_digest: p.binary.digest.to_hex(),
                }),
                None => None,
            };
            match configure::configure(&self.request, &scan_for, run) {
                Ok(c) => return Ok(c),
                Err(ConfigureError::Stale) if !live => live = true,
                Err(ConfigureError::Stale) => {
                    return Err(Error::Internal(
                        "Internal error: the plugin's live session was found stale.".into(),
                    ));
                }
                Err(ConfigureError::Stop(e)) => return Err(e),
            }
        }
    }

    /// The rules of a configured project, with the plugin's.
    fn make_rules(
        &self,
        request: &Request,
        configured: Configured,
        layout: &Layout,
    ) -> Result<(OcamlRules, Option<Arc<PluginRunner>>), Error> {
        let mut options = BuildOptions {
            ignore: request.ignore.clone(),
            no_skip: request.no_skip,
            cmi_from_native: BuildOptions::native_only(&request.targets),
            menhir: configured.menhir,
            targets: request.targets.clone(),
            ppx_driver: self.ppx_driver,
            ..BuildOptions::default()
        };
        let mut project = configured.project;
        let mut plugin_rules = None;
        let mut runner = None;
        if let (Some(pc), Some(p)) = (configured.plugin, &self.plugin) {
            options.non_dependencies = pc.decls.non_dependencies();
            project.contexts = context_patterns::expand(&pc.decls.contexts(), &project.dirs);
            let include_dirs = project.include_dirs_named();
            let r = Arc::new(PluginRunner::new(
                p.launch.clone(),
                layout.build_dir.clone(),
                include_dirs,
                pc.process,
            ));
            let mut rules = PluginRules::new(pc.decls.rules(), r.clone())?;
            if let Some(tools) = &configured.layer.declarations.tools {
                let paths = ToolPaths {
                    tools: tools.clone(),
                    install_root: configured.layer.install_root.clone(),
                };
                rules = rules.with_tools(paths.words());
            }
            if rules.is_empty() {
                r.shutdown();
            } else {
                runner = Some(r);
            }
            plugin_rules = Some(rules);
        }
        let generated = plugin_rules
            .as_ref()
            .map(|r| r.generated(&project.files))
            .unwrap_or_default();
        let namespaces =
            ocaml::rules::libraries::namespace_declarations(&project, &configured.libraries)
                .map_err(Error::of_ocaml)?;
        let rules = RuleSetup {
            project,
            toolchain: self.toolchain.clone(),
            options,
            tagger: configured.tagger,
            flags: configured.flags,
            ocamlfind: configured.ocamlfind,
            libraries: configured.libraries,
            plugin: plugin_rules.map(|r| Arc::new(r) as Arc<dyn DeclaredRules>),
            generated,
            namespaces,
        }
        .rules();
        Ok((rules, runner))
    }
}

/// The project's plugin, compiled if its sources changed; `None` without
/// `myocamlbuild.ml` nor `build_rules.ml`, or with `-no-plugin`.
fn prepare_plugin(
    request: &Request,
    layout: &Layout,
    toolchain: &Toolchain,
) -> Result<Option<Plugin>, Error> {
    let root = &layout.root;
    if request.no_plugin
        || !(root.join("myocamlbuild.ml").is_file()
            || root.join(plugin::build::BUILD_RULES).is_file())
    {
        return Ok(None);
    }
    let layer = DeclaredLayer::read(root, &layout.build_dir, request)?;
    let generated = build_rules::generated_module(root, &layout.build_dir, &layer)?;
    plugin_binary::prepare(
        request,
        &request.plugin_words,
        root,
        &layout.build_dir,
        &toolchain.stdlib(),
        generated.into_iter().collect(),
    )
    .map(Some)
}

/// The toolchain `request` names, from the cache in the build folder when
/// no compiler changed.
fn discover(request: &Request, build_dir: &Path) -> Result<Toolchain, Error> {
    Toolchain::discover(&request.tool_overrides(), &engine::state_dir(build_dir))
        .map_err(|e| Error::refused(format!("Error: {e}")))
}

/// Writes the `.merlin` files of the project's folders; says what it did
/// when asked to (`-merlin`).
fn write_merlin(rules: &OcamlRules, layout: &Layout, asked: bool) {
    let done = dot_merlin::write_all(rules.context(), &layout.root, &layout.build_dir);
    if !asked {
        return;
    }
    for kept in &done.kept {
        println!("caravan: {kept} was not written by caravan; left as it is.");
    }
    println!(
        "caravan: .merlin files: {} written, {} up to date.",
        done.written.len(),
        done.unchanged
    );
}

/// Refuses targets that would be built outside the build directory.
fn check_targets(request: &Request) -> Result<(), Error> {
    for t in &request.targets {
        if Path::new(t).is_absolute() || t.split('/').any(|c| c == "..") {
            return Err(Error::refused(format!(
                "Error: the target {t} is outside the project.\nHint: targets are paths \
                 relative to the project root, such as main.native or src/main.byte."
            )));
        }
    }
    Ok(())
}
