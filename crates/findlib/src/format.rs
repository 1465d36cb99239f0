//! `ocamlfind query -format`: expanding `%p`, `%d`, `%a`, `%(name)`, ...
//! for a list of packages.
//!
//! | format | meaning |
//! | --- | --- |
//! | `%p` | package name |
//! | `%d` | package directory |
//! | `%m` | META file |
//! | `%D` | description (`[n/a]` if none) |
//! | `%v` | version (`[unspecified]` if none) |
//! | `%a` | each archive (one answer per archive) |
//! | `%A` | the archives, space-separated |
//! | `%o` | each link option (one answer per option) |
//! | `%O` | the link options, space-separated |
//! | `%(name)` | the value of variable `name` (empty if none) |
//! | `%+a`, `%+A`, `%+(name)` | the same, words made absolute paths |
//! | `%%` | `%` |
//!
//! A format with `%a` or `%o` gives one answer per archive or option, so a
//! package without archives gives no answer at all for `%a`.

use crate::error::{Error, Result};
use crate::findlib::Findlib;
use crate::predicates::Predicates;
use crate::split;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Const(String),
    Percent(char, bool),
    Lookup(String, bool),
}

fn parse(format: &str) -> Result<Vec<Part>> {
    let bad = || Error::BadFormat {
        format: format.to_string(),
    };
    let chars: Vec<char> = format.chars().collect();
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut j = 0;
    let name_in_parens = |open: usize| -> Result<(String, usize)> {
        let close = chars[open + 1..]
            .iter()
            .position(|&c| c == ')')
            .ok_or_else(bad)?
            + open
            + 1;
        Ok((chars[open + 1..close].iter().collect(), close + 1))
    };
    while j < chars.len() {
        if chars[j] != '%' {
            text.push(chars[j]);
            j += 1;
            continue;
        }
        let c = *chars.get(j + 1).ok_or_else(bad)?;
        if !text.is_empty() {
            parts.push(Part::Const(std::mem::take(&mut text)));
        }
        match c {
            '%' => {
                parts.push(Part::Const("%".into()));
                j += 2;
            }
            '(' => {
                let (name, next) = name_in_parens(j + 1)?;
                parts.push(Part::Lookup(name, false));
                j = next;
            }
            '+' => match chars.get(j + 2) {
                None | Some('%') | Some('+') => return Err(bad()),
                Some('(') => {
                    let (name, next) = name_in_parens(j + 2)?;
                    parts.push(Part::Lookup(name, true));
                    j = next;
                }
                Some(&c2) => {
                    parts.push(Part::Percent(c2, true));
                    j += 3;
                }
            },
            _ => {
                parts.push(Part::Percent(c, false));
                j += 2;
            }
        }
    }
    if !text.is_empty() {
        parts.push(Part::Const(text));
    }
    Ok(parts)
}

impl Findlib {
    /// Expands `format` for each package of `packages` (in order) under
    /// `preds`, as `ocamlfind query -format` does; each package may give
    /// several answers or none (see the module documentation).
    pub fn query_format<S: AsRef<str>>(
        &self,
        packages: &[S],
        preds: &Predicates,
        format: &str,
    ) -> Result<Vec<String>> {
        let parts = parse(format)?;
        let mut answers = Vec::new();
        for name in packages {
            let pkg = self.package(name.as_ref())?;
            let dir = pkg.dir_str();
            let prop = |v: &str| pkg.property(v, preds).unwrap_or_default();
            let plus = |value: String| -> Result<String> {
                let mut out = Vec::new();
                for w in split::words(&value) {
                    out.push(self.resolve_path(w, Some(dir), false)?);
                }
                Ok(out.join(" "))
            };
            // Every combination of the multi-valued parts.
            let mut partial: Vec<String> = vec![String::new()];
            for part in &parts {
                let choices: Vec<String> = match part {
                    Part::Const(s) => vec![s.clone()],
                    Part::Lookup(v, is_plus) => {
                        let value = prop(v);
                        vec![if *is_plus { plus(value)? } else { value }]
                    }
                    Part::Percent(c, is_plus) => {
                        let values: Vec<String> = match c {
                            'p' => vec![pkg.name().to_string()],
                            'd' => vec![dir.to_string()],
                            'm' => vec![pkg.meta_path().to_string_lossy().into_owned()],
                            'D' => vec![
                                pkg.property("description", preds)
                                    .unwrap_or_else(|| "[n/a]".into()),
                            ],
                            'v' => vec![
                                pkg.property("version", preds)
                                    .unwrap_or_else(|| "[unspecified]".into()),
                            ],
                            'a' => split::words(&prop("archive"))
                                .into_iter()
                                .map(str::to_string)
                                .collect(),
                            'A' => vec![split::words(&prop("archive")).join(" ")],
                            'o' => split::words_ws(&prop("linkopts"))
                                .into_iter()
                                .map(str::to_string)
                                .collect(),
                            'O' => vec![split::words_ws(&prop("linkopts")).join(" ")],
                            _ => {
                                return Err(Error::BadFormat {
                                    format: format.to_string(),
                                });
                            }
                        };
                        if *is_plus {
                            values.into_iter().map(plus).collect::<Result<Vec<_>>>()?
                        } else {
                            values
                        }
                    }
                };
                partial = partial
                    .iter()
                    .flat_map(|prefix| choices.iter().map(move |c| format!("{prefix}{c}")))
                    .collect();
            }
            answers.extend(partial);
        }
        Ok(answers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conf::Config;
    use std::fs;

    fn db() -> (tempfile::TempDir, String, Findlib) {
        let t = tempfile::tempdir().unwrap();
        let lib = t.path().join("lib");
        fs::create_dir_all(lib.join("a")).unwrap();
        fs::write(
            lib.join("a/META"),
            "version = \"1.2\"\narchive(byte) = \"a.cma +b.cma\"\nlinkopts = \"-x -y\"\nppx = \"./p\"",
        )
        .unwrap();
        let lib = lib.to_string_lossy().into_owned();
        let f = Findlib::new(Config::from_parts(&[&lib], "/std"));
        (t, lib, f)
    }

    fn byte() -> Predicates {
        ["byte"].into_iter().collect()
    }

    #[test]
    fn simple_fields_expand() {
        let (_t, lib, f) = db();
        let out = f
            .query_format(&["a"], &byte(), "%p %v %D %d %m %%")
            .unwrap();
        assert_eq!(out, vec![format!("a 1.2 [n/a] {lib}/a {lib}/a/META %")]);
    }

    #[test]
    fn multi_valued_fields_give_one_answer_each() {
        let (_t, lib, f) = db();
        assert_eq!(
            f.query_format(&["a"], &byte(), "[%a]").unwrap(),
            vec!["[a.cma]", "[+b.cma]"]
        );
        assert_eq!(
            f.query_format(&["a"], &byte(), "%+a").unwrap(),
            vec![format!("{lib}/a/a.cma"), "/std/b.cma".to_string()]
        );
        assert_eq!(
            f.query_format(&["a"], &byte(), "%A|%O").unwrap(),
            vec!["a.cma +b.cma|-x -y"]
        );
        assert!(
            f.query_format(&["a"], &Predicates::new(), "%a")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn variables_are_looked_up_by_name() {
        let (_t, lib, f) = db();
        assert_eq!(
            f.query_format(&["a"], &byte(), "%(ppx)|%+(ppx)|%(nope)")
                .unwrap(),
            vec![format!("./p|{lib}/a/./p|")]
        );
    }

    #[test]
    fn malformed_formats_are_errors() {
        let (_t, _lib, f) = db();
        for bad in ["%", "%x", "%(abc", "%+", "%+%", "%++"] {
            assert!(
                matches!(
                    f.query_format(&["a"], &byte(), bad),
                    Err(Error::BadFormat { .. })
                ),
                "{bad}"
            );
        }
    }
}
