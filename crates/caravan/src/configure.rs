//! Reading the project's configuration: the tree with its `_tags` files,
//! ocamlfind mode and packages, the flag declarations, ocamlbuild's startup
//! warnings, `-show-tags`.

use ocaml::flags::{self, FlagOptions};
use ocaml::ocamlfind::Ocamlfind;
use ocaml::project::{Project, ScanConfig};
use ocaml::tagging::{Tagger, TagsBuilder};
use tags::{Declarations, SHOW_TAGS_PREAMBLE};

use crate::cli::Cli;
use crate::driver::Stop;
use crate::exit_code;

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
    /// options) and of the installed packages used, for the null-build key.
    pub fingerprint: String,
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
/// flags, prints the startup warnings.
pub fn configure(cli: &Cli, scan: &ScanConfig) -> Result<Configured, Stop> {
    let root = &scan.root;
    let looks_like_project = root.join("_tags").is_file() || root.join("myocamlbuild.ml").is_file();
    let traverse = cli.recursive || looks_like_project;
    // -pkg turns ocamlfind on unless -no-ocamlfind says otherwise.
    let packages_as_tags = cli.ocamlfind.unwrap_or(!cli.packages.is_empty());
    let (tag_packages, tag_syntaxes): (&[String], &[String]) = if packages_as_tags {
        (&cli.packages, &cli.syntaxes)
    } else {
        (&[], &[])
    };
    let mut builder = TagsBuilder::new(
        &cli.tag_lines,
        &cli.tags,
        traverse,
        tag_packages,
        tag_syntaxes,
    )
    .map_err(ocaml_error)?;
    let project = Project::scan(scan, &mut builder).map_err(ocaml_error)?;
    let mut fingerprint = builder.fingerprint();
    let tagger = builder.finish();

    // ocamlfind mode: asked for, or (unless refused) implied by -pkg or by
    // findlib tags in the configuration.
    let written = tagger.config().written_tags();
    let findlib_tags = written
        .iter()
        .any(|t| t.name().is_some_and(|n| FINDLIB_TAGS.contains(&n)));
    let use_ocamlfind = cli
        .ocamlfind
        .unwrap_or(!cli.packages.is_empty() || findlib_tags);
    let needs_findlib = use_ocamlfind || !cli.packages.is_empty();
    let ocamlfind = if needs_findlib {
        Some(
            Ocamlfind::with_toolchain(cli.toolchain.as_deref())
                .map_err(|e| Stop::new(exit_code::FAILURE, format!("{e}")))?,
        )
    } else {
        None
    };

    let menhir = cli.use_menhir || tagger.has("", "use_menhir");
    let mut options = FlagOptions {
        ppflags: cli.ppflags.clone(),
        cflags: cli.cflags.clone(),
        lflags: cli.lflags.clone(),
        yaccflags: cli.yaccflags.clone(),
        docflags: cli.docflags.clone(),
        lexflags: cli.lexflags.clone(),
        libs: cli.libs.clone(),
        mods: cli.mods.clone(),
        ..FlagOptions::default()
    };
    if let Some(of) = &ocamlfind {
        let named = named_packages(cli, &tagger);
        check_packages(of, &named, &tagger)?;
        fingerprint.push_str(&of.identity_of(&named).map_err(findlib_error)?);
        if !use_ocamlfind {
            let flags = of.package_flags(&cli.packages).map_err(findlib_error)?;
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
        let lib = crate::menhir_lib::menhir_lib()
            .map_err(|e| Stop::new(exit_code::FAILURE, format!("Error: {e}")))?;
        options.packages_compile.extend(lib.compile);
        options.packages_link_byte.extend(lib.link_byte);
        options.packages_link_native.extend(lib.link_native);
    }
    let uses_camlp4 = written.iter().any(|t| t.as_str().contains("camlp4"));
    let camlp4 = if uses_camlp4 || cli.documentation {
        ocaml::toolchain::camlp4_dir()
    } else {
        "+camlp4".to_string()
    };
    let mut flags = flags::builtin(&options, &camlp4, use_ocamlfind);
    // Each .mllib declares use_<lib>, as ocamlbuild's ocaml_lib would.
    ocaml::rules::libraries::declare(&ocaml::rules::libraries::of_project(&project), &mut flags);
    let mut warnings = Vec::new();
    let checked = tags::startup_checks(tagger.config(), &mut flags, &mut warnings);
    for w in &warnings {
        println!("{w}");
    }
    checked.map_err(|e| Stop::new(e.exit_code() as u8, e.to_string()))?;
    if !cli.plugin_tags.is_empty() && !root.join("myocamlbuild.ml").is_file() {
        println!(
            "Warning: option -plugin-tag(s) has no effect in absence of plugin file \
             \"myocamlbuild.ml\""
        );
    }
    if !cli.show_tags.is_empty() {
        print!("{SHOW_TAGS_PREAMBLE}");
        for p in &cli.show_tags {
            print!("{}", tagger.tags_of(p).show_tags_form(p));
        }
    }
    Ok(Configured {
        project,
        tagger,
        flags,
        ocamlfind: if use_ocamlfind { ocamlfind } else { None },
        menhir,
        fingerprint,
    })
}

/// Every package the configuration names: `package(p)` tags and `-pkg`.
fn named_packages(cli: &Cli, tagger: &Tagger) -> Vec<String> {
    let mut named: Vec<String> = cli.packages.clone();
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

/// Stops with findlib's explanation when a named package cannot be used,
/// pointing at the `_tags` line that names it.
fn check_packages(of: &Ocamlfind, named: &[String], tagger: &Tagger) -> Result<(), Stop> {
    for p in named {
        if let Err(e) = of.findlib().package(p) {
            let mut stop = findlib_error(e);
            if !stop.message.starts_with("File ") {
                let written = format!("package({p})");
                let place = tagger
                    .config()
                    .acknowledged_tags()
                    .into_iter()
                    .find(|t| t.tag.as_str() == written)
                    .map(|t| format!("{}\n", t.location))
                    .unwrap_or_default();
                stop.message = format!("{place}Error: {}", stop.message);
            }
            return Err(stop);
        }
    }
    Ok(())
}

fn findlib_error(e: findlib::Error) -> Stop {
    let hint = match e {
        findlib::Error::NoSuchPackage { .. } | findlib::Error::NoSuchSubpackage { .. } => {
            "\nHint: `ocamlfind list` shows the installed packages; on Debian, libraries \
             come as lib<name>-ocaml-dev packages."
        }
        _ => "",
    };
    Stop::new(exit_code::FAILURE, format!("{e}{hint}"))
}

fn ocaml_error(e: ocaml::Error) -> Stop {
    match e {
        ocaml::Error::Tags(t) => Stop::new(t.exit_code() as u8, t.to_string()),
        ocaml::Error::Io { path, source } => {
            Stop::new(exit_code::SYSTEM, crate::report::io_message(&path, &source))
        }
        other => Stop::new(exit_code::SYSTEM, format!("Error: {other}")),
    }
}
