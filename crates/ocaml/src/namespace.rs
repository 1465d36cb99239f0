//! Namespaced libraries ([`Namespaces`]): a library whose modules compile
//! as `Foo__Bar` behind a generated alias module `Foo` (`module Bar =
//! Foo__Bar`), as dune's wrapped libraries, instead of a `-pack`.
//!
//! A library `d/lib.mllib` is declared namespaced as `Foo` by the `_tags`
//! tag `namespace(Foo)` on its `.mllib` (or on its `.cma`/`.cmxa`), or by
//! whoever builds the list of `ProjectLibrary` values setting their
//! `namespace` (see `rules::libraries::namespace_declarations`); the rules
//! look the members up (`rules::rule_setup`). Then, in `_build`:
//!
//! - each module the `.mllib` lists (`sub/Bar` names `d/sub/bar.ml`) is a
//!   *member*: `d/sub/foo__Bar.ml` (and `.mli`) is a copy of its source
//!   that starts with the line directive `# 1 "d/sub/bar.ml"`, so the
//!   compiler's messages name the user's file. A member's source may be
//!   generated (ocamllex, a parser generator): the copy is made from the
//!   generated `.ml`.
//! - `d/foo.ml`, the *public alias module*, holds `module Bar = Foo__Bar`
//!   for each *public* member: those in the library's folder `d`. Members
//!   in sub-folders are *private* (the seed's convention: a library's
//!   sub-folders are private), compiled with the prefix but not listed
//!   there, so `Foo.Secret` is unbound outside the library.
//! - `d/foo__.ml`, the *internal alias module*, lists every member; the
//!   members are compiled with `-open Foo__`, so inside the library `Baz`
//!   means `Foo__Baz`, private members included. Both alias modules are
//!   compiled with `-no-alias-deps -w -49`: they need no member's `.cmi`,
//!   and nothing changes in them when a member changes.
//!
//! Dependencies ([`Namespaces::expand`]): a member's `Baz` is the member
//! `Foo__Baz` (plus `Foo__`); elsewhere, `Foo.Bar` is `Foo` (the alias
//! module only) plus `Foo__Bar`, so an edit of one member recompiles the
//! modules that name it, not every user of `Foo`. After `open Foo`, a name
//! that is a public member of `Foo` also means that member. Where the scan
//! is not precise (`ocamldep` ran, for a preprocessor) or `Foo` is used as
//! a whole (`module M = Foo`, `include Foo`, `F(Foo)`), `Foo` means all its
//! public members.

use rustc_hash::FxHashMap;

use crate::module_name::{capitalize, is_valid, uncapitalize};
use crate::module_refs::ModuleRefs;
use crate::project::Project;
use crate::resolver::{ModuleSource, Resolver};

/// The tag that declares a library namespaced: `namespace(Foo)`.
pub const TAG: &str = "namespace";

/// A namespaced library as declared: its name and the entries of its
/// `.mllib`, before they are looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// The namespace, a module name (`Foo`).
    pub name: String,
    /// The library's `.mllib` (`d/lib.mllib`).
    pub mllib: String,
    /// The entries of the `.mllib` (`Bar`, `sub/Secret`).
    pub entries: Vec<String>,
}

/// The problem with a namespace name, if it is not one: it must be a
/// module name (`Foo`, `foo` is taken as `Foo`) without `__`.
pub fn name_problem(name: &str) -> Option<String> {
    let module = capitalize(name);
    if !is_valid(&module) {
        return Some(format!(
            "{name} is not a module name (a letter, then letters, digits, _ or ')"
        ));
    }
    if module.contains("__") {
        return Some(format!(
            "{name} contains __, which separates a namespace from its members"
        ));
    }
    None
}

/// The files that would clash with the alias modules of namespace `name`
/// for a library in `dir`: sources of a module `d/foo` or `d/foo__`.
pub fn clashing_sources(project: &Project, dir: &str, name: &str) -> Vec<String> {
    let stems = [
        in_dir(dir, &uncapitalize(&capitalize(name))),
        in_dir(dir, &format!("{}__", uncapitalize(&capitalize(name)))),
    ];
    project
        .files
        .iter()
        .filter(|f| {
            f.rsplit_once('.').is_some_and(|(stem, ext)| {
                stems.iter().any(|s| s == stem)
                    && matches!(ext, "ml" | "mli" | "mll" | "mly" | "mlpack")
            })
        })
        .cloned()
        .collect()
}

/// `dir/file`, or `file` at the root.
pub fn in_dir(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

/// A module of a namespaced library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Its name inside the library (`Bar`).
    pub name: String,
    /// The stem of the user's source (`d/bar`).
    pub source: String,
    /// The stem of its copy in `_build` (`d/foo__Bar`).
    pub stem: String,
    /// Whether it is in the library's folder, and so in the public alias
    /// module.
    pub public: bool,
    /// Whether the source module has an interface (`.mli`).
    pub has_mli: bool,
}

/// A namespaced library with its members looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    /// The public alias module's name (`Foo`).
    pub name: String,
    /// The library's `.mllib`.
    pub mllib: String,
    /// The library's folder.
    pub dir: String,
    /// The members, in `.mllib` order.
    pub members: Vec<Member>,
}

impl Namespace {
    /// The stem of the public alias module (`d/foo`).
    pub fn alias_stem(&self) -> String {
        in_dir(&self.dir, &uncapitalize(&self.name))
    }

    /// The internal alias module's name (`Foo__`), which members open.
    pub fn internal_name(&self) -> String {
        format!("{}__", self.name)
    }

    /// The stem of the internal alias module (`d/foo__`).
    pub fn internal_stem(&self) -> String {
        in_dir(&self.dir, &uncapitalize(&self.internal_name()))
    }

    /// The text of an alias module: the public one lists the public
    /// members, the internal one every member.
    pub fn alias_text(&self, internal: bool) -> String {
        let mut text = format!(
            "(* Generated by caravan: the {} alias module of the namespaced library {}. *)\n",
            if internal { "internal" } else { "public" },
            self.mllib
        );
        for m in self.members.iter().filter(|m| internal || m.public) {
            text.push_str(&format!("module {} = {}__{}\n", m.name, self.name, m.name));
        }
        text
    }

    /// The public member named `name`.
    pub fn public_member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.public && m.name == name)
    }

    /// The member named `name`, public or private.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }
}

/// What a module of `_build` is to a namespaced library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The public alias module (`d/foo`).
    PublicAlias,
    /// The internal alias module (`d/foo__`).
    InternalAlias,
    /// The copy of member `i` (`d/foo__Bar`).
    Member(usize),
}

/// The project's namespaced libraries.
#[derive(Debug, Clone, Default)]
pub struct Namespaces {
    list: Vec<Namespace>,
    /// Stem of every generated module → namespace index and role.
    by_stem: FxHashMap<String, (usize, Role)>,
    /// Stem of every member's user source → namespace and member index.
    by_source: FxHashMap<String, (usize, usize)>,
}

impl Namespaces {
    /// The namespaces of `list`, their members looked up.
    pub fn new(list: Vec<Namespace>) -> Namespaces {
        let mut out = Namespaces::default();
        for ns in list {
            let i = out.list.len();
            out.by_stem.insert(ns.alias_stem(), (i, Role::PublicAlias));
            out.by_stem
                .insert(ns.internal_stem(), (i, Role::InternalAlias));
            for (j, m) in ns.members.iter().enumerate() {
                out.by_stem.insert(m.stem.clone(), (i, Role::Member(j)));
                out.by_source.insert(m.source.clone(), (i, j));
            }
            out.list.push(ns);
        }
        out
    }

    /// Whether no library is namespaced.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The namespaced libraries.
    pub fn iter(&self) -> impl Iterator<Item = &Namespace> {
        self.list.iter()
    }

    /// The files the namespaces make in `_build` (alias modules, members'
    /// copies), for the resolver to know their modules.
    pub fn generated_files(&self) -> Vec<String> {
        let mut out = Vec::new();
        for ns in &self.list {
            out.push(format!("{}.ml", ns.alias_stem()));
            out.push(format!("{}.ml", ns.internal_stem()));
            for m in &ns.members {
                out.push(format!("{}.ml", m.stem));
                if m.has_mli {
                    out.push(format!("{}.mli", m.stem));
                }
            }
        }
        out
    }

    /// The namespace and role of a module of `_build` by its stem.
    pub fn role_of(&self, stem: &str) -> Option<(&Namespace, Role)> {
        let &(i, role) = self.by_stem.get(stem)?;
        Some((&self.list[i], role))
    }

    /// The namespace of the `.mllib` `mllib`, if it is namespaced.
    pub fn of_mllib(&self, mllib: &str) -> Option<&Namespace> {
        self.list.iter().find(|ns| ns.mllib == mllib)
    }

    /// The member whose user source has stem `source` (`d/bar`).
    pub fn member_of_source(&self, source: &str) -> Option<(&Namespace, &Member)> {
        let &(i, j) = self.by_source.get(source)?;
        Some((&self.list[i], &self.list[i].members[j]))
    }

    /// What `path` (`d/foo__Bar.ml`, `d/foo.ml`) is generated from: the
    /// user's source of a member's copy, or the text of an alias module.
    pub fn generated(&self, path: &str) -> Option<Generated> {
        let (stem, ext) = path.rsplit_once('.')?;
        let (ns, role) = self.role_of(stem)?;
        match (role, ext) {
            (Role::PublicAlias, "ml") => Some(Generated::Alias(ns.alias_text(false))),
            (Role::InternalAlias, "ml") => Some(Generated::Alias(ns.alias_text(true))),
            (Role::Member(j), "ml") => {
                Some(Generated::Copy(format!("{}.ml", ns.members[j].source)))
            }
            (Role::Member(j), "mli") if ns.members[j].has_mli => {
                Some(Generated::Copy(format!("{}.mli", ns.members[j].source)))
            }
            _ => None,
        }
    }

    /// The compiler options a module of `stem` gets from its namespace:
    /// `-no-alias-deps -w -49` for an alias module, `-open Foo__` for a
    /// member.
    pub fn compile_flags(&self, stem: &str) -> Vec<String> {
        match self.role_of(stem) {
            Some((_, Role::PublicAlias | Role::InternalAlias)) => {
                ["-no-alias-deps", "-w", "-49"].map(String::from).to_vec()
            }
            Some((ns, Role::Member(_))) => vec!["-open".to_string(), ns.internal_name()],
            None => Vec::new(),
        }
    }

    /// The modules of a namespaced `.mllib`'s archive: both alias modules,
    /// then each member's copy, in the order of `sources` (the modules its
    /// entries name).
    pub fn archive_modules(
        &self,
        ns: &Namespace,
        sources: Vec<ModuleSource>,
        resolver: &Resolver,
    ) -> Vec<ModuleSource> {
        let mut out: Vec<ModuleSource> = [ns.internal_stem(), ns.alias_stem()]
            .iter()
            .filter_map(|s| resolver.module_at(s))
            .collect();
        for m in sources {
            let renamed = self
                .member_of_source(&m.stem)
                .and_then(|(_, member)| resolver.module_at(&member.stem));
            out.push(renamed.unwrap_or(m));
        }
        out
    }

    /// The modules that the references of the module at `stem` mean, given
    /// how each plain name resolved (`resolved`, in the order of `refs`;
    /// `None` for a name found nowhere): see the module documentation.
    /// `precise` says whether the scan reported qualified paths and whole
    /// uses (the in-process scanner); otherwise a namespace means all its
    /// public members.
    pub fn expand(
        &self,
        stem: &str,
        refs: &ModuleRefs,
        resolved: Vec<Option<ModuleSource>>,
        resolver: &Resolver,
    ) -> Vec<Option<ModuleSource>> {
        let own = self.role_of(stem);
        if matches!(own, Some((_, Role::PublicAlias | Role::InternalAlias))) {
            // Alias modules compile with -no-alias-deps: they need nothing.
            return Vec::new();
        }
        let member_of = |m: &Member| resolver.module_at(&m.stem);
        let mut out: Vec<Option<ModuleSource>> = Vec::new();
        // Namespaces whose public alias module a name resolved to.
        let mut used: Vec<&Namespace> = Vec::new();
        for (name, found) in refs.modules.iter().zip(resolved) {
            if let Some((ns, Role::Member(_))) = own
                && let Some(m) = ns.member(name)
            {
                // Inside the library, a member's name is that member.
                out.push(member_of(m));
                continue;
            }
            if let Some(f) = &found {
                if let Some((ns, Role::PublicAlias)) = self.role_of(&f.stem) {
                    used.push(ns);
                }
                if let Some((ns, member)) = self.member_of_source(&f.stem) {
                    // A member's own source is never a module of its own.
                    if member.public || own.is_some_and(|(o, _)| o.name == ns.name) {
                        out.push(member_of(member));
                    }
                    continue;
                }
            }
            out.push(found);
        }
        if let Some((ns, Role::Member(_))) = own {
            out.push(resolver.module_at(&ns.internal_stem()));
        }
        for ns in used {
            let whole = !refs.precise || refs.whole.contains(&ns.name);
            for m in ns.members.iter().filter(|m| m.public) {
                let named = refs
                    .paths
                    .iter()
                    .any(|(a, b)| *a == ns.name && *b == m.name);
                // After `open Foo`, `Bar` may be `Foo.Bar`.
                let opened = refs.modules.contains(&m.name);
                if whole || named || opened {
                    out.push(member_of(m));
                }
            }
        }
        out
    }
}

/// How a generated file of a namespace is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Generated {
    /// A member's copy of the user's source at this path.
    Copy(String),
    /// An alias module with this text.
    Alias(String),
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// `lib/mylib.mllib` namespaced as `Foo`: public `Bar`, `Baz`, private
    /// `sub/Secret`; and the resolver that knows their copies.
    fn setup() -> (Namespaces, Resolver) {
        let project = Project {
            files: [
                "lib/bar.ml",
                "lib/baz.ml",
                "lib/baz.mli",
                "lib/sub/secret.ml",
                "main.ml",
            ]
            .map(String::from)
            .to_vec(),
            dirs: vec![String::new(), "lib".into(), "lib/sub".into()],
            include_dirs: vec![String::new(), "lib".into()],
            ..Project::default()
        };
        let member = |name: &str, source: &str, stem: &str, public, has_mli| Member {
            name: name.into(),
            source: source.into(),
            stem: stem.into(),
            public,
            has_mli,
        };
        let ns = Namespaces::new(vec![Namespace {
            name: "Foo".into(),
            mllib: "lib/mylib.mllib".into(),
            dir: "lib".into(),
            members: vec![
                member("Bar", "lib/bar", "lib/foo__Bar", true, false),
                member("Baz", "lib/baz", "lib/foo__Baz", true, true),
                member(
                    "Secret",
                    "lib/sub/secret",
                    "lib/sub/foo__Secret",
                    false,
                    false,
                ),
            ],
        }]);
        let mut resolver = Resolver::new(&project, PathBuf::from("/nonexistent"));
        resolver.add_generated(ns.generated_files());
        (ns, resolver)
    }

    /// The stems the references of `stem` mean, `refs` being the scan's
    /// words (`A`, `A.B`, `A.`, `!`) as the trace keeps them.
    fn expand(stem: &str, words: &str) -> Vec<String> {
        let (ns, resolver) = setup();
        let refs = ModuleRefs::decode(words.as_bytes());
        let dir = stem.rfind('/').map_or("", |i| &stem[..i]);
        let resolved = refs
            .modules
            .iter()
            .map(|n| resolver.resolve(n, dir))
            .collect();
        ns.expand(stem, &refs, resolved, &resolver)
            .into_iter()
            .flatten()
            .map(|m| m.stem)
            .collect()
    }

    #[test]
    fn a_qualified_use_depends_on_the_alias_module_and_that_member_only() {
        assert_eq!(
            expand("main", "Foo List Foo.Bar"),
            ["lib/foo", "lib/foo__Bar"]
        );
        // A private member is not reached through the public alias.
        assert_eq!(expand("main", "Foo Foo.Secret"), ["lib/foo"]);
    }

    #[test]
    fn after_open_a_members_name_is_that_member() {
        assert_eq!(
            expand("main", "Baz Foo"),
            ["lib/foo__Baz", "lib/foo", "lib/foo__Baz"]
        );
    }

    #[test]
    fn a_whole_use_or_an_ocamldep_scan_depends_on_every_public_member() {
        let all = ["lib/foo", "lib/foo__Bar", "lib/foo__Baz"];
        assert_eq!(expand("main", "Foo Foo."), all);
        assert_eq!(expand("main", "! Foo"), all);
    }

    #[test]
    fn inside_the_library_names_are_members_and_the_internal_alias() {
        assert_eq!(
            expand("lib/foo__Bar", "Baz List Secret"),
            ["lib/foo__Baz", "lib/sub/foo__Secret", "lib/foo__"]
        );
        assert!(expand("lib/foo", "Foo__Bar Foo__Baz").is_empty());
        assert!(expand("lib/foo__", "Foo__Bar").is_empty());
    }

    #[test]
    fn alias_modules_list_their_members_and_members_open_the_internal_one() {
        let (ns, _) = setup();
        let foo = ns.iter().next().expect("one namespace");
        assert_eq!(
            foo.alias_text(false).lines().skip(1).collect::<Vec<_>>(),
            ["module Bar = Foo__Bar", "module Baz = Foo__Baz"]
        );
        assert!(foo.alias_text(true).contains("module Secret = Foo__Secret"));
        assert_eq!(ns.compile_flags("lib/foo__Bar"), ["-open", "Foo__"]);
        assert_eq!(ns.compile_flags("lib/foo"), ["-no-alias-deps", "-w", "-49"]);
        assert!(ns.compile_flags("main").is_empty());
        assert_eq!(
            ns.generated("lib/foo__Baz.mli"),
            Some(Generated::Copy("lib/baz.mli".into()))
        );
        assert_eq!(ns.generated("lib/foo__Bar.mli"), None);
    }

    #[test]
    fn namespace_names_are_module_names_without_double_underscores() {
        assert_eq!(name_problem("Foo"), None);
        assert_eq!(name_problem("foo"), None);
        assert!(name_problem("foo-bar").is_some());
        assert!(name_problem("Foo__Bar").is_some());
    }
}
