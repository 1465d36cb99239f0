//! What the rules are assembled from ([`RuleSetup`]): the one place that
//! makes the [`RuleContext`] and the [`OcamlRules`] over it, for a build
//! session and for the rules' own unit tests alike.

use std::sync::Arc;

use engine::Target;

use super::context::RuleContext;
use super::declared::DeclaredRules;
use super::dispatch::OcamlRules;
use super::list_file;
use super::project_library::ProjectLibrary;
use crate::build_options::BuildOptions;
use crate::module_name::{self, capitalize, uncapitalize};
use crate::namespace::{self, Member, Namespace, Namespaces};
use crate::ocamlfind::Ocamlfind;
use crate::project::Project;
use crate::resolver::Resolver;
use crate::tagging::Tagger;
use crate::toolchain::Toolchain;

/// A configured project, its toolchain and options, and its plugin's
/// rules: everything the rules are made of.
pub struct RuleSetup {
    /// The scanned project.
    pub project: Project,
    /// The compilers.
    pub toolchain: Toolchain,
    /// Options of the build.
    pub options: BuildOptions,
    /// Tags of paths and commands.
    pub tagger: Tagger,
    /// Flag declarations, built-in and the project's.
    pub flags: tags::Declarations,
    /// The in-process ocamlfind, in ocamlfind mode.
    pub ocamlfind: Option<Ocamlfind>,
    /// The project's libraries (its `.mllib` files).
    pub libraries: Vec<ProjectLibrary>,
    /// The rules of the project's plugin, if it has one.
    pub plugin: Option<Arc<dyn DeclaredRules>>,
    /// The files the plugin's rules make from the project's files, whose
    /// modules resolve like those of sources.
    pub generated: Vec<String>,
    /// The namespaced libraries (`crate::namespace::declarations`).
    pub namespaces: Vec<namespace::Declaration>,
}

impl RuleSetup {
    /// The rules: a resolver over the project's files (with the generators
    /// of the options, and the plugin's generated files) and the context
    /// every rule reads, with no ppx driver asked for yet.
    pub fn rules(self) -> OcamlRules {
        let mut resolver =
            Resolver::with_generators(&self.project, self.toolchain.stdlib(), self.options.menhir);
        resolver.add_generated(self.generated);
        let namespaces = namespaces_of(&self.namespaces, &resolver, &self.project);
        resolver.add_generated(namespaces.generated_files());
        let mut tagger = self.tagger;
        tagger.add_renamed(
            namespaces
                .iter()
                .flat_map(|ns| ns.members.iter())
                .map(|m| (m.stem.clone(), m.source.clone())),
        );
        let cx = RuleContext {
            project: self.project,
            resolver,
            toolchain: self.toolchain,
            options: self.options,
            tagger,
            flags: self.flags,
            ocamlfind: self.ocamlfind,
            has_plugin: self.plugin.is_some(),
            declared_rules: self.plugin.as_ref().is_some_and(|p| !p.is_empty()),
            libraries: self.libraries,
            ppx_drivers: Default::default(),
            namespaces,
        };
        OcamlRules::new(cx, self.plugin)
    }
}

/// The namespaced libraries of `decls`, their `.mllib` entries looked up
/// as the archive looks them up (an entry that names no module is left out
/// here; the archive reports it). A member is public when it is in the
/// folder the entries are looked up from (the `.mllib`'s, or `foo/` for
/// `foo.mllib`), private in a sub-folder.
fn namespaces_of(
    decls: &[namespace::Declaration],
    resolver: &Resolver,
    project: &Project,
) -> Namespaces {
    let mut list = Vec::new();
    for d in decls {
        let mllib_dir = Target::new(&d.mllib).dir().to_string();
        let lookup = list_file::lookup_dir_in(project, &d.mllib);
        let name = capitalize(&d.name);
        let prefix = uncapitalize(&name);
        let mut members: Vec<Member> = Vec::new();
        for entry in &d.entries {
            let Some(m) = list_file::resolve_entry_in(resolver, project, entry, &lookup) else {
                continue;
            };
            if m.pack || !m.compiles_ml() || members.iter().any(|x| x.source == m.stem) {
                continue;
            }
            let member_name = module_name::of_path(&m.stem);
            members.push(Member {
                public: m.dir() == lookup,
                stem: namespace::in_dir(m.dir(), &format!("{prefix}__{member_name}")),
                name: member_name,
                source: m.stem.clone(),
                has_mli: m.has_mli,
            });
        }
        list.push(Namespace {
            name,
            mllib: d.mllib.clone(),
            dir: mllib_dir,
            members,
        });
    }
    Namespaces::new(list)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::rules::testing::{Fixture, SilentPlugin};

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn with_a_plugin_the_rules_keep_it_and_commands_repeat_included_folders() {
        let plain = Fixture::new(&[("a.ml", "")]).context();
        assert!(plain.rules.plugin().is_none());
        let with = Fixture::new(&[("a.ml", "")])
            .with(|f| f.plugin = Some(Arc::new(SilentPlugin)))
            .context();
        assert!(with.rules.plugin().is_some());
        // ocamlbuild's commands in a project with a plugin repeat the
        // folders an `ocaml_lib ~dir` flag already includes.
        assert_eq!(
            with.cx()
                .includes_after_flags(&words("-I lib"), words("-I lib")),
            words("-I lib")
        );
        assert!(
            plain
                .cx()
                .includes_after_flags(&words("-I lib"), words("-I lib"))
                .is_empty()
        );
    }
}
