//! The built-in flags: which compiler options each combination of tags
//! gives a command, in ocamlbuild's order.
//!
//! `table.rs` holds ocamlbuild's declarations as data (generated from its
//! `-documentation` output). [`builtin`] turns them into
//! [`tags::Declarations`], filling the declarations that come from the
//! command line (`-cflags`, `-lib`...) from [`FlagOptions`]. [`word`]
//! keeps raw shell texts and `T tags` among flag words.
//!
//! This crate is ocamlbuild's flag table and nothing else: it knows tags
//! (strings) and command-line words, not the toolchain or the rules.

#![deny(missing_docs)]

mod table;
pub mod word;

use tags::Declarations;

pub use table::{FLAGS, FLAGS_OCAMLFIND, PARAM_FLAGS, PARAM_FLAGS_OCAMLFIND};

/// Declarations whose flags come from the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dynamic {
    /// `-ppflag(s)`, `-pp`.
    PpFlags,
    /// `-cflag(s)`.
    CFlags,
    /// `-lflag(s)`.
    LFlags,
    /// `-yaccflag(s)`.
    YaccFlags,
    /// `-docflag(s)`.
    DocFlags,
    /// `-lexflag(s)`.
    LexFlags,
    /// `-lib(s)`, bytecode: `X.cma`.
    LibsByte,
    /// `-lib(s)`, native: `X.cmxa`.
    LibsNative,
    /// `-mod(s)`, bytecode: `X.cmo`.
    ModsByte,
    /// `-mod(s)`, native: `X.cmx`.
    ModsNative,
    /// `-pkg` without ocamlfind: compile flags.
    PackagesCompile,
    /// `-pkg` without ocamlfind: bytecode link flags.
    PackagesLinkByte,
    /// `-pkg` without ocamlfind: native link flags.
    PackagesLinkNative,
}

/// What a declaration adds.
#[derive(Clone, Copy, Debug)]
pub enum Flags {
    /// Fixed words (`{camlp4}` stands for camlp4's directory).
    Atoms(&'static [&'static str]),
    /// Words from the command line.
    Dynamic(Dynamic),
}

/// One plain (or deprecated) declaration.
#[derive(Clone, Copy, Debug)]
pub struct FlagDecl {
    /// The tags a command must all have.
    pub tags: &'static [&'static str],
    /// What it adds.
    pub flags: Flags,
    /// Declared as deprecated (listed apart by `-documentation`).
    pub deprecated: bool,
}

/// One parametrised declaration: `name(param)` among the command's tags
/// adds `template` with `{}` replaced by the parameter.
#[derive(Clone, Copy, Debug)]
pub struct ParamDecl {
    /// The other tags a command must have.
    pub tags: &'static [&'static str],
    /// The parametrised tag's name.
    pub name: &'static str,
    /// The parameter `-documentation` shows.
    pub example: &'static str,
    /// The words it adds.
    pub template: &'static [&'static str],
}

/// Declarations caravan adds to ocamlbuild's: `dllib(X)`, which later
/// ocamlbuild versions have and projects use for C stubs.
static EXTRA_PARAM_FLAGS: &[ParamDecl] = &[
    ParamDecl {
        tags: &["link", "ocaml", "byte"],
        name: "dllib",
        example: "X",
        template: &["-dllib", "{}"],
    },
    ParamDecl {
        tags: &["ocamlmklib"],
        name: "dllib",
        example: "X",
        template: &["-dllib", "{}"],
    },
];

/// The command-line values of the dynamic declarations.
#[derive(Clone, Debug, Default)]
pub struct FlagOptions {
    /// `-ppflag(s)`.
    pub ppflags: Vec<String>,
    /// `-cflag(s)`.
    pub cflags: Vec<String>,
    /// `-lflag(s)`.
    pub lflags: Vec<String>,
    /// `-yaccflag(s)`.
    pub yaccflags: Vec<String>,
    /// `-docflag(s)`.
    pub docflags: Vec<String>,
    /// `-lexflag(s)`.
    pub lexflags: Vec<String>,
    /// `-lib(s)`.
    pub libs: Vec<String>,
    /// `-mod(s)`.
    pub mods: Vec<String>,
    /// Without ocamlfind, what `-pkg` packages add to compilations.
    pub packages_compile: Vec<String>,
    /// Without ocamlfind, what `-pkg` packages add to bytecode links.
    pub packages_link_byte: Vec<String>,
    /// Without ocamlfind, what `-pkg` packages add to native links.
    pub packages_link_native: Vec<String>,
}

impl FlagOptions {
    fn words(&self, d: Dynamic) -> Vec<String> {
        let suffixed = |v: &[String], ext: &str| v.iter().map(|x| format!("{x}.{ext}")).collect();
        match d {
            Dynamic::PpFlags => self.ppflags.iter().map(|f| word::raw(f)).collect(),
            Dynamic::CFlags => self.cflags.clone(),
            Dynamic::LFlags => self.lflags.clone(),
            Dynamic::YaccFlags => self.yaccflags.clone(),
            Dynamic::DocFlags => self.docflags.clone(),
            Dynamic::LexFlags => self.lexflags.clone(),
            Dynamic::LibsByte => suffixed(&self.libs, "cma"),
            Dynamic::LibsNative => suffixed(&self.libs, "cmxa"),
            Dynamic::ModsByte => suffixed(&self.mods, "cmo"),
            Dynamic::ModsNative => suffixed(&self.mods, "cmx"),
            Dynamic::PackagesCompile => self.packages_compile.clone(),
            Dynamic::PackagesLinkByte => self.packages_link_byte.clone(),
            Dynamic::PackagesLinkNative => self.packages_link_native.clone(),
        }
    }
}

/// ocamlbuild's built-in declarations (and caravan's additions), in
/// declaration order, with the command-line values filled in; `camlp4` is
/// camlp4's directory (see `ocaml::toolchain::camlp4_dir`); `ocamlfind`
/// picks the declarations of `-use-ocamlfind` mode.
pub fn builtin(options: &FlagOptions, camlp4: &str, ocamlfind: bool) -> Declarations {
    let mut decls = Declarations::new();
    declare_builtin(&mut decls, options, camlp4, ocamlfind, &[]);
    decls
}

/// Appends ocamlbuild's built-in declarations to `decls` (after what a
/// plugin declared before `After_rules`, as ocamlbuild does). caravan's own
/// additions named in `plugin_params` are left out: the plugin declares
/// those parametrised tags itself.
pub fn declare_builtin(
    decls: &mut Declarations,
    options: &FlagOptions,
    camlp4: &str,
    ocamlfind: bool,
    plugin_params: &[String],
) {
    let (flags, params) = if ocamlfind {
        (FLAGS_OCAMLFIND, PARAM_FLAGS_OCAMLFIND)
    } else {
        (FLAGS, PARAM_FLAGS)
    };
    for d in flags {
        let words: Vec<String> = match d.flags {
            Flags::Atoms(a) => a.iter().map(|w| w.replace("{camlp4}", camlp4)).collect(),
            Flags::Dynamic(k) => options.words(k),
        };
        if d.deprecated {
            decls.deprecated_flag(d.tags.iter().copied(), words);
        } else {
            decls.flag(d.tags.iter().copied(), words);
        }
    }
    let extras = EXTRA_PARAM_FLAGS
        .iter()
        .filter(|p| !plugin_params.iter().any(|n| n == p.name));
    for p in params.iter().chain(extras) {
        let template = p.template;
        let check_optimize = p.name == "optimize";
        decls.pflag_checked(
            p.tags.iter().copied(),
            p.name,
            Some(p.example),
            move |param: &str| {
                if check_optimize && !matches!(param, "2" | "3" | "classic") {
                    return Err(format!("optimize: {param} (expected 2, 3 or classic)"));
                }
                Ok(fill(template, param))
            },
        );
    }
}

fn fill(template: &[&str], param: &str) -> Vec<String> {
    template.iter().map(|w| w.replace("{}", param)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tags::{Configuration, TagSet};

    fn flags_for(tags_line: &str, path: &str, context: &[&str], options: FlagOptions) -> String {
        let mut config = Configuration::new();
        config.add_builtin(tags::BUILTIN_LINES).unwrap();
        config.add_tags_file("", tags_line.as_bytes()).unwrap();
        let mut decls = builtin(&options, "+camlp4", false);
        let mut warnings = Vec::new();
        tags::startup_checks(&config, &mut decls, &mut warnings).unwrap();
        let mut set: TagSet = config.tags_of(path);
        for c in context {
            set.insert(*c);
        }
        decls.flags_of(&set).join(" ")
    }

    #[test]
    fn the_reference_example_gives_ocamlbuilds_flags() {
        // §c: `true: use_unix, debug, rectypes` with `-tags annot,thread`.
        let line = "true: use_unix, debug, rectypes, annot, thread\n";
        assert_eq!(
            flags_for(
                line,
                "a.ml",
                &["ocaml", "byte", "compile", "implem"],
                FlagOptions::default()
            ),
            "-g -annot -rectypes -thread"
        );
        assert_eq!(
            flags_for(
                line,
                "a.byte",
                &["ocaml", "byte", "link", "program"],
                FlagOptions::default()
            ),
            "unix.cma -g -thread threads.cma"
        );
    }

    #[test]
    fn command_line_flags_come_first_and_libs_before_mods() {
        let opts = FlagOptions {
            cflags: vec!["-w".into(), "+a".into()],
            lflags: vec!["-g".into()],
            libs: vec!["unix".into()],
            mods: vec!["Util".into()],
            ..FlagOptions::default()
        };
        assert_eq!(
            flags_for(
                "",
                "m.byte",
                &["ocaml", "byte", "link", "program"],
                opts.clone()
            ),
            "-g unix.cma Util.cmo"
        );
        assert_eq!(
            flags_for(
                "true: debug\n",
                "m.ml",
                &["ocaml", "native", "compile"],
                opts
            ),
            "-w +a -g"
        );
    }

    #[test]
    fn parametrised_flags_use_their_parameter() {
        assert_eq!(
            flags_for(
                "true: warn(+a-4), optimize(3), for-pack(P)\n",
                "a.ml",
                &["ocaml", "native", "compile"],
                FlagOptions::default()
            ),
            // As ocamlbuild 0.14.1 prints it for this `_tags` line.
            "-w +a-4 -O3 -for-pack P"
        );
    }
}

#[cfg(test)]
mod every_declaration {
    use super::*;
    use tags::TagSet;

    /// Each declaration of ocamlbuild's table, alone, gives its flags to a
    /// command with exactly its tags (the table is printed as it goes, so the
    /// test output lists every declaration and its flag).
    #[test]
    fn every_declaration_produces_its_flags() {
        let options = FlagOptions {
            ppflags: vec!["PP".into()],
            cflags: vec!["CF".into()],
            lflags: vec!["LF".into()],
            yaccflags: vec!["YF".into()],
            docflags: vec!["DF".into()],
            lexflags: vec!["XF".into()],
            libs: vec!["lib".into()],
            mods: vec!["Mod".into()],
            ..FlagOptions::default()
        };
        let decls = builtin(&options, "+camlp4", false);
        let mut checked = 0;
        for d in FLAGS {
            let set: TagSet = d.tags.iter().copied().collect();
            let produced = decls.flags_of(&set);
            let expected: Vec<String> = match d.flags {
                Flags::Atoms(a) => a.iter().map(|w| w.replace("{camlp4}", "+camlp4")).collect(),
                Flags::Dynamic(k) => options.words(k),
            };
            println!("{:?} -> {}", d.tags, produced.join(" "));
            for w in &expected {
                assert!(
                    produced.contains(w),
                    "{:?}: {w} missing from {produced:?}",
                    d.tags
                );
            }
            checked += 1;
        }
        for p in PARAM_FLAGS.iter().chain(EXTRA_PARAM_FLAGS) {
            let mut decls = builtin(&options, "+camlp4", false);
            let tag = format!("{}({})", p.name, p.example);
            let one: TagSet = [tag.as_str()].into_iter().collect();
            decls
                .instantiate_unlocated(&one, true, &mut Vec::new())
                .unwrap();
            let mut set: TagSet = p.tags.iter().copied().collect();
            set.insert(tag.as_str());
            let produced = decls.flags_of(&set).join(" ");
            println!("{:?} + {tag} -> {produced}", p.tags);
            assert!(
                produced.ends_with(&fill(p.template, p.example).join(" ")),
                "{tag}: {produced}"
            );
            checked += 1;
        }
        assert_eq!(
            checked,
            FLAGS.len() + PARAM_FLAGS.len() + EXTRA_PARAM_FLAGS.len()
        );
        assert_eq!(
            FLAGS.len(),
            174 + 65,
            "every plain and deprecated declaration"
        );
        assert_eq!(PARAM_FLAGS.len(), 56, "every parametrised declaration");
    }
}
