//! The plugin's `Options`: the values of ocamlbuild's option references
//! after a hook ran (the command line as the plugin parsed it, plus what
//! its hooks set). caravan builds with these values.

use super::spec::Spec;
use super::wire::Sexp;

/// ocamlbuild's option references, as the plugin left them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PluginOptions {
    /// `Options.build_dir` (absolute).
    pub build_dir: String,
    /// `include_dirs` (with `.`).
    pub include_dirs: Vec<String>,
    /// `exclude_dirs` (with ocamlbuild's defaults).
    pub exclude_dirs: Vec<String>,
    /// `nothing_should_be_rebuilt`.
    pub nothing_should_be_rebuilt: bool,
    /// `sanitize`.
    pub sanitize: bool,
    /// `sanitization_script`.
    pub sanitization_script: String,
    /// `hygiene`.
    pub hygiene: bool,
    /// `ignore_auto` (false with `-no-skip`).
    pub ignore_auto: bool,
    /// `make_links`.
    pub make_links: bool,
    /// `nostdlib`.
    pub nostdlib: bool,
    /// `use_menhir`.
    pub use_menhir: bool,
    /// `use_ocamlfind`.
    pub use_ocamlfind: bool,
    /// `recursive`.
    pub recursive: bool,
    /// `must_clean`.
    pub must_clean: bool,
    /// `show_documentation`.
    pub show_documentation: bool,
    /// `toolchain`.
    pub toolchain: String,
    /// `ocamlc`.
    pub ocamlc: Spec,
    /// `ocamlopt`.
    pub ocamlopt: Spec,
    /// `ocamldep`.
    pub ocamldep: Spec,
    /// `ocamldoc`.
    pub ocamldoc: Spec,
    /// `ocamlyacc`.
    pub ocamlyacc: Spec,
    /// `ocamllex`.
    pub ocamllex: Spec,
    /// `ocamlmklib`.
    pub ocamlmklib: Spec,
    /// `ocamlmktop`.
    pub ocamlmktop: Spec,
    /// `ocamlrun`.
    pub ocamlrun: Spec,
    /// `ext_obj`.
    pub ext_obj: String,
    /// `ext_lib`.
    pub ext_lib: String,
    /// `targets`.
    pub targets: Vec<String>,
    /// `ocaml_libs`.
    pub ocaml_libs: Vec<String>,
    /// `ocaml_mods`.
    pub ocaml_mods: Vec<String>,
    /// `ocaml_pkgs`.
    pub ocaml_pkgs: Vec<String>,
    /// `ocaml_syntax`.
    pub ocaml_syntax: Option<String>,
    /// `ocaml_lflags`.
    pub ocaml_lflags: Vec<String>,
    /// `ocaml_cflags`.
    pub ocaml_cflags: Vec<String>,
    /// `ocaml_ppflags`.
    pub ocaml_ppflags: Vec<String>,
    /// `ocaml_docflags`.
    pub ocaml_docflags: Vec<String>,
    /// `ocaml_yaccflags`.
    pub ocaml_yaccflags: Vec<String>,
    /// `ocaml_lexflags`.
    pub ocaml_lexflags: Vec<String>,
    /// `program_args`.
    pub program_args: Vec<String>,
    /// `ignore_list`.
    pub ignore_list: Vec<String>,
    /// `tags` (with `quiet` first).
    pub tags: Vec<String>,
    /// `tag_lines`.
    pub tag_lines: Vec<String>,
    /// `show_tags`.
    pub show_tags: Vec<String>,
    /// `plugin_tags`.
    pub plugin_tags: Vec<String>,
    /// `-j`.
    pub jobs: Option<usize>,
}

impl PluginOptions {
    /// Decodes a `done` message's options; unknown names are ignored and
    /// missing ones keep their default.
    pub fn decode(v: &Sexp) -> Option<PluginOptions> {
        let mut o = PluginOptions::default();
        for entry in v.as_list()? {
            let [name, value] = entry.as_list()? else {
                return None;
            };
            let name = name.as_str()?;
            let text = || value.as_str();
            let flag = || text().map(|t| t == "true");
            let list = || value.as_strings();
            let spec = || Spec::decode(value);
            match name.as_str() {
                "build_dir" => o.build_dir = text()?,
                "include_dirs" => o.include_dirs = list()?,
                "exclude_dirs" => o.exclude_dirs = list()?,
                "nothing_should_be_rebuilt" => o.nothing_should_be_rebuilt = flag()?,
                "sanitize" => o.sanitize = flag()?,
                "sanitization_script" => o.sanitization_script = text()?,
                "hygiene" => o.hygiene = flag()?,
                "ignore_auto" => o.ignore_auto = flag()?,
                "make_links" => o.make_links = flag()?,
                "nostdlib" => o.nostdlib = flag()?,
                "use_menhir" => o.use_menhir = flag()?,
                "use_ocamlfind" => o.use_ocamlfind = flag()?,
                "recursive" => o.recursive = flag()?,
                "must_clean" => o.must_clean = flag()?,
                "show_documentation" => o.show_documentation = flag()?,
                "toolchain" => o.toolchain = text()?,
                "ocamlc" => o.ocamlc = spec()?,
                "ocamlopt" => o.ocamlopt = spec()?,
                "ocamldep" => o.ocamldep = spec()?,
                "ocamldoc" => o.ocamldoc = spec()?,
                "ocamlyacc" => o.ocamlyacc = spec()?,
                "ocamllex" => o.ocamllex = spec()?,
                "ocamlmklib" => o.ocamlmklib = spec()?,
                "ocamlmktop" => o.ocamlmktop = spec()?,
                "ocamlrun" => o.ocamlrun = spec()?,
                "ext_obj" => o.ext_obj = text()?,
                "ext_lib" => o.ext_lib = text()?,
                "targets" => o.targets = list()?,
                "ocaml_libs" => o.ocaml_libs = list()?,
                "ocaml_mods" => o.ocaml_mods = list()?,
                "ocaml_pkgs" => o.ocaml_pkgs = list()?,
                "ocaml_syntax" => o.ocaml_syntax = list()?.into_iter().next(),
                "ocaml_lflags" => o.ocaml_lflags = list()?,
                "ocaml_cflags" => o.ocaml_cflags = list()?,
                "ocaml_ppflags" => o.ocaml_ppflags = list()?,
                "ocaml_docflags" => o.ocaml_docflags = list()?,
                "ocaml_yaccflags" => o.ocaml_yaccflags = list()?,
                "ocaml_lexflags" => o.ocaml_lexflags = list()?,
                "program_args" => o.program_args = list()?,
                "ignore_list" => o.ignore_list = list()?,
                "tags" => o.tags = list()?,
                "tag_lines" => o.tag_lines = list()?,
                "show_tags" => o.show_tags = list()?,
                "plugin_tags" => o.plugin_tags = list()?,
                "jobs" => o.jobs = text()?.parse().ok(),
                _ => {}
            }
        }
        Some(o)
    }
}

/// The command a tool option stands for, as words: `None` when it is
/// ocamlbuild's default (`V "OCAMLC"`, or `N` for tools without one), so
/// that caravan keeps its own lookup.
pub fn tool_words(spec: &Spec, default_virtual: &str) -> Option<Vec<String>> {
    match spec {
        Spec::V(v) if v == default_virtual => None,
        Spec::N => None,
        other => {
            let mut words = Vec::new();
            collect_words(other, &mut words);
            (!words.is_empty()).then_some(words)
        }
    }
}

fn collect_words(spec: &Spec, out: &mut Vec<String>) {
    match spec {
        Spec::N | Spec::T(_) => {}
        Spec::S(l) => l.iter().for_each(|s| collect_words(s, out)),
        Spec::A(s) | Spec::P(s) | Spec::Px(s) => out.push(s.clone()),
        Spec::Sh(s) => match shlex::split(s) {
            Some(words) => out.extend(words),
            None => out.push(s.clone()),
        },
        Spec::V(v) => out.push(v.to_lowercase()),
        Spec::Quote(s) => {
            let mut inner = Vec::new();
            collect_words(s, &mut inner);
            out.push(inner.join(" "));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_snapshot_and_tools() {
        let v = Sexp::List(vec![
            Sexp::List(vec![Sexp::atom("use_ocamlfind"), Sexp::atom("true")]),
            Sexp::List(vec![Sexp::atom("targets"), Sexp::atoms(["a.native"])]),
            Sexp::List(vec![
                Sexp::atom("ocamlc"),
                Spec::S(vec![
                    Spec::Sh("/usr/bin/ocamlfind".into()),
                    Spec::A("ocamlc".into()),
                ])
                .encode(),
            ]),
            Sexp::List(vec![
                Sexp::atom("ocamlopt"),
                Spec::V("OCAMLOPT".into()).encode(),
            ]),
        ]);
        let o = PluginOptions::decode(&v).unwrap();
        assert!(o.use_ocamlfind);
        assert_eq!(o.targets, ["a.native"]);
        assert_eq!(
            tool_words(&o.ocamlc, "OCAMLC"),
            Some(vec!["/usr/bin/ocamlfind".to_string(), "ocamlc".to_string()])
        );
        assert_eq!(tool_words(&o.ocamlopt, "OCAMLOPT"), None);
    }
}
