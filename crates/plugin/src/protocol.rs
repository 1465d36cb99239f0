//! The plugin protocol: what caravan and a compiled `myocamlbuild.ml`
//! say to each other.
//!
//! # Transport
//!
//! caravan starts the plugin binary from the project root with the
//! environment variable `CARAVAN_PLUGIN_PROTOCOL=1` and the arguments of
//! the command line (the words `-plugin-option` removed, as ocamlbuild
//! does). The plugin's standard input carries caravan's messages, its
//! standard output the plugin's; the plugin's own printing goes to its
//! standard error, which caravan copies to its standard output. Every
//! message is one canonical S-expression ([`super::wire`]) followed by a
//! newline. Below, `NAME` is an atom, `(X...)` a list, `TAGS`/`PATHS` lists
//! of atoms, `SPEC` and `COMMAND` the forms of [`super::spec`], and `PHASE`
//! the hook during which a declaration was made: `init` (module
//! initialisation), `before-options`, `after-options`, `before-hygiene`,
//! `after-hygiene`, `before-rules` or `after-rules`.
//!
//! # A session
//!
//! ```text
//! plugin: (hello 1)                       at start, before the plugin's own code
//! caravan: (hook before-options)          plugin: declarations... (done OPTIONS)
//! caravan: (hook after-options)           the plugin parses its arguments first
//! caravan: (hook before-hygiene)          after caravan read the tree and _tags
//! caravan: (hook after-hygiene)
//! caravan: (hook before-rules (DIR...))   the include directories found
//! caravan: (hook after-rules)
//! caravan: (instantiate ((ID PARAM)...))  plugin: (instances ((ID PARAM RESULT)...))
//! caravan: (serve BUILD-DIR)              plugin: (serving); it now works in BUILD-DIR
//! caravan: (eval EVAL RULE ((VAR VALUE)...))  plugin: ... (result EVAL COMMAND)
//!                                                   or (failed EVAL KIND MESSAGE BACKTRACE)
//! caravan: (quit)
//! ```
//!
//! `OPTIONS` is `((NAME VALUE)...)`, one entry per `Options` reference of
//! ocamlbuild: booleans are `true`/`false`, lists are lists, strings atoms,
//! tool commands `SPEC`s. `RESULT` is `(ok SPEC)` for a parametrised flag,
//! `(ok PATHS)` for a parametrised dependency, `(error MESSAGE)` when the
//! plugin's function raised. Evaluations run concurrently in the plugin (one
//! thread each, one at a time running plugin code), so their messages may
//! interleave.
//!
//! # Declarations (plugin to caravan, at any time)
//!
//! ```text
//! (flag PHASE TAGS SPEC)              (deprecated-flag PHASE TAGS SPEC)
//! (pflag PHASE TAGS NAME ID DOC)      DOC: () or (PARAM)
//! (dep PHASE TAGS PATHS)              (pdep PHASE TAGS NAME ID)
//! (mark-tag-used TAG)
//! (tag-file PHASE PATH TAGS)          (tag-any PHASE TAGS)
//! (tag-lines PHASE TEXT)              lines in the _tags syntax
//!                                     (Configuration.parse_string)
//! (non-dependency PATH MODULE)        (use-lib MODULE LIB)
//! (ocaml-lib PHASE LIB EXTERN BYTE NATIVE DIR TAG)   DIR: () or (D)
//! (hide-package-contents NAME)
//! (define-context PHASE DIR DIRS)     the include directories of DIR's files
//! (rule PHASE NAME PRODS DEPS STAMP INSERT DOC)
//!                                     STAMP: () or (P); INSERT: (top), (bottom),
//!                                     (before NAME) or (after NAME)
//! (clear-rules PHASE)
//! ```
//!
//! # Questions (plugin to caravan) and answers
//!
//! `(query ID tags-of PATH)` is answered `(reply ID TAGS)`;
//! `(query ID tag-flags TAGS)` with `(reply ID SPEC)`;
//! `(query ID build EVAL ((PATH...)...))` — an action's `build` call, a
//! list of alternatives per target — with `(reply ID ((ok PATH)|(failed
//! MESSAGE)...))` once caravan has built them;
//! `(query ID builtin EVAL KIND (ARG...))` — an action made by
//! `Ocaml_compiler`/`Ocaml_tools` (`byte_library_link_mllib` and the like),
//! which asks caravan to do what its built-in rule of that kind does for
//! the rule's target — with `(reply ID (ok))` once it is done or
//! `(reply ID (failed MESSAGE))`. KIND is `library-byte`, `library-native`
//! (ARGs: the `.mllib`, the archive), `shared-library` (the `.mldylib`, the
//! `.cmxs`), `toplevel` (the `.mltop`, the `.top`), the same four with
//! `-modules` (ARGs: the output, then the modules, as a list file's
//! entries) or `target` (ARG: a target, made by the built-in rule that
//! makes it). When the target is
//! the rule's own (its first product; any of its products for the list
//! kinds, which name their output), its built-in task runs in the rule's
//! place (its command, inputs and log are the built-in rule's); otherwise
//! the target is built as a dependency. Any question may be answered `(reply ID (error
//! MESSAGE))`.
//!
//! # Errors
//!
//! `(error KIND MESSAGE BACKTRACE)` ends a session: KIND is `failure`
//! (`Failure`), `invalid-argument`, `usage` (bad arguments), `exit`
//! (`MESSAGE` is the code), `exception` (any other, `MESSAGE` is
//! `Printexc.to_string`) or `protocol`.

use super::spec::{Command, Spec};
use super::wire::Sexp;

/// The version this caravan speaks (the plugin's `hello`).
pub const VERSION: &str = "1";

/// When a declaration was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// During module initialisation.
    Init,
    /// `Before_options`.
    BeforeOptions,
    /// `After_options`.
    AfterOptions,
    /// `Before_hygiene`.
    BeforeHygiene,
    /// `After_hygiene`.
    AfterHygiene,
    /// `Before_rules`.
    BeforeRules,
    /// `After_rules` (and parametrised flags, declared after it).
    AfterRules,
}

impl Phase {
    /// The hooks, in the order they run.
    pub const HOOKS: [Phase; 6] = [
        Phase::BeforeOptions,
        Phase::AfterOptions,
        Phase::BeforeHygiene,
        Phase::AfterHygiene,
        Phase::BeforeRules,
        Phase::AfterRules,
    ];

    /// The protocol name.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Init => "init",
            Phase::BeforeOptions => "before-options",
            Phase::AfterOptions => "after-options",
            Phase::BeforeHygiene => "before-hygiene",
            Phase::AfterHygiene => "after-hygiene",
            Phase::BeforeRules => "before-rules",
            Phase::AfterRules => "after-rules",
        }
    }

    fn parse(s: &str) -> Option<Phase> {
        [Phase::Init]
            .into_iter()
            .chain(Phase::HOOKS)
            .find(|p| p.name() == s)
    }

    /// Whether declarations of this phase come before ocamlbuild's own
    /// (made between `Before_rules` and `After_rules`).
    pub fn before_builtins(self) -> bool {
        self < Phase::AfterRules
    }

    /// Whether the tree has been read (tag lines of earlier phases precede
    /// the `_tags` files, as they are parsed before them).
    pub fn after_tree(self) -> bool {
        self >= Phase::BeforeHygiene
    }
}

/// Where a rule goes relative to the others.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Insert {
    /// First of all.
    Top,
    /// Last of all (the default).
    Bottom,
    /// Just before the named rule.
    Before(String),
    /// Just after the named rule.
    After(String),
}

/// A `rule` declaration.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RuleDecl {
    /// The rule's name (unique; it names the action in `eval`).
    pub name: String,
    /// When it was declared.
    pub phase: Phase,
    /// Products (patterns with `%` and `%(name)`).
    pub prods: Vec<String>,
    /// Static dependencies (patterns).
    pub deps: Vec<String>,
    /// The stamp file, a product holding the digest of the dependencies.
    pub stamp: Option<String>,
    /// Where it goes.
    pub insert: Insert,
    /// Its documentation.
    pub doc: Option<String>,
}

/// What the plugin declared.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Declaration {
    /// `flag` (`deprecated` for `flag ~deprecated:true`).
    Flag {
        /// When.
        phase: Phase,
        /// The tags a command needs.
        tags: Vec<String>,
        /// The flags.
        spec: Spec,
        /// Listed apart by `-documentation`.
        deprecated: bool,
    },
    /// `pflag`: the function is called back by id.
    PFlag {
        /// When.
        phase: Phase,
        /// The other tags a command needs.
        tags: Vec<String>,
        /// The parametrised tag's name.
        name: String,
        /// The function's id.
        id: String,
        /// The parameter `-documentation` shows.
        doc_param: Option<String>,
    },
    /// `dep`.
    Dep {
        /// When.
        phase: Phase,
        /// The tags a command needs.
        tags: Vec<String>,
        /// What to build first.
        paths: Vec<String>,
    },
    /// `pdep`.
    PDep {
        /// When.
        phase: Phase,
        /// The other tags.
        tags: Vec<String>,
        /// The parametrised tag's name.
        name: String,
        /// The function's id.
        id: String,
    },
    /// `mark_tag_used`.
    MarkTagUsed(String),
    /// `tag_file`.
    TagFile {
        /// When.
        phase: Phase,
        /// The path.
        path: String,
        /// Tags, `-t` removing `t`.
        tags: Vec<String>,
    },
    /// `tag_any`.
    TagAny {
        /// When.
        phase: Phase,
        /// Tags.
        tags: Vec<String>,
    },
    /// `Configuration.parse_string`: lines in the `_tags` syntax.
    TagLines {
        /// When.
        phase: Phase,
        /// The text.
        text: String,
    },
    /// `non_dependency`.
    NonDependency {
        /// The file (with an extension).
        path: String,
        /// The module it does not depend on.
        module: String,
    },
    /// `use_lib`.
    UseLib {
        /// The module path.
        module: String,
        /// The library path.
        lib: String,
    },
    /// `ocaml_lib` (its flags also arrive as `flag` declarations).
    OcamlLib {
        /// When.
        phase: Phase,
        /// The library path without extension.
        lib: String,
        /// Not built by the project.
        extern_: bool,
        /// For bytecode.
        byte: bool,
        /// For native code.
        native: bool,
        /// `~dir`.
        dir: Option<String>,
        /// The tag (`use_<lib>` by default).
        tag: String,
    },
    /// `hide_package_contents`.
    HidePackageContents(String),
    /// `Pathname.define_context`: the include directories of `dir`.
    DefineContext {
        /// When.
        phase: Phase,
        /// The directory.
        dir: String,
        /// Its include directories, its own first.
        dirs: Vec<String>,
    },
    /// `rule`, `copy_rule`.
    Rule(RuleDecl),
    /// `clear_rules`.
    ClearRules {
        /// When.
        phase: Phase,
    },
}

/// A plugin-side error.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Raised {
    /// `failure`, `invalid-argument`, `usage`, `exit`, `exception`, `protocol`.
    pub kind: String,
    /// The message.
    pub message: String,
    /// The OCaml backtrace (may be empty).
    pub backtrace: String,
}

/// A question from the plugin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// `tags_of_pathname`.
    TagsOf(String),
    /// The flags of tags (`T` specs, `Flags.of_tags`).
    TagFlags(Vec<String>),
    /// An action's `build`: per target, its alternatives.
    Build {
        /// The evaluation asking.
        eval: String,
        /// The targets.
        targets: Vec<Vec<String>>,
    },
    /// An action that is one of caravan's built-in rules
    /// (`Ocaml_compiler.byte_library_link_mllib`...).
    Builtin {
        /// The evaluation asking.
        eval: String,
        /// Which built-in rule (`library-byte`, `target`...).
        kind: String,
        /// Its arguments (paths in the build directory).
        args: Vec<String>,
    },
}

/// The answer to a parametrised declaration's function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// The function's id.
    pub id: String,
    /// The parameter.
    pub param: String,
    /// `Ok(value)` (a spec or a path list), or the error message.
    pub value: Result<Sexp, String>,
}

/// A message from the plugin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FromPlugin {
    /// The first message.
    Hello(String),
    /// A declaration.
    Declaration(Declaration),
    /// A question, with the id its answer must carry.
    Query(String, Query),
    /// A hook ran; the options after it.
    Done(Sexp),
    /// Values of parametrised declarations.
    Instances(Vec<Instance>),
    /// The plugin serves evaluations.
    Serving,
    /// An evaluation's command.
    Result(String, Command),
    /// An evaluation raised.
    Failed(String, Raised),
    /// The plugin stops.
    Error(Raised),
}

/// A message from caravan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToPlugin {
    /// Run a hook; `Before_rules` gets the include directories.
    Hook(Phase, Option<Vec<String>>),
    /// Call parametrised declarations' functions.
    Instantiate(Vec<(String, String)>),
    /// Serve evaluations from the build directory.
    Serve(String),
    /// Answer a question.
    Reply(String, Sexp),
    /// Run rule `rule`'s action with `bindings`.
    Eval {
        /// The evaluation's id.
        eval: String,
        /// The rule's name.
        rule: String,
        /// Variable values (`""` is `%`).
        bindings: Vec<(String, String)>,
    },
    /// Stop.
    Quit,
}

impl ToPlugin {
    /// The protocol form.
    pub fn encode(&self) -> Sexp {
        match self {
            ToPlugin::Hook(p, None) => Sexp::atoms(["hook", p.name()]),
            ToPlugin::Hook(p, Some(dirs)) => Sexp::List(vec![
                Sexp::atom("hook"),
                Sexp::atom(p.name()),
                Sexp::atoms(dirs),
            ]),
            ToPlugin::Instantiate(pairs) => Sexp::List(vec![
                Sexp::atom("instantiate"),
                Sexp::List(pairs.iter().map(|(i, p)| Sexp::atoms([i, p])).collect()),
            ]),
            ToPlugin::Serve(dir) => Sexp::atoms(["serve", dir]),
            ToPlugin::Reply(id, v) => {
                Sexp::List(vec![Sexp::atom("reply"), Sexp::atom(id), v.clone()])
            }
            ToPlugin::Eval {
                eval,
                rule,
                bindings,
            } => Sexp::List(vec![
                Sexp::atom("eval"),
                Sexp::atom(eval),
                Sexp::atom(rule),
                Sexp::List(bindings.iter().map(|(k, v)| Sexp::atoms([k, v])).collect()),
            ]),
            ToPlugin::Quit => Sexp::atoms(["quit"]),
        }
    }
}

fn s(v: &Sexp) -> Option<String> {
    v.as_str()
}

fn opt(v: &Sexp) -> Option<Option<String>> {
    match v.as_list()? {
        [] => Some(None),
        [x] => Some(Some(x.as_str()?)),
        _ => None,
    }
}

fn boolean(v: &Sexp) -> Option<bool> {
    match v.as_str()?.as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn error(items: &[Sexp]) -> Option<Raised> {
    match items {
        [kind, message, backtrace] => Some(Raised {
            kind: s(kind)?,
            message: s(message)?,
            backtrace: s(backtrace)?,
        }),
        _ => None,
    }
}

impl FromPlugin {
    /// Decodes a message; `None` when it is not one this caravan knows.
    pub fn decode(v: &Sexp) -> Option<FromPlugin> {
        let items = v.as_list()?;
        let (head, rest) = items.split_first()?;
        let head = head.as_str()?;
        let phase = |v: &Sexp| Phase::parse(&v.as_str()?);
        use Declaration as D;
        let decl = |d: Declaration| Some(FromPlugin::Declaration(d));
        match (head.as_str(), rest) {
            ("hello", [v]) => Some(FromPlugin::Hello(s(v)?)),
            ("flag" | "deprecated-flag", [p, tags, spec]) => decl(D::Flag {
                phase: phase(p)?,
                tags: tags.as_strings()?,
                spec: Spec::decode(spec)?,
                deprecated: head == "deprecated-flag",
            }),
            ("pflag", [p, tags, name, id, doc]) => decl(D::PFlag {
                phase: phase(p)?,
                tags: tags.as_strings()?,
                name: s(name)?,
                id: s(id)?,
                doc_param: opt(doc)?,
            }),
            ("dep", [p, tags, paths]) => decl(D::Dep {
                phase: phase(p)?,
                tags: tags.as_strings()?,
                paths: paths.as_strings()?,
            }),
            ("pdep", [p, tags, name, id]) => decl(D::PDep {
                phase: phase(p)?,
                tags: tags.as_strings()?,
                name: s(name)?,
                id: s(id)?,
            }),
            ("mark-tag-used", [t]) => decl(D::MarkTagUsed(s(t)?)),
            ("tag-file", [p, path, tags]) => decl(D::TagFile {
                phase: phase(p)?,
                path: s(path)?,
                tags: tags.as_strings()?,
            }),
            ("tag-any", [p, tags]) => decl(D::TagAny {
                phase: phase(p)?,
                tags: tags.as_strings()?,
            }),
            ("tag-lines", [p, text]) => decl(D::TagLines {
                phase: phase(p)?,
                text: s(text)?,
            }),
            ("non-dependency", [path, module]) => decl(D::NonDependency {
                path: s(path)?,
                module: s(module)?,
            }),
            ("use-lib", [module, lib]) => decl(D::UseLib {
                module: s(module)?,
                lib: s(lib)?,
            }),
            ("ocaml-lib", [p, lib, ext, byte, native, dir, tag]) => decl(D::OcamlLib {
                phase: phase(p)?,
                lib: s(lib)?,
                extern_: boolean(ext)?,
                byte: boolean(byte)?,
                native: boolean(native)?,
                dir: opt(dir)?,
                tag: s(tag)?,
            }),
            ("hide-package-contents", [n]) => decl(D::HidePackageContents(s(n)?)),
            ("define-context", [p, dir, dirs]) => decl(D::DefineContext {
                phase: phase(p)?,
                dir: s(dir)?,
                dirs: dirs.as_strings()?,
            }),
            ("rule", [p, name, prods, deps, stamp, insert, doc]) => {
                let insert = match insert.as_strings()?.as_slice() {
                    [t] if t == "top" => Insert::Top,
                    [b] if b == "bottom" => Insert::Bottom,
                    [b, n] if b == "before" => Insert::Before(n.clone()),
                    [a, n] if a == "after" => Insert::After(n.clone()),
                    _ => return None,
                };
                decl(D::Rule(RuleDecl {
                    name: s(name)?,
                    phase: phase(p)?,
                    prods: prods.as_strings()?,
                    deps: deps.as_strings()?,
                    stamp: opt(stamp)?,
                    insert,
                    doc: opt(doc)?,
                }))
            }
            ("clear-rules", [p]) => decl(D::ClearRules { phase: phase(p)? }),
            ("query", [id, kind, args @ ..]) => {
                let q = match (kind.as_str()?.as_str(), args) {
                    ("tags-of", [p]) => Query::TagsOf(s(p)?),
                    ("tag-flags", [t]) => Query::TagFlags(t.as_strings()?),
                    ("builtin", [eval, kind, args]) => Query::Builtin {
                        eval: s(eval)?,
                        kind: s(kind)?,
                        args: args.as_strings()?,
                    },
                    ("build", [eval, targets]) => Query::Build {
                        eval: s(eval)?,
                        targets: targets
                            .as_list()?
                            .iter()
                            .map(Sexp::as_strings)
                            .collect::<Option<_>>()?,
                    },
                    _ => return None,
                };
                Some(FromPlugin::Query(s(id)?, q))
            }
            ("done", [options]) => Some(FromPlugin::Done(options.clone())),
            ("instances", [list]) => {
                let mut out = Vec::new();
                for i in list.as_list()? {
                    let [id, param, result] = i.as_list()? else {
                        return None;
                    };
                    let value = match result.as_list()? {
                        [tag, v] if tag.is("ok") => Ok(v.clone()),
                        [tag, m] if tag.is("error") => Err(s(m)?),
                        _ => return None,
                    };
                    out.push(Instance {
                        id: s(id)?,
                        param: s(param)?,
                        value,
                    });
                }
                Some(FromPlugin::Instances(out))
            }
            ("serving", []) => Some(FromPlugin::Serving),
            ("result", [eval, command]) => {
                Some(FromPlugin::Result(s(eval)?, Command::decode(command)?))
            }
            ("failed", [eval, rest @ ..]) => Some(FromPlugin::Failed(s(eval)?, error(rest)?)),
            ("error", rest) => Some(FromPlugin::Error(error(rest)?)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> FromPlugin {
        let (v, _) = Sexp::decode(text.as_bytes()).unwrap();
        FromPlugin::decode(&v).unwrap_or_else(|| panic!("cannot decode {text}"))
    }

    #[test]
    fn decodes_the_messages_the_ocaml_side_writes() {
        // Written by plugin/ocamlbuild_pack__flags.ml and __rule.ml.
        match parse("(4:flag11:after-rules(5:ocaml7:compile)(1:S(1:A2:-g)))") {
            FromPlugin::Declaration(Declaration::Flag {
                phase, tags, spec, ..
            }) => {
                assert_eq!(phase, Phase::AfterRules);
                assert_eq!(tags, ["ocaml", "compile"]);
                assert_eq!(spec, Spec::S(vec![Spec::A("-g".into())]));
            }
            other => panic!("{other:?}"),
        }
        match parse("(4:rule11:after-rules3:gen(4:%.ml)(5:%.txt)()(6:bottom)())") {
            FromPlugin::Declaration(Declaration::Rule(r)) => {
                assert_eq!(r.prods, ["%.ml"]);
                assert_eq!(r.insert, Insert::Bottom);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse("(5:query1:25:build2:e1((9:extra.txt)))"),
            FromPlugin::Query(
                "2".into(),
                Query::Build {
                    eval: "e1".into(),
                    targets: vec![vec!["extra.txt".into()]]
                }
            )
        );
    }

    #[test]
    fn builtin_questions_name_their_evaluation_kind_and_arguments() {
        let raw = Sexp::List(vec![
            Sexp::atom("query"),
            Sexp::atom("7"),
            Sexp::atom("builtin"),
            Sexp::atom("e2"),
            Sexp::atom("library-byte"),
            Sexp::atoms(["lib.mllib", "lib.cma"]),
        ]);
        assert_eq!(
            FromPlugin::decode(&raw),
            Some(FromPlugin::Query(
                "7".into(),
                Query::Builtin {
                    eval: "e2".into(),
                    kind: "library-byte".into(),
                    args: vec!["lib.mllib".into(), "lib.cma".into()],
                }
            ))
        );
    }

    #[test]
    fn phases_order_like_ocamlbuild() {
        assert!(Phase::Init.before_builtins());
        assert!(Phase::BeforeRules.before_builtins());
        assert!(!Phase::AfterRules.before_builtins());
        assert!(!Phase::AfterOptions.after_tree());
        assert!(Phase::BeforeHygiene.after_tree());
    }
}
