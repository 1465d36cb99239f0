//! The command of a library archive (`x.cma`, `x.cmxa` + `x.a`), shared by
//! the tasks that make one (from an `.mllib`, `units`, or of a module's
//! closure, `link`): `ocamlc -a`/`ocamlopt -a`, or `ocamlmklib`, and the
//! log's name for it.

use engine::{Result, Target};
use tags::TagSet;

use super::context::RuleContext;
use super::link_inputs::link_dirs;
use super::list_file;
use crate::mode::Mode;
use crate::ocamlfind::CommandParts;

/// The log target of an archive's command: the archive, or for
/// `ocamlmklib` (as ocamlbuild logs it) the name given to `-o`.
pub fn archive_log_target(tags: &TagSet, out: &Target) -> String {
    if tags.contains("ocamlmklib") {
        list_file::stem_of(out.as_str()).to_string()
    } else {
        out.to_string()
    }
}

/// The command of an archive: `ocamlc -a`/`ocamlopt -a`, or `ocamlmklib`
/// when the archive is tagged `ocamlmklib`; with the identity of the
/// installed packages it uses.
pub fn archive_argv(
    cx: &RuleContext,
    mode: Mode,
    tags: &TagSet,
    flags: Vec<String>,
    list: &[Target],
    extra_dirs: &[Target],
    out: &Target,
) -> Result<(Vec<String>, String)> {
    if tags.contains("ocamlmklib") {
        let mut argv = cx.toolchain.ocamlmklib()?.to_vec();
        argv.extend(flags);
        argv.extend(list.iter().map(|t| t.to_string()));
        argv.extend([
            "-o".to_string(),
            list_file::stem_of(out.as_str()).to_string(),
        ]);
        return Ok((argv, String::new()));
    }
    let mut before = vec!["-a".to_string()];
    before.extend(flags);
    before.extend(link_dirs(list, extra_dirs));
    let parts = CommandParts {
        before,
        files: list.iter().map(|t| t.to_string()).collect(),
        after: vec!["-o".to_string(), out.to_string()],
    };
    cx.compiler_command(mode, parts)
}

#[cfg(test)]
mod tests {
    //! Expected commands are those of ocamlbuild 0.14.1's `_log` (without
    //! `/usr/bin/`): `ocamlc -a`, the folders of the units with `-I`, the
    //! units, `-o`.

    use engine::Target;
    use tags::TagSet;

    use super::*;
    use crate::rules::testing::Fixture;

    fn targets(names: &[&str]) -> Vec<Target> {
        names.iter().map(|t| Target::new(t)).collect()
    }

    #[test]
    fn an_archive_names_the_folders_of_its_units_then_the_units() {
        let setup = Fixture::new(&[("a.ml", "")]).context();
        let tags: TagSet = ["ocaml", "link", "byte", "library"].into_iter().collect();
        let units = targets(&["a.cmo", "lib/b.cmo", "lib/c.cmo"]);
        let out = Target::new("x.cma");
        let (argv, _) = archive_argv(setup.cx(), Mode::Byte, &tags, vec![], &units, &[], &out)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            argv.join(" "),
            "ocamlc.opt -a -I lib a.cmo lib/b.cmo lib/c.cmo -o x.cma"
        );
        assert_eq!(archive_log_target(&tags, &out), "x.cma");
    }

    #[test]
    fn an_archive_tagged_ocamlmklib_is_made_by_ocamlmklib_and_logged_by_its_name() {
        let setup = Fixture::new(&[("a.ml", "")]).context();
        let tags: TagSet = ["ocaml", "link", "native", "library", "ocamlmklib"]
            .into_iter()
            .collect();
        let out = Target::new("x.cmxa");
        let (argv, _) = archive_argv(
            setup.cx(),
            Mode::Native,
            &tags,
            vec!["-g".to_string()],
            &targets(&["a.cmx"]),
            &[],
            &out,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(argv.join(" "), "ocamlmklib.opt -g a.cmx -o x");
        assert_eq!(archive_log_target(&tags, &out), "x");
    }
}
