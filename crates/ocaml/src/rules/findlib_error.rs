//! A findlib failure met while writing a command, told as ocamlbuild's
//! `-use-ocamlfind` mode tells it: only the command that uses the package
//! fails (exit 10, like the `ocamlfind` process ocamlbuild would have run),
//! and the message points at the `_tags` line that names the package.

use engine::Error;

use crate::rule_error::{Category, RuleError};
use crate::tagging::Tagger;

/// The hint after an unknown package, here and at start-up (`-pkg`).
pub const UNKNOWN_PACKAGE_HINT: &str = "Hint: `ocamlfind list` shows the installed packages; \
     on Debian, libraries come as lib<name>-ocaml-dev packages.";

/// The rule error of a command whose packages findlib cannot resolve.
pub fn command_error(tagger: &Tagger, e: findlib::Error) -> Error {
    let missing = match &e {
        findlib::Error::NoSuchPackage {
            name, required_by, ..
        }
        | findlib::Error::NoSuchSubpackage {
            name, required_by, ..
        } if required_by.is_none() => Some(name.clone()),
        _ => None,
    };
    let Some(name) = missing else {
        return RuleError::from_source(Category::Findlib, e).into();
    };
    // With a place, the message starts with it and says `Error:` itself,
    // as the compiler does; without, the binary puts `Error:` in front.
    let place = tag_place(tagger, &name)
        .map(|l| format!("{l}\nError: "))
        .unwrap_or_default();
    RuleError::new(
        Category::FindlibPackage,
        format!("{place}{e}\n{UNKNOWN_PACKAGE_HINT}"),
    )
    .with_source(e)
    .into()
}

/// Where the configuration writes the `package(...)` tag that names
/// `name` (`package(a, b)` names both), if it does.
fn tag_place(tagger: &Tagger, name: &str) -> Option<tags::Location> {
    tagger
        .config()
        .acknowledged_tags()
        .into_iter()
        .find(|t| {
            t.tag.name() == Some("package")
                && t.tag.param().is_some_and(|p| {
                    p.split(|c: char| c == ',' || c.is_whitespace())
                        .any(|n| n == name)
                })
        })
        .map(|t| t.location)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::rules::testing::Fixture;

    fn missing(name: &str, required_by: Option<Box<findlib::RequiredBy>>) -> findlib::Error {
        findlib::Error::NoSuchPackage {
            name: name.into(),
            required_by,
            suggestion: None,
            search_path: vec![PathBuf::from("/a")],
        }
    }

    #[test]
    fn an_unknown_package_points_at_the_tag_that_names_it() {
        let setup = Fixture::new(&[("a.ml", "")])
            .tags("<a.ml>: debug\ntrue: package(unix, zzz)\n")
            .context();
        let e = command_error(&setup.cx().tagger, missing("zzz", None));
        assert_eq!(
            e.to_string(),
            format!(
                "File \"_tags\", line 2, characters 6-24:\nError: package `zzz' not found in \
                 the search path /a\n{UNKNOWN_PACKAGE_HINT}"
            )
        );
        assert_eq!(
            RuleError::of(&e).map(RuleError::category),
            Some(Category::FindlibPackage)
        );
    }

    #[test]
    fn a_package_no_tag_names_has_no_place_and_another_failure_is_findlibs_text() {
        let setup = Fixture::new(&[("a.ml", "")]).context();
        let e = command_error(&setup.cx().tagger, missing("zzz", None));
        assert_eq!(
            e.to_string(),
            format!("package `zzz' not found in the search path /a\n{UNKNOWN_PACKAGE_HINT}")
        );
        let required = findlib::RequiredBy {
            package: "p".into(),
            location: None,
        };
        let inner = missing("zzz", Some(Box::new(required)));
        let text = inner.to_string();
        let e = command_error(&setup.cx().tagger, inner);
        assert_eq!(e.to_string(), text);
        assert_eq!(
            RuleError::of(&e).map(RuleError::category),
            Some(Category::Findlib)
        );
    }
}
