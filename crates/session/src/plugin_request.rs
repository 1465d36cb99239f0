//! The plugin's options become the build request: after the plugin's
//! `After_options` hook, the values of ocamlbuild's `Options` references
//! (the command line as the plugin parsed it, plus what its hooks set) are
//! what caravan builds with.

use ocaml::project::DEFAULT_EXCLUDED;
use plugin::options::{PluginOptions, tool_words};

use crate::error::Error;
use crate::request::Request;

/// `request` with the plugin's option values.
pub fn apply(request: &Request, o: &PluginOptions) -> Result<Request, Error> {
    let mut c = request.clone();
    let refuse = |what: &str| {
        Error::refused(format!(
            "Error: the plugin myocamlbuild.ml sets {what}, which caravan does not support \
             yet."
        ))
    };
    if o.nostdlib {
        return Err(refuse("Options.nostdlib (-no-stdlib)"));
    }
    c.targets = o.targets.clone();
    c.include_dirs = o
        .include_dirs
        .iter()
        .filter(|d| d.as_str() != "." && !d.is_empty())
        .cloned()
        .collect();
    c.exclude_dirs = o
        .exclude_dirs
        .iter()
        .filter(|d| !DEFAULT_EXCLUDED.contains(&d.as_str()))
        .cloned()
        .collect();
    c.recursive = o.recursive;
    c.hygiene = o.hygiene;
    c.sanitize = o.sanitize;
    c.sanitization_script = o.sanitization_script.clone();
    c.nothing_should_be_rebuilt = o.nothing_should_be_rebuilt;
    c.no_skip = !o.ignore_auto;
    c.no_links = !o.make_links;
    c.documentation = o.show_documentation;
    c.cflags = o.ocaml_cflags.clone();
    c.lflags = o.ocaml_lflags.clone();
    c.libs = o.ocaml_libs.clone();
    c.mods = o.ocaml_mods.clone();
    c.ppflags = o.ocaml_ppflags.clone();
    c.yaccflags = o.ocaml_yaccflags.clone();
    c.lexflags = o.ocaml_lexflags.clone();
    c.docflags = o.ocaml_docflags.clone();
    c.use_menhir = o.use_menhir;
    c.packages = o.ocaml_pkgs.clone();
    c.syntaxes = o.ocaml_syntax.iter().cloned().collect();
    c.ignore = o.ignore_list.clone();
    c.tag_lines = o.tag_lines.clone();
    c.show_tags = o.show_tags.clone();
    c.plugin_tags = o.plugin_tags.clone();
    // ocamlbuild's list starts with `quiet` (after what Before_options
    // added); caravan puts `quiet` first itself.
    let mut tags = o.tags.clone();
    if let Some(i) = tags.iter().position(|t| t == "quiet") {
        tags.remove(i);
    }
    c.tags = tags;
    if o.use_ocamlfind {
        c.ocamlfind = Some(true);
    } else if request.ocamlfind == Some(true) {
        c.ocamlfind = Some(false);
    }
    if !o.toolchain.is_empty() {
        c.toolchain = Some(o.toolchain.clone());
    }
    let mut wrapped = false;
    let mut tool = |spec, virtual_name: &str, name: &str, current: &Option<String>| match tool_words(
        spec,
        virtual_name,
    ) {
        None => current.clone(),
        Some(words) => {
            let (via_ocamlfind, rest) = unwrap_ocamlfind(&words);
            wrapped |= via_ocamlfind;
            if via_ocamlfind && rest.len() == 1 && rest[0] == name {
                None
            } else {
                Some(
                    rest.iter()
                        .map(|w| engine::shell_quote(w))
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            }
        }
    };
    c.ocamlc = tool(&o.ocamlc, "OCAMLC", "ocamlc", &request.ocamlc);
    c.ocamlopt = tool(&o.ocamlopt, "OCAMLOPT", "ocamlopt", &request.ocamlopt);
    c.ocamldep = tool(&o.ocamldep, "OCAMLDEP", "ocamldep", &request.ocamldep);
    c.ocamlrun = tool(&o.ocamlrun, "OCAMLRUN", "ocamlrun", &request.ocamlrun);
    c.ocamllex = tool(&o.ocamllex, "OCAMLLEX", "ocamllex", &request.ocamllex);
    c.ocamldoc = tool(&o.ocamldoc, "OCAMLDOC", "ocamldoc", &request.ocamldoc);
    // -ocamlyacc and -menhir both set this one (`N` by default).
    c.parser_generator = tool(&o.ocamlyacc, "", "", &request.parser_generator);
    c.ocamlfind_wrapped = wrapped;
    Ok(c)
}

/// `ocamlfind X args` → (true, `X args`).
fn unwrap_ocamlfind(words: &[String]) -> (bool, Vec<String>) {
    match words.split_first() {
        Some((first, rest)) if !rest.is_empty() => {
            let base = first.rsplit('/').next().unwrap_or(first);
            if base == "ocamlfind" || base == "ocamlfind.opt" {
                (true, rest.to_vec())
            } else {
                (false, words.to_vec())
            }
        }
        _ => (false, words.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin::spec::Spec;

    #[test]
    fn ocamlfind_wrapped_compilers_use_the_in_process_ocamlfind() {
        let o = PluginOptions {
            ocamlc: Spec::S(vec![
                Spec::Sh("/usr/bin/ocamlfind".into()),
                Spec::A("ocamlc".into()),
            ]),
            ocamlopt: Spec::V("OCAMLOPT".into()),
            ocamldep: Spec::V("OCAMLDEP".into()),
            include_dirs: vec![".".into(), "lib".into()],
            tags: vec!["debug".into(), "quiet".into(), "annot".into()],
            ignore_auto: true,
            make_links: true,
            hygiene: true,
            ..PluginOptions::default()
        };
        let c = apply(&Request::default(), &o).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.ocamlfind_wrapped);
        assert_eq!(c.ocamlc, None);
        assert_eq!(c.include_dirs, ["lib"]);
        assert_eq!(c.tags, ["debug", "annot"]);
    }
}
