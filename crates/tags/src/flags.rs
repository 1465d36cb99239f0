//! Flag and dependency declarations attached to tag sets, and the order in
//! which a command's flags come out.
//!
//! - `flag(tags, flags)` applies to a command whose tags include `tags`;
//!   matching declarations are concatenated in declaration order.
//! - `pflag(tags, "warn", f)` declares the parametrised tag `warn`: for each
//!   applied tag `warn(P)` that the configuration *acknowledges* (see
//!   [`Declarations::instantiate`]), an ordinary declaration
//!   `flag(tags + warn(P), f(P))` is appended, once per parameter. So
//!   parametrised flags come after all ordinary ones, in acknowledgement
//!   order: the newest `_tags` line first, a line's tags in written order.
//! - `dep`/`pdep` do the same for dependencies.

use crate::location::quote;
use crate::parser::LocatedTag;
use crate::pretty::{BoxKind, Printer};
use crate::tag::Tag;
use crate::tag_set::TagSet;
use crate::warning::{Warning, WarningKind};
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

/// A parameter-to-values function. `Err(message)` rejects the parameter
/// (ocamlbuild's `Invalid_argument`).
pub type ParamFn<T> = Arc<dyn Fn(&str) -> std::result::Result<Vec<T>, String> + Send + Sync>;

/// An ordinary declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration<T> {
    /// The tags a command must have.
    pub tags: TagSet,
    /// What the declaration contributes.
    pub values: Vec<T>,
    /// Declared as deprecated (only affects the documentation).
    pub deprecated: bool,
}

/// A parametrised declaration.
pub struct ParamDeclaration<T> {
    /// The other tags a command must have.
    pub tags: TagSet,
    /// The parametrised tag's name (`warn` for `warn(P)`).
    pub name: String,
    /// Parameter shown by the documentation (`X` when absent).
    pub doc_param: Option<String>,
    make: ParamFn<T>,
    instances: BTreeSet<String>,
}

impl<T> fmt::Debug for ParamDeclaration<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParamDeclaration")
            .field("tags", &self.tags)
            .field("name", &self.name)
            .field("doc_param", &self.doc_param)
            .field("instances", &self.instances)
            .finish()
    }
}

impl<T> Clone for ParamDeclaration<T> {
    fn clone(&self) -> Self {
        ParamDeclaration {
            tags: self.tags.clone(),
            name: self.name.clone(),
            doc_param: self.doc_param.clone(),
            make: Arc::clone(&self.make),
            instances: self.instances.clone(),
        }
    }
}

/// The flag and dependency tables. `F` is what a flag is (a command-line
/// word by default; a richer type if the caller needs quoting information).
#[derive(Debug, Clone)]
pub struct Declarations<F = String> {
    flags: Vec<Declaration<F>>,
    pflags: Vec<ParamDeclaration<F>>,
    deps: Vec<Declaration<String>>,
    pdeps: Vec<ParamDeclaration<String>>,
    marked_used: TagSet,
    /// Parametrised tags that give no flag but are read by the build
    /// itself ([`Declarations::known_parametrised`]).
    read_params: Vec<String>,
    memo: FlagMemo<F>,
}

impl<F> Default for Declarations<F> {
    fn default() -> Self {
        Declarations {
            flags: Vec::new(),
            pflags: Vec::new(),
            deps: Vec::new(),
            pdeps: Vec::new(),
            marked_used: TagSet::new(),
            read_params: Vec::new(),
            memo: FlagMemo::default(),
        }
    }
}

/// The answers of [`Declarations::flags_of`], by the part of the command's
/// tags that some flag declaration mentions: that part alone decides the
/// answer, and few distinct ones occur in a build (a command's `file:` and
/// `extension:` tags, which make its whole set unique, are seldom in it).
/// Emptied whenever a flag declaration is added.
struct FlagMemo<F> {
    mentioned: OnceLock<TagSet>,
    answers: Mutex<HashMap<TagSet, Vec<F>>>,
}

impl<F> Default for FlagMemo<F> {
    fn default() -> Self {
        FlagMemo {
            mentioned: OnceLock::new(),
            answers: Mutex::new(HashMap::new()),
        }
    }
}

impl<F> Clone for FlagMemo<F> {
    fn clone(&self) -> Self {
        FlagMemo::default()
    }
}

impl<F> fmt::Debug for FlagMemo<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FlagMemo")
    }
}

fn tag_set<I, T>(tags: I) -> TagSet
where
    I: IntoIterator<Item = T>,
    T: Into<Tag>,
{
    tags.into_iter().collect()
}

fn matching<'a, T>(decls: &'a [Declaration<T>], tags: &'a TagSet) -> impl Iterator<Item = &'a T> {
    decls
        .iter()
        .filter(move |d| d.tags.is_subset(tags))
        .flat_map(|d| d.values.iter())
}

/// Declares the instances of `decls` named `name` for parameter `param`.
fn instantiate_one<T>(
    decls: &mut [ParamDeclaration<T>],
    out: &mut Vec<Declaration<T>>,
    name: &str,
    param: &str,
) -> crate::Result<bool> {
    let mut found = false;
    for d in decls.iter_mut().filter(|d| d.name == name) {
        found = true;
        if d.instances.insert(param.to_string()) {
            let values = (d.make)(param).map_err(crate::Error::InvalidArgument)?;
            let mut tags = d.tags.clone();
            tags.insert(Tag::parametrised(name, param));
            out.push(Declaration {
                tags,
                values,
                deprecated: false,
            });
        }
    }
    Ok(found)
}

impl<F: Clone> Declarations<F> {
    /// Empty tables.
    pub fn new() -> Declarations<F> {
        Declarations::default()
    }

    /// `flag tags flags`.
    pub fn flag<I, T>(&mut self, tags: I, flags: Vec<F>)
    where
        I: IntoIterator<Item = T>,
        T: Into<Tag>,
    {
        self.memo = FlagMemo::default();
        self.flags.push(Declaration {
            tags: tag_set(tags),
            values: flags,
            deprecated: false,
        });
    }

    /// `flag ~deprecated:true tags flags`.
    pub fn deprecated_flag<I, T>(&mut self, tags: I, flags: Vec<F>)
    where
        I: IntoIterator<Item = T>,
        T: Into<Tag>,
    {
        self.memo = FlagMemo::default();
        self.flags.push(Declaration {
            tags: tag_set(tags),
            values: flags,
            deprecated: true,
        });
    }

    /// `pflag tags name f`: declares the parametrised tag `name`.
    pub fn pflag<I, T>(
        &mut self,
        tags: I,
        name: &str,
        make: impl Fn(&str) -> Vec<F> + Send + Sync + 'static,
    ) where
        I: IntoIterator<Item = T>,
        T: Into<Tag>,
    {
        self.pflag_checked(tags, name, None, move |p| Ok(make(p)));
    }

    /// `pflag ?doc_param tags name f` with a function that may reject its
    /// parameter (the rejection becomes [`crate::Error::InvalidArgument`]
    /// when the tag is acknowledged).
    pub fn pflag_checked<I, T>(
        &mut self,
        tags: I,
        name: &str,
        doc_param: Option<&str>,
        make: impl Fn(&str) -> std::result::Result<Vec<F>, String> + Send + Sync + 'static,
    ) where
        I: IntoIterator<Item = T>,
        T: Into<Tag>,
    {
        self.pflags.push(ParamDeclaration {
            tags: tag_set(tags),
            name: name.to_string(),
            doc_param: doc_param.map(str::to_string),
            make: Arc::new(make),
            instances: BTreeSet::new(),
        });
    }

    /// `dep tags paths`: build `paths` before any command with `tags`.
    pub fn dep<I, T>(&mut self, tags: I, paths: Vec<String>)
    where
        I: IntoIterator<Item = T>,
        T: Into<Tag>,
    {
        self.deps.push(Declaration {
            tags: tag_set(tags),
            values: paths,
            deprecated: false,
        });
    }

    /// `pdep tags name f`.
    pub fn pdep<I, T>(
        &mut self,
        tags: I,
        name: &str,
        make: impl Fn(&str) -> Vec<String> + Send + Sync + 'static,
    ) where
        I: IntoIterator<Item = T>,
        T: Into<Tag>,
    {
        self.pdeps.push(ParamDeclaration {
            tags: tag_set(tags),
            name: name.to_string(),
            doc_param: None,
            make: Arc::new(move |p| Ok(make(p))),
            instances: BTreeSet::new(),
        });
    }

    /// `mark_tag_used tag`: never warn that `tag` is unused.
    pub fn mark_tag_used(&mut self, tag: impl Into<Tag>) {
        self.marked_used.insert(tag);
    }

    /// Declares `name` a parametrised tag that the build reads itself
    /// and that gives no flag (caravan's `namespace(Foo)`): `name(P)`
    /// raises no warning and counts as used, `name` alone warns that it
    /// expects a parameter, and it is not in the documentation, which is
    /// ocamlbuild's.
    pub fn known_parametrised(&mut self, name: &str) {
        if !self.read_params.iter().any(|n| n == name) {
            self.read_params.push(name.to_string());
        }
    }

    /// Is `name` declared as a parametrised tag (by `pflag` or `pdep`, or
    /// as [`Declarations::known_parametrised`])?
    pub fn is_parametrised(&self, name: &str) -> bool {
        self.pflags.iter().any(|d| d.name == name)
            || self.pdeps.iter().any(|d| d.name == name)
            || self.read_params.iter().any(|n| n == name)
    }

    /// Acknowledges `tag` (ocamlbuild's `Param_tags.really_acknowledge`):
    /// declares the instances of an applied tag, or warns about misuse.
    fn acknowledge(
        &mut self,
        tag: &Tag,
        location: Option<&crate::location::Location>,
        quiet: bool,
        warnings: &mut Vec<Warning>,
    ) -> crate::Result<()> {
        let Some((name, param)) = tag.split() else {
            return Ok(());
        };
        match param {
            None => {
                if self.is_parametrised(name) && !quiet {
                    warnings.push(Warning {
                        location: location.cloned(),
                        kind: WarningKind::ExpectsParameter(name.to_string()),
                    });
                }
            }
            Some(param) => {
                let known = self.is_parametrised(name);
                if !known && !quiet {
                    warnings.push(Warning {
                        location: location.cloned(),
                        kind: WarningKind::UnexpectedParameter {
                            name: name.to_string(),
                            param: param.to_string(),
                        },
                    });
                }
                if self.read_params.iter().any(|n| n == name) {
                    self.marked_used.insert(Tag::parametrised(name, param));
                }
                self.memo = FlagMemo::default();
                instantiate_one(&mut self.pflags, &mut self.flags, name, param)?;
                instantiate_one(&mut self.pdeps, &mut self.deps, name, param)?;
            }
        }
        Ok(())
    }

    /// ocamlbuild's `Param_tags.init`: goes through `acknowledged` (from
    /// [`crate::Configuration::acknowledged_tags`]) in order, skipping exact
    /// repeats (same tag at the same location), and for each tag either
    /// declares the flags and dependencies of its parameter or appends a
    /// warning (`tag "X" expects a parameter`, `tag "X" does not expect a
    /// parameter, but is used with parameter "P"`).
    pub fn instantiate(
        &mut self,
        acknowledged: &[LocatedTag],
        warnings: &mut Vec<Warning>,
    ) -> crate::Result<()> {
        let mut seen: std::collections::HashSet<&LocatedTag> = std::collections::HashSet::new();
        for t in acknowledged {
            // Experiment: the same -tag-line given twice warns once.
            if !seen.insert(t) {
                continue;
            }
            self.acknowledge(&t.tag, Some(&t.location), false, warnings)?;
        }
        Ok(())
    }

    /// ocamlbuild's `Param_tags.partial_init`: acknowledges tags that have
    /// no location (plugin tags, tags added by a rule). Warnings have no
    /// location line; `quiet` suppresses them.
    pub fn instantiate_unlocated(
        &mut self,
        tags: &TagSet,
        quiet: bool,
        warnings: &mut Vec<Warning>,
    ) -> crate::Result<()> {
        for t in tags {
            self.acknowledge(t, None, quiet, warnings)?;
        }
        Ok(())
    }

    /// The flags of a command tagged `tags`, in declaration order.
    ///
    /// ```
    /// use tags::{Declarations, TagSet};
    /// let mut d: Declarations = Declarations::new();
    /// d.flag(["ocaml", "compile", "debug"], vec!["-g".into()]);
    /// d.flag(["ocaml", "compile", "thread"], vec!["-thread".into()]);
    /// d.pflag(["ocaml", "compile"], "package", |p| vec!["-package".into(), p.into()]);
    /// let cmd: TagSet = ["ocaml", "compile", "thread", "debug", "package(unix)"].into_iter().collect();
    /// assert_eq!(d.flags_of(&cmd), ["-g", "-thread"]); // nothing acknowledged yet
    /// ```
    pub fn flags_of(&self, tags: &TagSet) -> Vec<F> {
        let mentioned = self.memo.mentioned.get_or_init(|| {
            let mut all = TagSet::new();
            for d in &self.flags {
                all.union_with(&d.tags);
            }
            all
        });
        let key: TagSet = tags
            .iter()
            .filter(|t| mentioned.contains_tag(t))
            .cloned()
            .collect();
        if let Ok(answers) = self.memo.answers.lock()
            && let Some(flags) = answers.get(&key)
        {
            return flags.clone();
        }
        let flags: Vec<F> = matching(&self.flags, &key).cloned().collect();
        if let Ok(mut answers) = self.memo.answers.lock() {
            answers.insert(key, flags.clone());
        }
        flags
    }

    /// The dependencies of a command tagged `tags`, in declaration order.
    pub fn deps_of(&self, tags: &TagSet) -> Vec<String> {
        matching(&self.deps, tags).cloned().collect()
    }

    /// Every tag mentioned by a declaration, plus the tags marked used.
    pub fn used_tags(&self) -> TagSet {
        let mut used = self.marked_used.clone();
        for d in &self.flags {
            used.union_with(&d.tags);
        }
        for d in &self.deps {
            used.union_with(&d.tags);
        }
        used
    }

    /// The ordinary flag declarations, in order (instances of parametrised
    /// ones included, after their acknowledgement).
    pub fn flag_declarations(&self) -> &[Declaration<F>] {
        &self.flags
    }

    /// The parametrised flag declarations, in order.
    pub fn param_flag_declarations(&self) -> &[ParamDeclaration<F>] {
        &self.pflags
    }

    /// The dependency declarations, in order.
    pub fn dep_declarations(&self) -> &[Declaration<String>] {
        &self.deps
    }

    /// The flag part of `ocamlbuild -documentation`: parametrised flags,
    /// then deprecated flags, then ordinary flags, each group newest first,
    /// every entry followed by an empty line. `render` turns a declaration's
    /// flags into the quoted string ocamlbuild shows.
    pub fn documentation(&self, render: impl Fn(&[F]) -> String) -> String {
        let mut p = Printer::new();
        for d in self.pflags.iter().rev() {
            let param = d.doc_param.as_deref().unwrap_or("X");
            let tags = d.tags.clone().with(Tag::parametrised(&d.name, param));
            let text = match (d.make)(param) {
                Ok(v) => render(&v),
                Err(e) => format!("<documentation error: Invalid_argument({})>", quote(&e)),
            };
            documentation_entry_into(&mut p, "parametrized flag", &tags, &text);
        }
        for d in self.flags.iter().rev().filter(|d| d.deprecated) {
            documentation_entry_into(&mut p, "deprecated flag", &d.tags, &render(&d.values));
        }
        for d in self.flags.iter().rev().filter(|d| !d.deprecated) {
            documentation_entry_into(&mut p, "flag", &d.tags, &render(&d.values));
        }
        p.flush_newline();
        p.finish()
    }
}

fn documentation_entry_into(p: &mut Printer, header: &str, tags: &TagSet, flags: &str) {
    // `@[<2>%s@ {. %a .}@ %S@]@\n@\n`
    p.open_box(2, BoxKind::Structural);
    p.text(header);
    p.brk(1, 0);
    p.text("{. ");
    tags.print_elements(p);
    p.text(" .}");
    p.brk(1, 0);
    p.text(&quote(flags));
    p.close_box();
    p.force_newline();
    p.force_newline();
}

/// One entry of `ocamlbuild -documentation` as printed on its own, e.g.
/// `flag {. compile, debug, ocaml .} "-g"` and an empty line (long entries
/// wrap the way Format wraps them).
pub fn documentation_entry(header: &str, tags: &TagSet, flags: &str) -> String {
    let mut p = Printer::new();
    documentation_entry_into(&mut p, header, tags, flags);
    p.flush_newline();
    let mut out = p.finish();
    // The flush adds a newline of its own; an entry ends with one empty line.
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::configuration::Configuration;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn decls() -> Declarations {
        let mut d: Declarations = Declarations::new();
        d.flag(["ocaml", "compile", "debug"], s(&["-g"]));
        d.flag(["ocaml", "compile", "thread"], s(&["-thread"]));
        d.pflag(["ocaml", "compile"], "for-pack", |p| s(&["-for-pack", p]));
        d.pflag(["ocaml", "compile"], "package", |p| s(&["-package", p]));
        d.pflag(["ocaml", "link"], "package", |p| s(&["-package", p]));
        d.pflag(["ocaml", "compile"], "warn", |p| s(&["-w", p]));
        d
    }

    #[test]
    fn a_parametrised_tag_read_by_the_build_is_known_used_and_undocumented() {
        let mut d = decls();
        let before = d.documentation(|v| v.join(" "));
        d.known_parametrised("namespace");
        let mut tags = TagSet::new();
        tags.insert(Tag::parametrised("namespace", "Foo"));
        let mut warnings = Vec::new();
        d.instantiate_unlocated(&tags, false, &mut warnings)
            .expect("no flag to make");
        assert!(warnings.is_empty());
        assert!(d.used_tags().contains("namespace(Foo)"));
        assert!(d.is_parametrised("namespace"));
        assert_eq!(d.documentation(|v| v.join(" ")), before);
        let mut bare = TagSet::new();
        bare.insert("namespace");
        d.instantiate_unlocated(&bare, false, &mut warnings)
            .expect("a warning only");
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn parametrised_flags_follow_the_observed_order() {
        // §c: `true: package(unix), package(str), debug, warn(+a-4), thread`
        // then `<b.ml>: for-pack(Foo)` gives
        // `-g -thread -for-pack Foo -package unix -package str -w +a-4`.
        let mut c = Configuration::new();
        assert!(
            c.add_tags_file(
                "",
                b"true: package(unix), package(str), debug, warn(+a-4), thread\n<b.ml>: for-pack(Foo)\n"
            )
            .is_ok()
        );
        let mut d = decls();
        let mut w = Vec::new();
        assert!(d.instantiate(&c.acknowledged_tags(), &mut w).is_ok());
        assert!(w.is_empty(), "{w:?}");
        let cmd = c.tags_of("b.ml").with("ocaml").with("compile").with("byte");
        assert_eq!(
            d.flags_of(&cmd),
            s(&[
                "-g",
                "-thread",
                "-for-pack",
                "Foo",
                "-package",
                "unix",
                "-package",
                "str",
                "-w",
                "+a-4"
            ])
        );
        let link = c.tags_of("b.byte").with("ocaml").with("link");
        assert_eq!(
            d.flags_of(&link),
            s(&["-package", "unix", "-package", "str"])
        );
    }

    #[test]
    fn a_parameter_is_declared_once_even_if_seen_twice() {
        let mut c = Configuration::new();
        assert!(
            c.add_tags_file("", b"true: warn(x)\n<a>: warn(x)\n")
                .is_ok()
        );
        let mut d = decls();
        let mut w = Vec::new();
        assert!(d.instantiate(&c.acknowledged_tags(), &mut w).is_ok());
        let cmd: TagSet = ["ocaml", "compile", "warn(x)"].into_iter().collect();
        assert_eq!(d.flags_of(&cmd), s(&["-w", "x"]));
    }

    #[test]
    fn misused_parameters_warn_in_acknowledgement_order() {
        // Experiment: `true: package(a), pp\ntrue: package(b), warn` gives the
        // warnings for package(b), warn, package(a), pp, in that order.
        let mut c = Configuration::new();
        assert!(
            c.add_tags_file("", b"true: package(a), pp\ntrue: package(b), warn\n")
                .is_ok()
        );
        let mut d: Declarations = Declarations::new();
        d.pflag(["ocaml"], "warn", |p| s(&["-w", p]));
        d.pflag(["ocaml"], "pp", |p| s(&["-pp", p]));
        let mut w = Vec::new();
        assert!(d.instantiate(&c.acknowledged_tags(), &mut w).is_ok());
        let texts: Vec<String> = w.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [
                "File \"_tags\", line 2, characters 6-16:\nWarning: tag \"package\" does not expect a parameter, but is used with parameter \"b\"",
                "File \"_tags\", line 2, characters 18-22:\nWarning: tag \"warn\" expects a parameter",
                "File \"_tags\", line 1, characters 6-16:\nWarning: tag \"package\" does not expect a parameter, but is used with parameter \"a\"",
                "File \"_tags\", line 1, characters 18-20:\nWarning: tag \"pp\" expects a parameter",
            ]
        );
    }

    #[test]
    fn a_rejected_parameter_is_an_invalid_argument() {
        let mut d: Declarations = Declarations::new();
        d.pflag_checked(["ocaml"], "optimize", None, |p| match p {
            "2" | "3" => Ok(vec![format!("-O{p}")]),
            _ => Err(format!("optimize: {p}")),
        });
        let mut w = Vec::new();
        let tags: TagSet = ["optimize(4)"].into_iter().collect();
        let r = d.instantiate_unlocated(&tags, false, &mut w);
        assert_eq!(r, Err(crate::Error::InvalidArgument("optimize: 4".into())));
    }

    #[test]
    fn deps_and_used_tags() {
        let mut d = decls();
        d.dep(["ocaml", "link", "use_foo"], s(&["foo.cma"]));
        d.pdep(["ocaml"], "needs", |p| s(&[p]));
        d.mark_tag_used("custom");
        let mut w = Vec::new();
        let tags: TagSet = ["needs(x.ml)"].into_iter().collect();
        assert!(d.instantiate_unlocated(&tags, false, &mut w).is_ok());
        let cmd: TagSet = ["ocaml", "link", "use_foo", "needs(x.ml)"]
            .into_iter()
            .collect();
        assert_eq!(d.deps_of(&cmd), s(&["foo.cma", "x.ml"]));
        let used = d.used_tags();
        for t in ["use_foo", "custom", "needs(x.ml)", "debug"] {
            assert!(used.contains(t), "{t}");
        }
        assert!(!used.contains("package(unix)"));
    }

    #[test]
    fn documentation_entries_wrap_like_ocamlbuild() {
        let tags: TagSet = ["afl_inst_ratio(50)", "compile", "native", "ocaml"]
            .into_iter()
            .collect();
        assert_eq!(
            documentation_entry("parametrized flag", &tags, "-afl-inst-ratio 50"),
            "parametrized flag {. afl_inst_ratio(50), compile, native, ocaml .}\n  \"-afl-inst-ratio 50\"\n\n"
        );
    }
}
