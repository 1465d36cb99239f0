//! The command line, spelled as ocamlbuild spells it.
//!
//! ocamlbuild parses its arguments with OCaml's `Arg` module: single-dash
//! long options (`-build-dir`), an argument in the next word or after `=`
//! (`-j 4`, `-j=4`), list options that split on commas and blanks
//! (`-cflags -w,+a`), anonymous words as targets, and `--` handing the rest
//! to the program being built. No argument-parsing crate speaks this
//! dialect, so the table below drives a small parser. Every option of
//! ocamlbuild 0.14.1 is in the table; those whose feature has not landed
//! yet are refused with a clear message rather than ignored.

use std::fmt::Write as _;

use session::Request;

/// How an option takes its argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arity {
    /// No argument.
    None,
    /// One word.
    One,
    /// One integer.
    Int,
    /// One word split on commas and blanks.
    List,
}

/// Whether caravan implements an option yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Support {
    Yes,
    /// Not yet; the text names the feature it belongs to.
    Later(&'static str),
}

struct Spec {
    name: &'static str,
    arity: Arity,
    arg: &'static str,
    doc: &'static str,
    support: Support,
}

impl Spec {
    /// Whether the option is caravan's own, not ocamlbuild's: its help
    /// starts with `(caravan)`.
    fn is_caravans_own(&self) -> bool {
        self.doc.starts_with("(caravan)")
    }
}

const fn spec(
    name: &'static str,
    arity: Arity,
    arg: &'static str,
    doc: &'static str,
    support: Support,
) -> Spec {
    Spec {
        name,
        arity,
        arg,
        doc,
        support,
    }
}

use Arity::{Int, List, None as Flag, One};
use Support::{Later, Yes};

const NO_STDLIB: Support = Later("-no-stdlib (stdlib modules as mandatory dependencies)");

static SPECS: &[Spec] = &[
    spec("-version", Flag, "", "Display the version", Yes),
    spec("--version", Flag, "", "same as -version", Yes),
    spec("-vnum", Flag, "", "Display the version number", Yes),
    spec("--vnum", Flag, "", "same as -vnum", Yes),
    spec(
        "-quiet",
        Flag,
        "",
        "Make as quiet as possible (no command echo, no _log)",
        Yes,
    ),
    spec(
        "-verbose",
        Int,
        "<level>",
        "Classic display and more messages (0 to 8)",
        Yes,
    ),
    spec("-documentation", Flag, "", "Show rules and flags", Yes),
    spec(
        "-log",
        One,
        "<file>",
        "Set the log file, relative to the build directory (default _log)",
        Yes,
    ),
    spec("-no-log", Flag, "", "No log file", Yes),
    spec(
        "-clean",
        Flag,
        "",
        "Remove the build directory and the links to targets, then exit",
        Yes,
    ),
    spec(
        "-r",
        Flag,
        "",
        "Traverse sub-directories (on by default when _tags exists)",
        Yes,
    ),
    spec(
        "-watch",
        Flag,
        "",
        "(caravan) Build, then build again whenever a source changes (Ctrl-C stops)",
        Yes,
    ),
    spec("-w", Flag, "", "(caravan) Same as -watch", Yes),
    spec(
        "-search-all-dirs",
        Flag,
        "",
        "(caravan) Also look modules up in traversed folders that are not include \
         folders (ocamlbuild never does)",
        Yes,
    ),
    spec(
        "-mlstatelibs",
        One,
        "<dir>",
        "(caravan) The install root of the libraries and tools that build_libs and \
         build_tools declare external (default $MLSTATELIBS, else the build directory)",
        Yes,
    ),
    spec(
        "-merlin",
        Flag,
        "",
        "(caravan) Write the .merlin file of each source folder for merlin and ocaml-lsp \
         (then every build keeps them up to date; a .merlin you wrote is left alone)",
        Yes,
    ),
    spec(
        "-no-cache",
        Flag,
        "",
        "(caravan) Do not use the shared local cache (on by default, in \
         $CARAVAN_CACHE_DIR, else $XDG_CACHE_HOME/caravan/cache)",
        Yes,
    ),
    spec(
        "-cache-dir",
        One,
        "<dir>",
        "(caravan) Keep the local cache in <dir>",
        Yes,
    ),
    spec(
        "-cache-size",
        One,
        "<size>",
        "(caravan) Trim the local cache past <size> (bytes, or with K, M, G, T; default 5G)",
        Yes,
    ),
    spec(
        "-cache-stats",
        Flag,
        "",
        "(caravan) Show what the local cache holds, then exit",
        Yes,
    ),
    spec(
        "-cache-trim",
        Flag,
        "",
        "(caravan) Trim the local cache to its size limit, oldest use first, then exit",
        Yes,
    ),
    spec(
        "-remote-cache",
        One,
        "<url>",
        "(caravan) Share results through a remote cache: grpc://HOST:PORT or \
         grpcs://HOST:PORT (REAPI), http://HOST:PORT/PREFIX (Bazel HTTP cache)",
        Yes,
    ),
    spec(
        "-remote-exec",
        One,
        "<url>",
        "(caravan) Run actions on a REAPI server's workers (grpc:// or grpcs://), \
         its cache too; -j bounds the actions in flight",
        Yes,
    ),
    spec(
        "-remote-instance",
        One,
        "<name>",
        "(caravan) The REAPI instance name (default empty)",
        Yes,
    ),
    spec(
        "-remote-header",
        One,
        "<key=value>",
        "(caravan) Send a header with every remote request (a token); repeatable",
        Yes,
    ),
    spec(
        "-remote-ca",
        One,
        "<file>",
        "(caravan) The certificate authority of a grpcs:// server (PEM)",
        Yes,
    ),
    spec("-I", One, "<path>", "Add to include directories", Yes),
    spec(
        "-Is",
        List,
        "<path,...>",
        "(same as above, but accepts a (comma or blank)-separated list)",
        Yes,
    ),
    spec("-X", One, "<path>", "Directory to ignore", Yes),
    spec("-Xs", List, "<path,...>", "(idem)", Yes),
    spec("-lib", One, "<flag>", "Link to this ocaml library", Yes),
    spec("-libs", List, "<flag,...>", "(idem)", Yes),
    spec("-mod", One, "<module>", "Link to this ocaml module", Yes),
    spec("-mods", List, "<module,...>", "(idem)", Yes),
    spec(
        "-pkg",
        One,
        "<package>",
        "Link to this ocaml findlib package",
        Yes,
    ),
    spec("-pkgs", List, "<package,...>", "(idem)", Yes),
    spec("-package", One, "<package>", "(idem)", Yes),
    spec(
        "-syntax",
        One,
        "<syntax>",
        "Specify syntax using ocamlfind",
        Yes,
    ),
    spec("-lflag", One, "<flag>", "Add to ocamlc link flags", Yes),
    spec("-lflags", List, "<flag,...>", "(idem)", Yes),
    spec("-cflag", One, "<flag>", "Add to ocamlc compile flags", Yes),
    spec("-cflags", List, "<flag,...>", "(idem)", Yes),
    spec("-docflag", One, "<flag>", "Add to ocamldoc flags", Yes),
    spec("-docflags", List, "<flag,...>", "(idem)", Yes),
    spec("-yaccflag", One, "<flag>", "Add to ocamlyacc flags", Yes),
    spec("-yaccflags", List, "<flag,...>", "(idem)", Yes),
    spec("-lexflag", One, "<flag>", "Add to ocamllex flags", Yes),
    spec("-lexflags", List, "<flag,...>", "(idem)", Yes),
    spec(
        "-ppflag",
        One,
        "<flag>",
        "Add to ocaml preprocessing flags",
        Yes,
    ),
    spec("-pp", List, "<flag,...>", "(idem)", Yes),
    spec("-tag", One, "<tag>", "Add to default tags", Yes),
    spec("-tags", List, "<tag,...>", "(idem)", Yes),
    spec(
        "-plugin-tag",
        One,
        "<tag>",
        "Use this tag when compiling the myocamlbuild.ml plugin",
        Yes,
    ),
    spec("-plugin-tags", List, "<tag,...>", "(idem)", Yes),
    spec(
        "-tag-line",
        One,
        "<tag>",
        "Use this line of tags (as in _tags)",
        Yes,
    ),
    spec(
        "-show-tags",
        One,
        "<path>",
        "Show tags that applies on that pathname",
        Yes,
    ),
    spec(
        "-ignore",
        List,
        "<module,...>",
        "Don't try to build these modules",
        Yes,
    ),
    spec(
        "-no-links",
        Flag,
        "",
        "Don't make links of produced final targets",
        Yes,
    ),
    spec(
        "-no-skip",
        Flag,
        "",
        "Don't skip modules that are requested by ocamldep but cannot be built",
        Yes,
    ),
    spec(
        "-no-hygiene",
        Flag,
        "",
        "Don't apply sanity-check rules",
        Yes,
    ),
    spec("-no-plugin", Flag, "", "Don't build myocamlbuild.ml", Yes),
    spec(
        "-no-stdlib",
        Flag,
        "",
        "Don't ignore stdlib modules",
        NO_STDLIB,
    ),
    spec(
        "-dont-catch-errors",
        Flag,
        "",
        "Don't catch and display exceptions (useful to display the call stack)",
        Later("ocamlbuild's debugging aids"),
    ),
    spec("-just-plugin", Flag, "", "Just build myocamlbuild.ml", Yes),
    spec(
        "-byte-plugin",
        Flag,
        "",
        "Don't use a native plugin but bytecode",
        Yes,
    ),
    spec(
        "-plugin-option",
        One,
        "<option>",
        "Use the option only when plugin is run",
        Yes,
    ),
    spec(
        "-sanitization-script",
        One,
        "<name>",
        "Change the file name for the generated sanitization script",
        Yes,
    ),
    spec(
        "-no-sanitize",
        Flag,
        "",
        "Do not generate sanitization script",
        Yes,
    ),
    spec(
        "-nothing-should-be-rebuilt",
        Flag,
        "",
        "Fail if something needs to be rebuilt",
        Yes,
    ),
    spec(
        "-keep-going",
        Flag,
        "",
        "(caravan) After a failed command, build everything that does not depend on it \
         and show every error (the default)",
        Yes,
    ),
    spec(
        "-stop-on-first-error",
        Flag,
        "",
        "(caravan) Stop at the first failed command, as ocamlbuild does",
        Yes,
    ),
    spec(
        "-classic-display",
        Flag,
        "",
        "Display executed commands the old-fashioned way",
        Yes,
    ),
    spec(
        "-trace",
        One,
        "<file>",
        "(caravan) Write where the time went as a Chrome trace-event file \
         (Perfetto, chrome://tracing)",
        Yes,
    ),
    spec(
        "-explain",
        One,
        "<target>",
        "(caravan) Say why each action of the last build that leads to <target> ran, then exit",
        Yes,
    ),
    spec(
        "-graph",
        One,
        "<dot|json>",
        "(caravan) Print the recorded build graph of the targets (all when none), then exit",
        Yes,
    ),
    spec(
        "-stats",
        Flag,
        "",
        "(caravan) Print where the run's time went, phase by phase, and the number of files \
         hashed (as CARAVAN_STATS=1 does)",
        Yes,
    ),
    spec(
        "-use-menhir",
        Flag,
        "",
        "Use menhir instead of ocamlyacc",
        Yes,
    ),
    spec(
        "-use-jocaml",
        Flag,
        "",
        "Use jocaml compilers instead of ocaml ones",
        Later("JoCaml (discontinued)"),
    ),
    spec(
        "-use-ocamlfind",
        Flag,
        "",
        "Use the 'ocamlfind' wrapper (-no-ocamlfind to disable)",
        Yes,
    ),
    spec("-no-ocamlfind", Flag, "", "Don't use ocamlfind", Yes),
    spec(
        "-plugin-use-ocamlfind",
        Flag,
        "",
        "Use the 'ocamlfind' wrapper for building myocamlbuild.ml",
        Yes,
    ),
    spec(
        "-plugin-no-ocamlfind",
        Flag,
        "",
        "Don't use ocamlfind for building myocamlbuild.ml",
        Yes,
    ),
    spec(
        "-toolchain",
        One,
        "<toolchain>",
        "Set the Findlib toolchain to use",
        Yes,
    ),
    spec(
        "-j",
        Int,
        "<N>",
        "Allow N jobs at once (0 for unlimited; default: the number of cores)",
        Yes,
    ),
    spec(
        "-build-dir",
        One,
        "<path>",
        "Set build directory (implies no-links)",
        Yes,
    ),
    spec(
        "-install",
        One,
        "<dir>",
        "(caravan) Build, then install each library (findlib META, .cmi/.cmx/.mli/.cmti, \
         archives, C stubs) in DIR/<lib>; `-` is -mlstatelibs, else $MLSTATELIBS, else findlib's destdir",
        Yes,
    ),
    spec(
        "-uninstall",
        One,
        "<dir>",
        "(caravan) Remove exactly what -install DIR wrote there",
        Yes,
    ),
    spec(
        "-install-file",
        Flag,
        "",
        "(caravan) Build, then write <project>.install (opam's format) instead of copying",
        Yes,
    ),
    spec(
        "-install-lib-dir",
        One,
        "<path>",
        "Set the install library directory (with -install: libraries go there, not in DIR)",
        Yes,
    ),
    spec(
        "-install-bin-dir",
        One,
        "<path>",
        "Set the install binary directory (with -install: programs named as targets go there)",
        Yes,
    ),
    spec(
        "-where",
        Flag,
        "",
        "Display the install library directory",
        Yes,
    ),
    spec(
        "-which",
        One,
        "<command>",
        "Display path to the tool command",
        Yes,
    ),
    spec(
        "-ocamlc",
        One,
        "<command>",
        "Set the OCaml bytecode compiler",
        Yes,
    ),
    spec(
        "-plugin-ocamlc",
        One,
        "<command>",
        "Set the OCaml bytecode compiler used when building myocamlbuild.ml (only)",
        Yes,
    ),
    spec(
        "-ocamlopt",
        One,
        "<command>",
        "Set the OCaml native compiler",
        Yes,
    ),
    spec(
        "-plugin-ocamlopt",
        One,
        "<command>",
        "Set the OCaml native compiler used when building myocamlbuild.ml (only)",
        Yes,
    ),
    spec(
        "-ocamldep",
        One,
        "<command>",
        "Set the OCaml dependency tool (used only with preprocessors)",
        Yes,
    ),
    spec(
        "-ocamldoc",
        One,
        "<command>",
        "Set the OCaml documentation generator",
        Yes,
    ),
    spec(
        "-ocamlyacc",
        One,
        "<command>",
        "Set the ocamlyacc tool",
        Yes,
    ),
    spec(
        "-menhir",
        One,
        "<command>",
        "Set the menhir tool (use it after -use-menhir)",
        Yes,
    ),
    spec("-ocamllex", One, "<command>", "Set the ocamllex tool", Yes),
    spec(
        "-ocamlmklib",
        One,
        "<command>",
        "Set the ocamlmklib tool",
        Yes,
    ),
    spec(
        "-ocamlmktop",
        One,
        "<command>",
        "Set the ocamlmktop tool",
        Yes,
    ),
    spec("-ocamlrun", One, "<command>", "Set the ocamlrun tool", Yes),
    spec(
        "--",
        Flag,
        "",
        "Stop argument processing, remaining arguments are given to the user program",
        Yes,
    ),
    spec("-help", Flag, "", "Display this list of options", Yes),
    spec("--help", Flag, "", "Display this list of options", Yes),
];

/// What to print instead of building.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Info {
    /// `-version`.
    Version,
    /// `-vnum`.
    Vnum,
    /// `-where`.
    Where,
    /// `-help`.
    Help,
    /// `-which TOOL`.
    Which(String),
    /// `-explain TARGET`.
    Explain(String),
    /// `-graph FORMAT`.
    Graph(GraphFormat),
    /// `-cache-stats`.
    CacheStats,
    /// `-cache-trim`.
    CacheTrim,
}

/// The language of `-graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// Graphviz.
    Dot,
    /// JSON.
    Json,
}

/// How much to say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    /// `-quiet`.
    Quiet,
    /// The default.
    Normal,
    /// `-verbose N`.
    Verbose(u32),
}

/// The parsed command line: the build request, and what only the binary
/// uses (how to display, where to log, what to print instead of building).
#[derive(Clone, Debug)]
pub struct Cli {
    /// The build request.
    pub request: Request,
    /// `-quiet` / `-verbose`.
    pub verbosity: Verbosity,
    /// `-classic-display`.
    pub classic_display: bool,
    /// `-log` (`None` after `-no-log`).
    pub log: Option<String>,
    /// `-trace FILE`: the Chrome trace-event file to write.
    pub trace: Option<String>,
    /// `-stats` (or `CARAVAN_STATS` set): print the run's timings.
    pub stats: bool,
    /// `-version`, `-help`...
    pub info: Option<Info>,
    /// `-watch`, `-w`: build again after every change.
    pub watch: bool,
}

impl Default for Cli {
    fn default() -> Cli {
        Cli {
            request: Request::default(),
            verbosity: Verbosity::Normal,
            classic_display: false,
            log: Some("_log".to_string()),
            trace: None,
            stats: std::env::var_os("CARAVAN_STATS").is_some(),
            info: None,
            watch: false,
        }
    }
}

/// Why the command line was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum CliError {
    /// An unknown option or a bad argument: one line and `Try -help.`, exit 1.
    Usage(String),
    /// A recognised option whose feature has not landed yet.
    NotSupported {
        /// The option.
        option: String,
        /// The feature it belongs to.
        feature: &'static str,
    },
}

/// Parses the arguments (without the program name).
pub fn parse(args: &[String]) -> Result<Cli, CliError> {
    let mut cli = Cli::default();
    let mut i = 0;
    while i < args.len() {
        let word = &args[i];
        i += 1;
        if word == "--" {
            cli.request.program_args = Some(args[i..].to_vec());
            break;
        }
        if !word.starts_with('-') || word == "-" {
            cli.request.targets.push(word.clone());
            continue;
        }
        let (name, inline) = match SPECS.iter().find(|s| s.name == word) {
            Some(_) => (word.as_str(), None),
            None => match word.split_once('=') {
                Some((n, v)) if SPECS.iter().any(|s| s.name == n) => (n, Some(v.to_string())),
                _ => {
                    return Err(CliError::Usage(format!("unknown option '{word}'.")));
                }
            },
        };
        let Some(spec) = SPECS.iter().find(|s| s.name == name) else {
            return Err(CliError::Usage(format!("unknown option '{word}'.")));
        };
        let value = match spec.arity {
            Arity::None => None,
            _ => match inline {
                Some(v) => Some(v),
                None => {
                    let v = args.get(i).cloned();
                    i += 1;
                    match v {
                        Some(v) => Some(v),
                        None => {
                            return Err(CliError::Usage(format!(
                                "option '{name}' needs an argument."
                            )));
                        }
                    }
                }
            },
        };
        if let Support::Later(feature) = spec.support {
            return Err(CliError::NotSupported {
                option: name.to_string(),
                feature,
            });
        }
        apply(&mut cli, spec, value)?;
    }
    Ok(cli)
}

/// Options that only observe a build: left out of the words the build
/// keeps (the plugin's command line, the null-build key), so that
/// observing a build neither changes it nor confuses a plugin.
const OBSERVERS: &[&str] = &[
    "-trace",
    "-stats",
    // Where results come from does not change them.
    "-no-cache",
    "-cache-dir",
    "-cache-size",
    "-remote-cache",
    "-remote-exec",
    "-remote-instance",
    "-remote-header",
    "-remote-ca",
];

/// `args` without the observing options and their arguments (before
/// `--`).
pub fn build_words(args: &[String]) -> Vec<String> {
    words_without(args, &|s: &Spec| OBSERVERS.contains(&s.name))
}

/// `args` as a plugin may see them: without caravan's own options (and
/// their arguments), which ocamlbuild's `Arg` parsing in the plugin would
/// refuse.
pub fn plugin_words(args: &[String]) -> Vec<String> {
    words_without(args, &Spec::is_caravans_own)
}

/// `args` without the options `leave` picks and their arguments (before
/// `--`).
fn words_without(args: &[String], leave: &dyn Fn(&Spec) -> bool) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut i = 0;
    while i < args.len() {
        let word = &args[i];
        i += 1;
        if word == "--" {
            out.extend(args[i - 1..].iter().cloned());
            break;
        }
        let name = word.split_once('=').map_or(word.as_str(), |(n, _)| n);
        match SPECS.iter().find(|s| s.name == name) {
            Some(s) if leave(s) => {
                if s.arity != Arity::None && name == word {
                    i += 1;
                }
            }
            _ => out.push(word.clone()),
        }
    }
    out
}

fn int_arg(name: &str, value: &str) -> Result<i64, CliError> {
    value.trim().parse::<i64>().map_err(|_| {
        CliError::Usage(format!(
            "wrong argument '{value}'; option '{name}' expects an integer."
        ))
    })
}

/// Splits a list argument on commas and blanks, as ocamlbuild does.
fn split_list(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn apply(cli: &mut Cli, spec: &Spec, value: Option<String>) -> Result<(), CliError> {
    let v = value.unwrap_or_default();
    match spec.name {
        "-version" | "--version" => cli.info = Some(Info::Version),
        "-vnum" | "--vnum" => cli.info = Some(Info::Vnum),
        "-where" => cli.info = Some(Info::Where),
        "-which" => cli.info = Some(Info::Which(v)),
        "-help" | "--help" => cli.info = Some(Info::Help),
        "-quiet" => cli.verbosity = Verbosity::Quiet,
        "-verbose" => {
            let n = int_arg(spec.name, &v)?;
            cli.verbosity = Verbosity::Verbose(n.clamp(0, 8) as u32);
        }
        "-log" => cli.log = Some(v),
        "-no-log" => cli.log = None,
        "-clean" => cli.request.clean = true,
        "-r" => cli.request.recursive = true,
        "-search-all-dirs" => cli.request.search_all_dirs = true,
        "-mlstatelibs" => cli.request.install_root = Some(v),
        "-watch" | "-w" => cli.watch = true,
        "-merlin" => cli.request.merlin = true,
        "-no-cache" => cli.request.sharing.local_cache = false,
        "-cache-dir" => cli.request.sharing.cache_dir = Some(v.into()),
        "-cache-size" => {
            let bytes = session::parse_size(&v).ok_or_else(|| {
                CliError::Usage(format!(
                    "wrong argument '{v}'; option '-cache-size' expects a size such as 500M or 10G."
                ))
            })?;
            cli.request.sharing.cache_max_bytes = Some(bytes);
        }
        "-cache-stats" => cli.info = Some(Info::CacheStats),
        "-cache-trim" => cli.info = Some(Info::CacheTrim),
        "-remote-cache" | "-remote-exec" => {
            cli.request.sharing.remote = Some(session::RemoteRequest {
                url: v,
                execute: spec.name == "-remote-exec",
            });
        }
        "-remote-instance" => cli.request.sharing.remote_instance = v,
        "-remote-ca" => cli.request.sharing.remote_ca = Some(v.into()),
        "-remote-header" => {
            let Some((k, val)) = v.split_once('=') else {
                return Err(CliError::Usage(format!(
                    "wrong argument '{v}'; option '-remote-header' expects KEY=VALUE."
                )));
            };
            cli.request
                .sharing
                .remote_headers
                .push((k.to_string(), val.to_string()));
        }
        "-I" => cli.request.include_dirs.push(v),
        "-Is" => cli.request.include_dirs.extend(split_list(&v)),
        "-X" => cli.request.exclude_dirs.push(v),
        "-Xs" => cli.request.exclude_dirs.extend(split_list(&v)),
        "-lib" => cli.request.libs.push(v),
        "-libs" => cli.request.libs.extend(split_list(&v)),
        "-mod" => cli.request.mods.push(v),
        "-mods" => cli.request.mods.extend(split_list(&v)),
        "-lflag" => cli.request.lflags.push(v),
        "-lflags" => cli.request.lflags.extend(split_list(&v)),
        "-cflag" => cli.request.cflags.push(v),
        "-cflags" => cli.request.cflags.extend(split_list(&v)),
        "-no-links" => cli.request.no_links = true,
        "-no-hygiene" => cli.request.hygiene = false,
        "-no-plugin" => cli.request.no_plugin = true,
        "-sanitization-script" => cli.request.sanitization_script = v,
        "-no-sanitize" => cli.request.sanitize = false,
        "-classic-display" => cli.classic_display = true,
        "-trace" => cli.trace = Some(v),
        "-stats" => cli.stats = true,
        "-explain" => {
            // A target never starts with '-': `-explain -I lib x` left out
            // the target, and must not explain a target named "-I".
            if v.starts_with('-') {
                return Err(CliError::Usage(format!(
                    "wrong argument '{v}'; option '-explain' expects a target, as in '-explain main.native'."
                )));
            }
            cli.info = Some(Info::Explain(v));
        }
        "-graph" => {
            let format = match v.as_str() {
                "dot" => GraphFormat::Dot,
                "json" => GraphFormat::Json,
                _ => {
                    return Err(CliError::Usage(format!(
                        "wrong argument '{v}'; option '-graph' expects dot or json."
                    )));
                }
            };
            cli.info = Some(Info::Graph(format));
        }
        "-j" => {
            let n = int_arg(spec.name, &v)?;
            cli.request.jobs = Some(n.max(0) as usize);
        }
        "-build-dir" => cli.request.build_dir = Some(v),
        "-install" => cli.request.install.action = Some(session::InstallAction::Install(v)),
        "-uninstall" => cli.request.install.action = Some(session::InstallAction::Uninstall(v)),
        "-install-file" => cli.request.install.action = Some(session::InstallAction::File),
        "-install-lib-dir" => cli.request.install.lib_dir = Some(v),
        "-install-bin-dir" => cli.request.install.bin_dir = Some(v),
        "-ocamlc" => cli.request.ocamlc = Some(v),
        "-ocamlopt" => cli.request.ocamlopt = Some(v),
        "-ocamldep" => cli.request.ocamldep = Some(v),
        "-ocamlrun" => cli.request.ocamlrun = Some(v),
        "-ocamlmklib" => cli.request.ocamlmklib = Some(v),
        "-ocamlmktop" => cli.request.ocamlmktop = Some(v),
        "-tag" => cli.request.tags.push(v),
        "-tags" => cli.request.tags.extend(split_list(&v)),
        "-tag-line" => cli.request.tag_lines.push(v),
        "-show-tags" => cli.request.show_tags.push(v),
        "-documentation" => cli.request.documentation = true,
        "-ppflag" => cli.request.ppflags.push(v),
        "-pp" => cli.request.ppflags.extend(split_list(&v)),
        "-yaccflag" => cli.request.yaccflags.push(v),
        "-yaccflags" => cli.request.yaccflags.extend(split_list(&v)),
        "-lexflag" => cli.request.lexflags.push(v),
        "-lexflags" => cli.request.lexflags.extend(split_list(&v)),
        "-docflag" => cli.request.docflags.push(v),
        "-docflags" => cli.request.docflags.extend(split_list(&v)),
        "-ocamllex" => cli.request.ocamllex = Some(v),
        "-ocamlyacc" | "-menhir" => cli.request.parser_generator = Some(v),
        "-ocamldoc" => cli.request.ocamldoc = Some(v),
        "-use-menhir" => cli.request.use_menhir = true,
        "-ignore" => cli
            .request
            .ignore
            .extend(split_list(&v).map(|m| capitalize_first(&m))),
        "-no-skip" => cli.request.no_skip = true,
        "-nothing-should-be-rebuilt" => cli.request.nothing_should_be_rebuilt = true,
        "-keep-going" => cli.request.keep_going = true,
        "-stop-on-first-error" => cli.request.keep_going = false,
        "-plugin-tag" => cli.request.plugin_tags.push(v),
        "-use-ocamlfind" => {
            cli.request.ocamlfind = Some(true);
            cli.request.plugin_ocamlfind = Some(true);
        }
        "-no-ocamlfind" => {
            cli.request.ocamlfind = Some(false);
            cli.request.plugin_ocamlfind = Some(false);
        }
        "-plugin-use-ocamlfind" => cli.request.plugin_ocamlfind = Some(true),
        "-plugin-no-ocamlfind" => cli.request.plugin_ocamlfind = Some(false),
        "-just-plugin" => cli.request.just_plugin = true,
        "-byte-plugin" => cli.request.byte_plugin = true,
        // The option is for the plugin's own command line: caravan skips it.
        "-plugin-option" => {}
        "-plugin-ocamlc" => cli.request.plugin_ocamlc = Some(v),
        "-plugin-ocamlopt" => cli.request.plugin_ocamlopt = Some(v),
        "-pkg" | "-package" => cli.request.packages.push(v),
        "-pkgs" => cli.request.packages.extend(split_list(&v)),
        "-syntax" => cli.request.syntaxes.push(v),
        "-toolchain" => cli.request.toolchain = Some(v),
        "-plugin-tags" => cli.request.plugin_tags.extend(split_list(&v)),
        other => {
            return Err(CliError::Usage(format!(
                "option '{other}' is recognised but has no handler (this is a bug in caravan)."
            )));
        }
    }
    Ok(())
}

fn capitalize_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// The usage text (`-help`).
pub fn usage() -> String {
    let mut s = String::new();
    s.push_str("Usage: caravan [options] <target> ...\n");
    s.push_str(
        "Builds OCaml targets the way ocamlbuild does, in parallel and incrementally.\n\
         Targets: foo.native, foo.byte, foo.cmo, foo.cmx, foo.cmi, foo.cma, foo.cmxa,\n\
         foo.cmxs, foo.top, foo.otarget, libfoo.a, foo.byte.o, foo.native.o, foo.byte.exe,\n\
         foo.ml.depends, foo.inferred.mli, foo.pp.ml, foo.docdir/index.html, ... Everything\n\
         is built in _build/; programs are linked at the root. `caravan foo.native -- ARGS`\n\
         builds foo.native and runs it.\n\n\
         Options:\n",
    );
    for spec in SPECS {
        let head = if spec.arg.is_empty() {
            spec.name.to_string()
        } else {
            format!("{} {}", spec.name, spec.arg)
        };
        let note = match spec.support {
            Support::Yes => String::new(),
            Support::Later(f) => format!(" [not supported yet: {f}]"),
        };
        let _ = writeln!(s, "  {head:<28}{}{note}", spec.doc);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn targets_options_and_program_args() {
        let c = parse(&args(&[
            "-j",
            "4",
            "-I",
            "lib",
            "main.native",
            "--",
            "a",
            "-b",
        ]))
        .unwrap();
        assert_eq!(c.request.jobs, Some(4));
        assert_eq!(c.request.include_dirs, ["lib"]);
        assert_eq!(c.request.targets, ["main.native"]);
        assert_eq!(c.request.program_args, Some(args(&["a", "-b"])));
    }

    #[test]
    fn explain_needs_a_target_not_the_next_option() {
        match parse(&args(&["-explain", "-I", "lib", "main.native"])) {
            Err(CliError::Usage(m)) => assert_eq!(
                m,
                "wrong argument '-I'; option '-explain' expects a target, as in '-explain main.native'."
            ),
            other => panic!("expected a usage error, got {:?}", other.map(|c| c.info)),
        }
        let c = parse(&args(&["-I", "lib", "-explain", "main.native"])).unwrap();
        assert!(matches!(c.info, Some(Info::Explain(t)) if t == "main.native"));
    }

    #[test]
    fn equals_form_and_lists() {
        let c = parse(&args(&["-j=3", "-cflags", "-w,+a -g", "-cflag", "-w +a"])).unwrap();
        assert_eq!(c.request.jobs, Some(3));
        assert_eq!(c.request.cflags, ["-w", "+a", "-g", "-w +a"]);
    }

    #[test]
    fn bad_integer_and_unknown_option_are_usage_errors() {
        match parse(&args(&["-j", "x"])) {
            Err(CliError::Usage(m)) => {
                assert_eq!(m, "wrong argument 'x'; option '-j' expects an integer.")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse(&args(&["-foo"])), Err(CliError::Usage(_))));
        assert!(matches!(parse(&args(&["-j"])), Err(CliError::Usage(_))));
    }

    #[test]
    fn options_of_later_features_are_refused_by_name() {
        match parse(&args(&["-use-jocaml", "main.native"])) {
            Err(CliError::NotSupported { option, .. }) => assert_eq!(option, "-use-jocaml"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keep_going_is_the_default_and_the_last_word_wins() {
        let keep_going = |words: &[&str]| parse(&args(words)).map(|c| c.request.keep_going);
        assert_eq!(keep_going(&["a.byte"]), Ok(true));
        assert_eq!(keep_going(&["-stop-on-first-error", "a.byte"]), Ok(false));
        assert_eq!(
            keep_going(&["-stop-on-first-error", "-keep-going", "a.byte"]),
            Ok(true)
        );
    }

    #[test]
    fn caravans_own_options_are_left_out_of_the_plugins_words() {
        assert_eq!(
            plugin_words(&args(&[
                "-w",
                "-search-all-dirs",
                "-trace",
                "t.json",
                "-graph=dot",
                "-j",
                "2",
                "a.native",
                "-plugin-option",
                "-x",
                "--",
                "-w"
            ])),
            args(&["-j", "2", "a.native", "-plugin-option", "-x", "--", "-w"])
        );
    }

    #[test]
    fn observing_options_are_left_out_of_the_build_words() {
        assert_eq!(
            build_words(&args(&[
                "-trace", "t.json", "-j", "2", "-stats", "a.native", "-trace=u", "--", "-stats"
            ])),
            args(&["-j", "2", "a.native", "--", "-stats"])
        );
        assert!(parse(&args(&["-stats"])).unwrap().stats);
    }

    #[test]
    fn every_ocamlbuild_option_is_known() {
        // The 83 entries of `ocamlbuild -help` (0.14.1), and caravan's own.
        let own: Vec<&str> = SPECS
            .iter()
            .filter(|s| s.is_caravans_own())
            .map(|s| s.name)
            .collect();
        assert_eq!(
            own,
            [
                "-watch",
                "-w",
                "-search-all-dirs",
                "-mlstatelibs",
                "-merlin",
                "-no-cache",
                "-cache-dir",
                "-cache-size",
                "-cache-stats",
                "-cache-trim",
                "-remote-cache",
                "-remote-exec",
                "-remote-instance",
                "-remote-header",
                "-remote-ca",
                "-keep-going",
                "-stop-on-first-error",
                "-trace",
                "-explain",
                "-graph",
                "-stats",
                "-install",
                "-uninstall",
                "-install-file"
            ]
        );
        assert_eq!(SPECS.len() - own.len(), 83);
        let help = usage();
        for s in SPECS {
            assert!(help.contains(s.name));
        }
    }
}
