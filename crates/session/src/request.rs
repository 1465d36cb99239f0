//! A build request: the targets and the options of ocamlbuild's command
//! line, as data. The binary parses the command line into one; a plugin's
//! `Before_options`/`After_options` hooks rewrite it
//! (`plugin_request`); the session builds what it asks for.

use std::path::Path;

use engine::Target;
use ocaml::project::ScanConfig;
use ocaml::toolchain::ToolOverrides;

use crate::install_request::InstallRequest;
use crate::sharing_request::SharingRequest;

/// A build request: the targets and ocamlbuild's options, as data.
#[derive(Clone, Debug)]
pub struct Request {
    /// The command line as given, without the program name: the plugin
    /// parses it itself, and the null-build key covers it.
    pub words: Vec<String>,
    /// The command line as a plugin parses it: [`Request::words`] without
    /// caravan's own options, which ocamlbuild's options do not include.
    pub plugin_words: Vec<String>,
    /// `-quiet`: the session shows no command (the plugin's compilation).
    pub quiet: bool,
    /// Whether package rewriters run through a linked ppx driver; `None`
    /// leaves it to the environment (`ppx_driver_enabled`).
    pub ppx_driver: Option<bool>,
    /// Targets, in order.
    pub targets: Vec<String>,
    /// `-j`.
    pub jobs: Option<usize>,
    /// `-I`, `-Is`.
    pub include_dirs: Vec<String>,
    /// `-X`, `-Xs`.
    pub exclude_dirs: Vec<String>,
    /// `-r`.
    pub recursive: bool,
    /// `-search-all-dirs` (caravan's own): modules found in every traversed
    /// folder, not only in include folders.
    pub search_all_dirs: bool,
    /// `-build-dir`.
    pub build_dir: Option<String>,
    /// `-mlstatelibs` (caravan's own): the install root of the declared
    /// layer (`build_libs`), before `$MLSTATELIBS`.
    pub install_root: Option<String>,
    /// `-no-links`.
    pub no_links: bool,
    /// `-clean`.
    pub clean: bool,
    /// Not `-no-hygiene`.
    pub hygiene: bool,
    /// Not `-no-sanitize`.
    pub sanitize: bool,
    /// `-sanitization-script`.
    pub sanitization_script: String,
    /// `-cflag(s)`.
    pub cflags: Vec<String>,
    /// `-lflag(s)`.
    pub lflags: Vec<String>,
    /// `-lib(s)`.
    pub libs: Vec<String>,
    /// `-mod(s)`.
    pub mods: Vec<String>,
    /// `-ocamlc`.
    pub ocamlc: Option<String>,
    /// `-ocamlopt`.
    pub ocamlopt: Option<String>,
    /// `-ocamldep`.
    pub ocamldep: Option<String>,
    /// `-ocamlrun`.
    pub ocamlrun: Option<String>,
    /// `-ocamlmklib`.
    pub ocamlmklib: Option<String>,
    /// `-ocamlmktop`.
    pub ocamlmktop: Option<String>,
    /// `-no-plugin`.
    pub no_plugin: bool,
    /// `-tag`, `-tags`.
    pub tags: Vec<String>,
    /// `-tag-line`.
    pub tag_lines: Vec<String>,
    /// `-show-tags`.
    pub show_tags: Vec<String>,
    /// `-documentation`.
    pub documentation: bool,
    /// `-ppflag`, `-pp`.
    pub ppflags: Vec<String>,
    /// `-yaccflag(s)`.
    pub yaccflags: Vec<String>,
    /// `-lexflag(s)`.
    pub lexflags: Vec<String>,
    /// `-docflag(s)`.
    pub docflags: Vec<String>,
    /// `-ocamllex`.
    pub ocamllex: Option<String>,
    /// `-ocamlyacc` or `-menhir` (one setting in ocamlbuild).
    pub parser_generator: Option<String>,
    /// `-ocamldoc`.
    pub ocamldoc: Option<String>,
    /// `-use-menhir`.
    pub use_menhir: bool,
    /// `-ignore`, capitalised.
    pub ignore: Vec<String>,
    /// `-no-skip`.
    pub no_skip: bool,
    /// `-nothing-should-be-rebuilt`.
    pub nothing_should_be_rebuilt: bool,
    /// `-keep-going` (the default) or `-stop-on-first-error`: whether the
    /// work that does not depend on a failed command still runs.
    pub keep_going: bool,
    /// `-plugin-tag`, `-plugin-tags`.
    pub plugin_tags: Vec<String>,
    /// `-just-plugin`.
    pub just_plugin: bool,
    /// `-byte-plugin`.
    pub byte_plugin: bool,
    /// `-plugin-use-ocamlfind` (`Some(true)`), `-plugin-no-ocamlfind`
    /// (`Some(false)`); `-use-ocamlfind` and `-no-ocamlfind` set it too.
    pub plugin_ocamlfind: Option<bool>,
    /// `-plugin-ocamlc`.
    pub plugin_ocamlc: Option<String>,
    /// `-plugin-ocamlopt`.
    pub plugin_ocamlopt: Option<String>,
    /// The compilers are wrapped in `ocamlfind` by the plugin (an
    /// `Options.ocamlc := ocamlfind ocamlc` setting): commands go through
    /// caravan's in-process ocamlfind.
    pub ocamlfind_wrapped: bool,
    /// `-use-ocamlfind` (`Some(true)`) or `-no-ocamlfind` (`Some(false)`).
    pub ocamlfind: Option<bool>,
    /// `-pkg`, `-pkgs`, `-package`.
    pub packages: Vec<String>,
    /// `-syntax`.
    pub syntaxes: Vec<String>,
    /// `-toolchain`.
    pub toolchain: Option<String>,
    /// Arguments after `--`, when given.
    pub program_args: Option<Vec<String>>,
    /// `-merlin` (caravan's own): write the `.merlin` files of the source
    /// folders (see `dot_merlin`).
    pub merlin: bool,
    /// The local cache and the remote options (caravan's own).
    pub sharing: SharingRequest,
    /// `-install`, `-uninstall`, `-install-file`, `-install-lib-dir`,
    /// `-install-bin-dir`.
    pub install: InstallRequest,
}

impl Default for Request {
    fn default() -> Request {
        Request {
            words: Vec::new(),
            plugin_words: Vec::new(),
            quiet: false,
            ppx_driver: None,
            targets: Vec::new(),
            jobs: None,
            include_dirs: Vec::new(),
            exclude_dirs: Vec::new(),
            recursive: false,
            search_all_dirs: false,
            install_root: None,
            build_dir: None,
            no_links: false,
            clean: false,
            hygiene: true,
            sanitize: true,
            sanitization_script: "sanitize.sh".to_string(),
            cflags: Vec::new(),
            lflags: Vec::new(),
            libs: Vec::new(),
            mods: Vec::new(),
            ocamlc: None,
            ocamlopt: None,
            ocamldep: None,
            ocamlrun: None,
            ocamlmklib: None,
            ocamlmktop: None,
            no_plugin: false,
            tags: Vec::new(),
            tag_lines: Vec::new(),
            show_tags: Vec::new(),
            documentation: false,
            ppflags: Vec::new(),
            yaccflags: Vec::new(),
            lexflags: Vec::new(),
            docflags: Vec::new(),
            ocamllex: None,
            parser_generator: None,
            ocamldoc: None,
            use_menhir: false,
            ignore: Vec::new(),
            no_skip: false,
            nothing_should_be_rebuilt: false,
            keep_going: true,
            plugin_tags: Vec::new(),
            just_plugin: false,
            byte_plugin: false,
            plugin_ocamlfind: None,
            plugin_ocamlc: None,
            plugin_ocamlopt: None,
            ocamlfind_wrapped: false,
            ocamlfind: None,
            packages: Vec::new(),
            syntaxes: Vec::new(),
            toolchain: None,
            program_args: None,
            merlin: false,
            sharing: SharingRequest::default(),
            install: InstallRequest::default(),
        }
    }
}

impl Request {
    /// The tool commands given with `-ocamlc` and friends.
    pub fn tool_overrides(&self) -> ToolOverrides {
        ToolOverrides {
            ocamlc: self.ocamlc.clone(),
            ocamlopt: self.ocamlopt.clone(),
            ocamldep: self.ocamldep.clone(),
            ocamlrun: self.ocamlrun.clone(),
            ocamllex: self.ocamllex.clone(),
            parser_generator: self.parser_generator.clone(),
            ocamldoc: self.ocamldoc.clone(),
            ocamlmklib: self.ocamlmklib.clone(),
            ocamlmktop: self.ocamlmktop.clone(),
        }
    }

    /// What the tree scan needs: the folders to read and to skip.
    pub fn scan_config(&self, root: &Path, build_dir: &Path) -> ScanConfig {
        let target_dirs: Vec<String> = self
            .targets
            .iter()
            .map(|t| Target::new(t).dir().to_string())
            .filter(|d| !d.is_empty())
            .collect();
        ScanConfig {
            root: root.to_path_buf(),
            build_dir: build_dir.to_path_buf(),
            include_dirs: self.include_dirs.clone(),
            exclude_dirs: self.exclude_dirs.clone(),
            recursive: self.recursive,
            search_all_dirs: self.search_all_dirs,
            target_dirs,
        }
    }
}
