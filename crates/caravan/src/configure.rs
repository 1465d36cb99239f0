//! Reading the project's configuration: the tree with its `_tags` files,
//! the flag declarations, ocamlbuild's startup warnings, `-show-tags` and
//! `-documentation`.

use ocaml::flags::{self, FlagOptions};
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
    /// A digest of every configuration text read (`_tags` files and tag
    /// options), for the null-build key.
    pub fingerprint: String,
}

/// Scans the tree reading `_tags`, declares the flags, prints the startup
/// warnings.
pub fn configure(cli: &Cli, scan: &ScanConfig) -> Result<Configured, Stop> {
    let root = &scan.root;
    let looks_like_project = root.join("_tags").is_file() || root.join("myocamlbuild.ml").is_file();
    let traverse = cli.recursive || looks_like_project;
    let mut builder = TagsBuilder::new(&cli.tag_lines, &cli.tags, traverse).map_err(ocaml_error)?;
    let project = Project::scan(scan, &mut builder).map_err(ocaml_error)?;
    let fingerprint = builder.fingerprint();
    let tagger = builder.finish();
    let options = FlagOptions {
        ppflags: cli.ppflags.clone(),
        cflags: cli.cflags.clone(),
        lflags: cli.lflags.clone(),
        libs: cli.libs.clone(),
        mods: cli.mods.clone(),
        ..FlagOptions::default()
    };
    let uses_camlp4 = tagger
        .config()
        .written_tags()
        .iter()
        .any(|t| t.as_str().contains("camlp4"));
    let camlp4 = if uses_camlp4 || cli.documentation {
        ocaml::toolchain::camlp4_dir()
    } else {
        "+camlp4".to_string()
    };
    let mut flags = flags::builtin(&options, &camlp4);
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
        fingerprint,
    })
}

fn ocaml_error(e: ocaml::Error) -> Stop {
    match e {
        ocaml::Error::Tags(t) => Stop::new(t.exit_code() as u8, t.to_string()),
        other => Stop::new(exit_code::SYSTEM, format!("Error: {other}")),
    }
}
