//! The tag checks ocamlbuild runs at startup: parametrised tags used
//! wrongly (found by the declarations), and tags no declaration uses. What
//! they report is a [`Warning`].

use crate::configuration::Configuration;
use crate::flags::Declarations;
use crate::tag_set::TagSet;
use crate::warning::{Warning, WarningKind};

/// Tags ocamlbuild's own code tests directly, so they never count as unused
/// (`builtin_useful_tags` in its `main.ml`).
pub const BUILTIN_USEFUL_TAGS: [&str; 11] = [
    "include",
    "traverse",
    "not_hygienic",
    "precious",
    "pack",
    "ocamlmklib",
    "native",
    "thread",
    "nopervasives",
    "use_menhir",
    "ocamldep",
];

/// The "not used" warnings (ocamlbuild's `check_tags_usage`): for every
/// written tag not in `used`, newest source first, lines top to bottom, and
/// in each line the added tags last-written first, then the removed ones
/// the same way (orders observed on ocamlbuild 0.14.1).
pub fn unused_tags(config: &Configuration, used: &TagSet) -> Vec<Warning> {
    let mut out = Vec::new();
    for part in config.parts().iter().rev() {
        for line in &part.lines {
            for t in line.add.iter().rev().chain(line.remove.iter().rev()) {
                if !used.contains_tag(&t.tag) {
                    out.push(Warning {
                        location: Some(t.location.clone()),
                        kind: WarningKind::UnusedTag(t.tag.as_str().to_string()),
                    });
                }
            }
        }
    }
    out
}

/// Everything ocamlbuild does with tags between reading them and building:
/// declares the parametrised flags the configuration asks for (warning
/// about misused parameters) and then checks for unused tags, counting
/// [`BUILTIN_USEFUL_TAGS`] as used. Warnings are appended to `warnings` in
/// the order ocamlbuild prints them; an error (a parameter a declaration
/// rejects) stops the process, as it does in ocamlbuild (exit 3).
///
/// ```
/// use tags::{Configuration, Declarations, startup_checks};
/// let mut c = Configuration::new();
/// c.add_tags_file("", b"true: debug, dbug, warn(+a)\n").unwrap();
/// let mut d: Declarations = Declarations::new();
/// d.flag(["ocaml", "compile", "debug"], vec!["-g".to_string()]);
/// d.pflag(["ocaml", "compile"], "warn", |p| vec!["-w".to_string(), p.to_string()]);
/// let mut w = Vec::new();
/// startup_checks(&c, &mut d, &mut w).unwrap();
/// assert_eq!(w.len(), 1);
/// assert!(w[0].to_string().starts_with(
///     "File \"_tags\", line 1, characters 13-17:\nWarning: the tag \"dbug\" is not used"));
/// ```
pub fn startup_checks<F: Clone>(
    config: &Configuration,
    declarations: &mut Declarations<F>,
    warnings: &mut Vec<Warning>,
) -> crate::Result<()> {
    declarations.instantiate(&config.acknowledged_tags(), warnings)?;
    let mut used = declarations.used_tags();
    used.extend(BUILTIN_USEFUL_TAGS);
    warnings.extend(unused_tags(config, &used));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unused_tags_are_listed_newest_source_first_and_added_tags_reversed() {
        // Experiment: root `_tags` "true: r1, warn(x), -r2, for-pack(P)\n<a.ml>: r3",
        // sub/_tags "true: s1, package(y), warn, -s2", `-tags t1,t2`,
        // `-tag-line 'true: tl1, warn, warn(z)' -tag-line '<a.ml>: tl2'`.
        let mut c = Configuration::new();
        let steps = [
            c.add_command_line("true: tl1, warn, warn(z)"),
            c.add_command_line("<a.ml>: tl2"),
            c.tag_any(&["quiet", "t1", "t2"]),
            c.add_tags_file("", b"true: r1, warn(x), -r2, for-pack(P)\n<a.ml>: r3\n"),
            c.add_tags_file("sub", b"true: s1, package(y), warn, -s2\n"),
        ];
        assert!(steps.iter().all(Result::is_ok));
        let used: TagSet = ["warn(x)", "warn(z)", "for-pack(P)", "quiet"]
            .into_iter()
            .collect();
        let got: Vec<String> = unused_tags(&c, &used)
            .iter()
            .map(|w| {
                let loc = w
                    .location
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                match &w.kind {
                    WarningKind::UnusedTag(t) => format!("{loc} {t}"),
                    k => format!("{k:?}"),
                }
            })
            .collect();
        assert_eq!(
            got,
            [
                "File \"sub/_tags\", line 1, characters 22-26: warn",
                "File \"sub/_tags\", line 1, characters 10-20: package(y)",
                "File \"sub/_tags\", line 1, characters 6-8: s1",
                "File \"sub/_tags\", line 1, characters 28-31: s2",
                "File \"_tags\", line 1, characters 6-8: r1",
                "File \"_tags\", line 1, characters 19-22: r2",
                "File \"_tags\", line 2, characters 8-10: r3",
                "Configuration \"true: quiet, t1, t2\", line 1, characters 17-19: t2",
                "Configuration \"true: quiet, t1, t2\", line 1, characters 13-15: t1",
                "Command-line \"<a.ml>: tl2\", line 1, characters 8-11: tl2",
                "Command-line \"true: tl1, warn, warn(z)\", line 1, characters 11-15: warn",
                "Command-line \"true: tl1, warn, warn(z)\", line 1, characters 6-9: tl1",
            ]
        );
    }
}
