//! The list files of ocamlbuild's rules (`.mllib`, `.mlpack`, `.mldylib`,
//! `.mltop`, `.clib`, `.itarget`, `.mlypack`, `.odocl`) and the lookup of
//! the modules they name.
//!
//! A list file is read as ocamlbuild's `string_list_of_file` reads it: words
//! separated by blanks and newlines, where a word starting with `#` comments
//! out the rest of its line. A module entry is a module name (`Foo`, `foo`)
//! or a path to one (`sub/Foo`). It is looked up from the list file's
//! directory, or from `foo/` when the tree has a directory named like the
//! list file (`foo.mllib` next to `foo/`), as ocamlbuild does: a name is
//! resolved like a module mentioned in a source of that directory, a path
//! is tried under that directory then under each include directory.

use engine::{Result, Target, TaskCx};

use super::context::RuleContext;
use crate::module_name::{capitalize, uncapitalize};
use crate::project::Project;
use crate::resolver::{ModuleSource, Resolver};
use crate::rule_error::{Category, RuleError};

/// The words of a list file.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.split(['\n', '\r']) {
        for word in line.split([' ', '\t', '\x0c']).filter(|w| !w.is_empty()) {
            if word.starts_with('#') {
                break;
            }
            out.push(word.to_string());
        }
    }
    out
}

/// The `.mlpack` of a pack module.
pub fn mlpack_of(m: &ModuleSource) -> Target {
    Target::new(&format!("{}.mlpack", m.stem))
}

/// Builds (imports) the list file `file` and returns its words.
pub async fn read(tcx: &TaskCx, file: &Target) -> Result<Vec<String>> {
    tcx.need_one(file).await?;
    let bytes = tcx.read(file)?;
    Ok(words(&String::from_utf8_lossy(&bytes)))
}

/// `foo.mllib` → `foo`.
pub fn stem_of(path: &str) -> &str {
    let name_start = path.rfind('/').map(|i| i + 1).unwrap_or(0);
    match path[name_start..].rfind('.') {
        Some(i) => &path[..name_start + i],
        None => path,
    }
}

/// The directory the modules of list file `list` are looked up from.
pub fn lookup_dir(cx: &RuleContext, list: &Target) -> String {
    lookup_dir_in(&cx.project, list.as_str())
}

/// [`lookup_dir`] over a project, before any rule context exists.
pub fn lookup_dir_in(project: &Project, list: &str) -> String {
    let stem = stem_of(list);
    if project.dirs.iter().any(|d| d == stem) {
        stem.to_string()
    } else {
        Target::new(list).dir().to_string()
    }
}

/// The module an entry names, seen from `dir`.
pub fn resolve_entry(cx: &RuleContext, entry: &str, dir: &str) -> Option<ModuleSource> {
    resolve_entry_in(&cx.resolver, &cx.project, entry, dir)
}

/// [`resolve_entry`] over a resolver and a project, before any rule
/// context exists.
pub fn resolve_entry_in(
    resolver: &Resolver,
    project: &Project,
    entry: &str,
    dir: &str,
) -> Option<ModuleSource> {
    let (prefix, name) = match entry.rfind('/') {
        Some(i) => (&entry[..i], &entry[i + 1..]),
        None => ("", entry),
    };
    let name = capitalize(name);
    if prefix.is_empty() {
        return resolver.resolve(&name, dir);
    }
    for d in project.include_dirs_of(dir) {
        for base in [uncapitalize(&name), name.clone()] {
            let stem = if d.is_empty() {
                format!("{prefix}/{base}")
            } else {
                format!("{d}/{prefix}/{base}")
            };
            if let Some(m) = resolver.module_at(&stem) {
                return Some(m);
            }
        }
    }
    None
}

/// The files `entry` may name with extension `ext`, seen from a list file
/// whose include directories are `dirs` (its own first): for each
/// directory, `dir/sub/m.ext` then `dir/sub/M.ext`, as ocamlbuild's
/// `expand_module` tries them. Used by the lists of files that are not
/// modules to compile (`.mlypack` grammars, `.odocl` documentation).
pub fn candidates(dirs: &[&str], entry: &str, ext: &str) -> Vec<String> {
    let (sub, name) = match entry.rsplit_once('/') {
        Some((s, n)) => (Some(s), n),
        None => (None, entry),
    };
    let mut out = Vec::new();
    for dir in dirs {
        let mut prefix = dir.to_string();
        if let Some(s) = sub {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(s);
        }
        for base in [uncapitalize(name), capitalize(name)] {
            let path = if prefix.is_empty() {
                format!("{base}.{ext}")
            } else {
                format!("{prefix}/{base}.{ext}")
            };
            if !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

/// The modules listed in `list`, each once, in list order. Every entry must
/// name a module with an implementation (an `.ml` or an `.mlpack`).
pub async fn modules(tcx: &TaskCx, cx: &RuleContext, list: &Target) -> Result<Vec<ModuleSource>> {
    let entries = read(tcx, list).await?;
    resolve_entries(cx, &entries, list)
}

/// The modules `entries` name, each once, in order, looked up as the
/// entries of a list file at `list` are (a plugin's
/// `Ocaml_compiler.*_modules` actions give them without a file).
pub fn resolve_entries(
    cx: &RuleContext,
    entries: &[String],
    list: &Target,
) -> Result<Vec<ModuleSource>> {
    let dir = lookup_dir(cx, list);
    let mut out: Vec<ModuleSource> = Vec::new();
    for entry in entries {
        let m = resolve_entry(cx, entry, &dir).ok_or_else(|| {
            let place = if dir.is_empty() {
                "the project root".to_string()
            } else {
                format!("{dir}/")
            };
            RuleError::new(
                Category::MissingSource,
                format!(
                    "{list} lists the module {entry}, which caravan cannot find: there is no \
                     {}.ml (or .mlpack) seen from {place}.\nHint: check the spelling; a module \
                     in another folder is written with its path (sub/{}), or that folder is \
                     added with -I or an `include` tag.",
                    uncapitalize(entry.rsplit('/').next().unwrap_or(entry)),
                    capitalize(entry.rsplit('/').next().unwrap_or(entry)),
                ),
            )
        })?;
        if !m.is_linkable() {
            return Err(RuleError::new(
                Category::MissingSource,
                format!(
                    "{list} lists the module {entry}, but {}.mli has no implementation \
                     ({}.ml or {}.mlpack) to put in it.\nHint: remove the entry, or add the \
                     implementation.",
                    m.stem, m.stem, m.stem
                ),
            )
            .into());
        }
        if !out.iter().any(|o| o.stem == m.stem) {
            out.push(m);
        }
    }
    // A namespaced library's archive holds its alias modules and the
    // members' prefixed copies instead of the user's modules.
    if let Some(ns) = cx.namespaces.of_mllib(list.as_str()) {
        return Ok(cx.namespaces.archive_modules(ns, out, &cx.resolver));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_blank_separated_and_hash_comments_a_line() {
        assert_eq!(
            words("A B\n# comment C\n  sub/D # E F\r\nG\tH"),
            ["A", "B", "sub/D", "G", "H"]
        );
        assert_eq!(words("a#b c"), ["a#b", "c"]);
        assert!(words("").is_empty());
    }

    #[test]
    fn candidates_follow_expand_module() {
        assert_eq!(
            candidates(&["", "lib"], "Foo", "mly"),
            ["foo.mly", "Foo.mly", "lib/foo.mly", "lib/Foo.mly"]
        );
        assert_eq!(
            candidates(&["src"], "sub/Bar", "odoc"),
            ["src/sub/bar.odoc", "src/sub/Bar.odoc"]
        );
    }

    #[test]
    fn stems_drop_the_last_extension() {
        assert_eq!(stem_of("foo.mllib"), "foo");
        assert_eq!(stem_of("lib/foo.mllib"), "lib/foo");
        assert_eq!(stem_of("a.b/foo"), "a.b/foo");
    }
}

#[cfg(test)]
mod rule_tests {
    use crate::rules::testing::Fixture;

    #[test]
    fn entries_are_looked_up_in_the_list_folder_then_the_include_folders() {
        let setup = Fixture::new(&[
            ("lib/x.ml", ""),
            ("lib/Y.ml", ""),
            ("inc/z.ml", ""),
            ("lib/all.mllib", "X Y Z\n"),
        ])
        .tags("<inc>: include\n")
        .context();
        let cx = setup.cx();
        let list = engine::Target::new("lib/all.mllib");
        let dir = super::lookup_dir(cx, &list);
        assert_eq!(dir, "lib");
        let found: Vec<String> = ["X", "Y", "Z", "W"]
            .iter()
            .map(|e| super::resolve_entry(cx, e, &dir).map(|m| m.stem))
            .map(|s| s.unwrap_or_else(|| "-".into()))
            .collect();
        assert_eq!(found, ["lib/x", "lib/Y", "inc/z", "-"]);
    }
}
