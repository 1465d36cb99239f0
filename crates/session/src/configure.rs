//! Reading the project's configuration: the tree with its `_tags` files,
//! ocamlfind mode and packages, the flag declarations, ocamlbuild's startup
//! warnings, `-show-tags`.

use flags::{self, FlagOptions};
use ocaml::ocamlfind::Ocamlfind;
use ocaml::project::{Project, ScanConfig};
use ocaml::rules::project_library::ProjectLibrary;
use ocaml::tagging::{Tagger, TagsBuilder};
use plugin::declarations::{PluginDeclarations, Recorder};
use plugin::process::PluginProcess;
use plugin::protocol::Phase;
use plugin::session::{Session as PluginSession, SessionError};
use plugin::spec::Expander;
use tags::{Configuration, Declarations, SHOW_TAGS_PREAMBLE, TagSet};

use crate::declared_layer::DeclaredLayer;
use crate::error::Error;
use crate::plugin_request;
use crate::request::Request;
use crate::tool_paths::ToolPaths;

/// The configured project.
pub struct Configured {
    /// The traversed tree.
    pub project: Project,
    /// Tags of paths.
    pub tagger: Tagger,
    /// Flag declarations, parametrised ones instantiated.
    pub flags: Declarations,
    /// In ocamlfind mode, the in-process ocamlfind.
    pub ocamlfind: Option<Ocamlfind>,
    /// `.mly` files go through menhir: `-use-menhir`, or `use_menhir` among
    /// the global tags (as in ocamlbuild, a `true: use_menhir` in the root
    /// `_tags` or `-tag use_menhir`; a tag on some files only does not count).
    pub menhir: bool,
    /// A digest of every configuration text read (`_tags` files and tag
    /// options, what the plugin said) and of the installed packages used,
    /// for the null-build key.
    pub fingerprint: String,
    /// The command line as the plugin left it (the same without a plugin).
    pub request: Request,
    /// What the plugin declared, and the plugin if it ran.
    pub plugin: Option<PluginConfigured>,
    /// The project's libraries (its `.mllib` files), listed once.
    pub libraries: Vec<ProjectLibrary>,
    /// `build_libs` and `build_tools`, with the install root.
    pub layer: DeclaredLayer,
}

/// The outcome of the plugin's configuration session.
pub struct PluginConfigured {
    /// Its declarations.
    pub decls: PluginDeclarations,
    /// The plugin, still running, when the session was live.
    pub process: Option<PluginProcess>,
}

/// Why configuring stopped.
pub enum ConfigureError {
    /// Stop the run.
    Stop(Error),
    /// The replayed plugin session does not fit: configure again, live.
    Stale,
}

impl From<Error> for ConfigureError {
    fn from(e: Error) -> ConfigureError {
        ConfigureError::Stop(e)
    }
}

fn session_error(e: SessionError) -> ConfigureError {
    match e {
        SessionError::Stale => ConfigureError::Stale,
        SessionError::Failed(e) => ConfigureError::Stop(e.into()),
    }
}

/// The plugin's session, with what configuring needs of it.
pub struct PluginRun<'a> {
    /// The session.
    pub session: PluginSession,
    /// The key to save a live session's transcript under.
    pub key: &'a str,
    /// The build directory.
    pub build_dir: &'a std::path::Path,
    /// The plugin binary's digest: its rules' actions are code too.
    pub binary_digest: String,
}

/// Flags in plugin declarations: tags have no flags yet, virtual tools are
/// found as ocamlbuild finds them.
struct DeclarationExpander;

impl Expander for DeclarationExpander {
    fn flags(&self, _: &[String]) -> Vec<String> {
        Vec::new()
    }
    fn virtual_tool(&self, name: &str) -> Vec<String> {
        plugin::rule::virtual_tool(name)
    }
}

/// Tags that only mean something to ocamlfind.
const FINDLIB_TAGS: &[&str] = &[
    "package",
    "predicate",
    "syntax",
    "ppopt",
    "ppxopt",
    "dontlink",
];

/// Scans the tree reading `_tags`, settles ocamlfind mode, declares the
/// flags, prints the startup warnings. With a plugin, its hooks run in
/// ocamlbuild's order: the options hooks first (their options decide the
/// tree), the others after the tree is read.
pub fn configure(
    request: &Request,
    scan_for: &dyn Fn(&Request) -> ScanConfig,
    mut plugin: Option<PluginRun>,
) -> Result<Configured, ConfigureError> {
    let mut decls = PluginDeclarations::default();
    let builtin_answers = flags::builtin(&FlagOptions::default(), "+camlp4", false);
    let answer_flags = |tags: &[String]| {
        let set: TagSet = tags.iter().map(String::as_str).collect();
        builtin_answers.flags_of(&set)
    };
    let mut early = Configuration::new();
    let mut request = request.clone();
    if let Some(p) = plugin.as_mut() {
        let mut rec = Recorder {
            decls: &mut decls,
            config: &mut early,
            flags: &answer_flags,
        };
        p.session
            .hook(Phase::BeforeOptions, None, &mut rec)
            .map_err(session_error)?;
        let options = p
            .session
            .hook(Phase::AfterOptions, None, &mut rec)
            .map_err(session_error)?;
        request = plugin_request::apply(&request, &options)?;
    }
    let request = request;
    let scan = scan_for(&request);
    let scan = &scan;
    let root = &scan.root;
    let layer = DeclaredLayer::read(root, &scan.build_dir, &request)?;
    let looks_like_project = root.join("_tags").is_file()
        || root.join("myocamlbuild.ml").is_file()
        || !layer.is_empty()
        || root.join(plugin::build::BUILD_RULES).is_file();
    let traverse = request.recursive || looks_like_project;
    // -pkg turns ocamlfind on unless -no-ocamlfind says otherwise.
    let packages_as_tags = request.ocamlfind.unwrap_or(!request.packages.is_empty());
    let (tag_packages, tag_syntaxes): (&[String], &[String]) = if packages_as_tags {
        (&request.packages, &request.syntaxes)
    } else {
        (&[], &[])
    };
    let mut builder = TagsBuilder::with_base(
        early,
        &request.tag_lines,
        &request.tags,
        traverse,
        tag_packages,
        tag_syntaxes,
    )
    .map_err(Error::of_ocaml)?;
    if let Some(tools) = &layer.declarations.tools {
        builder.rewrite_with(Box::new(ToolPaths {
            tools: tools.clone(),
            install_root: layer.install_root.clone(),
        }));
    }
    let project = Project::scan(scan, &mut builder).map_err(Error::of_ocaml)?;
    layer.check_libraries(root, &project)?;
    layer.tag_namespaces(builder.config_mut())?;
    let mut fingerprint = builder.fingerprint();
    if !layer.is_empty() {
        fingerprint.push_str(&layer.fingerprint());
    }
    let mut request = request;
    if let Some(p) = plugin.as_mut() {
        let mut rec = Recorder {
            decls: &mut decls,
            config: builder.config_mut(),
            flags: &answer_flags,
        };
        let include_dirs: Vec<String> = project.include_dirs_named();
        let mut options = None;
        for phase in [
            Phase::BeforeHygiene,
            Phase::AfterHygiene,
            Phase::BeforeRules,
            Phase::AfterRules,
        ] {
            let dirs = (phase == Phase::BeforeRules).then(|| include_dirs.clone());
            options = Some(
                p.session
                    .hook(phase, dirs, &mut rec)
                    .map_err(session_error)?,
            );
        }
        if let Some(o) = options {
            // The tree is read: options that shape it no longer count.
            let after = plugin_request::apply(&request, &o)?;
            request = Request {
                targets: request.targets,
                include_dirs: request.include_dirs,
                exclude_dirs: request.exclude_dirs,
                recursive: request.recursive,
                search_all_dirs: request.search_all_dirs,
                tags: request.tags,
                tag_lines: request.tag_lines,
                ..after
            };
            decls.options = o;
        }
    }
    let request = request;
    let tagger = builder.finish();

    // ocamlfind mode: asked for, or (unless refused) implied by -pkg or by
    // findlib tags in the configuration.
    let written = tagger.config().written_tags();
    let findlib_tags = written
        .iter()
        .any(|t| t.name().is_some_and(|n| FINDLIB_TAGS.contains(&n)));
    let use_ocamlfind = request
        .ocamlfind
        .unwrap_or(!request.packages.is_empty() || findlib_tags);
    let translate = use_ocamlfind || request.ocamlfind_wrapped;
    let needs_findlib = translate || !request.packages.is_empty();
    let ocamlfind = if needs_findlib {
        Some(
            Ocamlfind::with_toolchain(request.toolchain.as_deref())
                .map_err(|e| Error::refused(format!("{e}")))?,
        )
    } else {
        None
    };

    let menhir = request.use_menhir || tagger.has("", "use_menhir");
    let mut options = FlagOptions {
        ppflags: request.ppflags.clone(),
        cflags: request.cflags.clone(),
        lflags: request.lflags.clone(),
        yaccflags: request.yaccflags.clone(),
        docflags: request.docflags.clone(),
        lexflags: request.lexflags.clone(),
        libs: request.libs.clone(),
        mods: request.mods.clone(),
        ..FlagOptions::default()
    };
    if let Some(of) = &ocamlfind {
        // Packages of `_tags` are resolved by the commands that carry
        // them, as ocamlbuild's ocamlfind commands do: a package only the
        // tests use does not stop the build of the library. `-pkg` applies
        // to every command, and outside explicit -use-ocamlfind ocamlbuild
        // checks it at start-up: so does caravan.
        if request.ocamlfind != Some(true) {
            check_packages(of, &request.packages)?;
        }
        let named = named_packages(&request, &tagger);
        fingerprint.push_str(&of.identity_of(&named));
        if !use_ocamlfind {
            let flags = of.package_flags(&request.packages).map_err(findlib_error)?;
            options.packages_compile = flags.compile;
            options.packages_link_byte = flags.link_byte;
            options.packages_link_native = flags.link_native;
        }
    }
    // menhir's --table needs menhirLib: without ocamlfind, link it as -pkg
    // menhirLib would; with ocamlfind, the project names package(menhirLib)
    // as ocamlbuild requires.
    if menhir
        && !use_ocamlfind
        && written.contains("table")
        && !written.contains("package(menhirLib)")
    {
        let lib =
            crate::menhir_lib::menhir_lib().map_err(|e| Error::refused(format!("Error: {e}")))?;
        options.packages_compile.extend(lib.compile);
        options.packages_link_byte.extend(lib.link_byte);
        options.packages_link_native.extend(lib.link_native);
    }
    let uses_camlp4 = written.iter().any(|t| t.as_str().contains("camlp4"));
    let camlp4 = if uses_camlp4 || request.documentation {
        ocaml::toolchain::camlp4_dir()
    } else {
        "+camlp4".to_string()
    };
    let mut flags = Declarations::new();
    let mut process = None;
    let plugin_ran = plugin.is_some();
    if let Some(mut p) = plugin {
        let mut config = tagger.config().clone();
        let mut rec = Recorder {
            decls: &mut decls,
            config: &mut config,
            flags: &answer_flags,
        };
        let pairs = rec
            .decls
            .instantiation_requests(tagger.config(), request.documentation);
        let instances = p
            .session
            .instantiate(pairs, &mut rec)
            .map_err(session_error)?;
        decls.set_instances(instances);
        let (running, transcript, digest) = p.session.finish();
        if let Some(t) = &transcript {
            plugin::session::save(p.build_dir, p.key, t);
        }
        fingerprint.push_str(&digest);
        fingerprint.push_str(&p.binary_digest);
        process = running;
        decls.declare_flags(&mut flags, true, &DeclarationExpander);
    }
    flags::declare_builtin(
        &mut flags,
        &options,
        &camlp4,
        use_ocamlfind,
        &decls.parametrised_names(),
    );
    // Each .mllib declares use_<lib>, as ocamlbuild's ocaml_lib would
    // (unless the plugin declares that library itself, in its own place).
    let by_plugin = decls.internal_library_tags();
    let mut libraries = layer.select_libraries(ocaml::rules::libraries::of_project(&project));
    ocaml::rules::libraries::read_namespace_tags(&mut libraries, &tagger, &project)
        .map_err(Error::of_ocaml)?;
    let declared: Vec<_> = libraries
        .iter()
        .filter(|l| !by_plugin.contains(&l.tag()))
        .cloned()
        .collect();
    ocaml::rules::libraries::declare(&declared, &mut flags);
    layer.declare_flags(&mut flags);
    if let Some(tools) = &layer.declarations.tools {
        let paths = ToolPaths {
            tools: tools.clone(),
            install_root: layer.install_root.clone(),
        };
        paths.declare_deps(tagger.config(), &mut flags);
    }
    if plugin_ran {
        decls.declare_flags(&mut flags, false, &DeclarationExpander);
    }
    let mut warnings = Vec::new();
    let checked = tags::startup_checks(tagger.config(), &mut flags, &mut warnings);
    for w in &warnings {
        println!("{w}");
    }
    checked.map_err(Error::Tags)?;
    if !request.plugin_tags.is_empty() && !root.join("myocamlbuild.ml").is_file() {
        println!(
            "Warning: option -plugin-tag(s) has no effect in absence of plugin file \
             \"myocamlbuild.ml\""
        );
    }
    if !request.show_tags.is_empty() {
        print!("{SHOW_TAGS_PREAMBLE}");
        for p in &request.show_tags {
            print!("{}", tagger.tags_of(p).show_tags_form(p));
        }
    }
    Ok(Configured {
        project,
        tagger,
        flags,
        ocamlfind: if translate { ocamlfind } else { None },
        menhir,
        fingerprint,
        request,
        plugin: plugin_ran.then_some(PluginConfigured { decls, process }),
        libraries,
        layer,
    })
}

/// Every package the configuration names: `package(p)` tags and `-pkg`.
fn named_packages(request: &Request, tagger: &Tagger) -> Vec<String> {
    let mut named: Vec<String> = request.packages.clone();
    for t in tagger.config().parametrised_tags() {
        if t.name() == Some("package")
            && let Some(p) = t.param()
        {
            for name in p.split(|c: char| c == ',' || c.is_whitespace()) {
                if !name.is_empty() && !named.iter().any(|n| n == name) {
                    named.push(name.to_string());
                }
            }
        }
    }
    named
}

/// Stops with findlib's explanation when a `-pkg` package cannot be used.
fn check_packages(of: &Ocamlfind, named: &[String]) -> Result<(), Error> {
    for p in named {
        if let Err(e) = of.findlib().package(p) {
            return Err(match findlib_error(e) {
                Error::Findlib { message, source } if !message.starts_with("File ") => {
                    Error::Findlib {
                        message: format!("Error: {message}"),
                        source,
                    }
                }
                other => other,
            });
        }
    }
    Ok(())
}

fn findlib_error(e: findlib::Error) -> Error {
    let hint = match e {
        findlib::Error::NoSuchPackage { .. } | findlib::Error::NoSuchSubpackage { .. } => {
            format!("\n{}", ocaml::rules::findlib_error::UNKNOWN_PACKAGE_HINT)
        }
        _ => String::new(),
    };
    Error::Findlib {
        message: format!("{e}{hint}"),
        source: e,
    }
}
