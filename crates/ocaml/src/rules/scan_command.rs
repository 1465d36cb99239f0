//! The command of a source's dependency scan, `ocamldep <flags> -modules
//! source`, as ocamlbuild writes it: what the `.depends` task runs (or
//! replaces by the in-process scan), and what decides a source's ppx
//! driver (`ppx`).

use super::context::RuleContext;
use crate::ocamlfind::CommandParts;

/// The tags and the command (as ocamlbuild writes it) of the dependency
/// scan of `source`: `ocamldep <flags> -modules source`.
pub fn scan_command(cx: &RuleContext, source: &str) -> (tags::TagSet, CommandParts) {
    let tags = cx.command_tags(&[source], &["ocaml", "ocamldep"]);
    let mut before = cx.flags_of(&tags);
    before.extend(cx.pp_args(source, &["pp:dep"]));
    before.push("-modules".to_string());
    let parts = CommandParts {
        before,
        files: vec![source.to_string()],
        after: Vec::new(),
    };
    (tags, parts)
}

#[cfg(test)]
mod tests {
    //! ocamlbuild 0.14.1 logs `ocamldep.opt -modules a.ml > a.ml.depends`,
    //! with the preprocessor's `-pp` before `-modules` when one applies.

    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn a_scan_is_ocamldep_modules_with_the_preprocessor_of_its_source() {
        let setup = Fixture::new(&[("a.ml", ""), ("b.ml", "")])
            .tags("<b.ml>: pp(cpp -P)\n")
            .context();
        let (tags, parts) = scan_command(setup.cx(), "a.ml");
        assert!(tags.contains("ocamldep") && tags.contains("ocaml"));
        assert_eq!(
            parts.plain(&["ocamldep.opt".to_string()]),
            ["ocamldep.opt", "-modules", "a.ml"]
        );
        let (_, parts) = scan_command(setup.cx(), "b.ml");
        assert_eq!(
            parts.plain(&["ocamldep.opt".to_string()]),
            ["ocamldep.opt", "-pp", "cpp -P", "-modules", "b.ml"]
        );
    }
}
