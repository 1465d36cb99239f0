//! The OCaml toolchain: where the compilers are and what `ocamlc -config` says.
//!
//! Tools are found as ocamlbuild finds them: `X.opt` on `PATH` first, then
//! `X` (so the native-code builds of the compilers are used when installed).
//! `-ocamlc CMD` and friends override a tool with a command line of their
//! own. The configuration is the answer to `-config` of the first of
//! ocamlc, ocamlopt and the ocamlc that ocamlfind runs that gives one (a
//! `-ocamlc` wrapper need not), cached in the build directory, keyed by
//! the words and the stat of every compiler asked, so a null build does not
//! run a compiler at all.
//!
//! The generators and ocamldoc ([`Tool`]) are looked up the first time a
//! rule needs one, so a build without parsers never searches for them.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use engine::{DigestBuilder, FileStat};

use crate::error::{Error, Result};
use crate::rule_error::{Category, RuleError};

/// Command lines given on the command line for tools (`-ocamlc CMD`...).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ToolOverrides {
    /// `-ocamlc`.
    pub ocamlc: Option<String>,
    /// `-ocamlopt`.
    pub ocamlopt: Option<String>,
    /// `-ocamldep`.
    pub ocamldep: Option<String>,
    /// `-ocamlrun` (kept for `--`; bytecode programs are run directly).
    pub ocamlrun: Option<String>,
    /// `-ocamllex`.
    pub ocamllex: Option<String>,
    /// `-ocamlyacc` or `-menhir`: as in ocamlbuild, both set the command
    /// of the parser generator, whichever it is.
    pub parser_generator: Option<String>,
    /// `-ocamldoc`.
    pub ocamldoc: Option<String>,
    /// `-ocamlmklib`.
    pub ocamlmklib: Option<String>,
    /// `-ocamlmktop`.
    pub ocamlmktop: Option<String>,
}

/// A tool found on first use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// `ocamllex`.
    Ocamllex,
    /// `ocamlyacc`.
    Ocamlyacc,
    /// `menhir`.
    Menhir,
    /// `ocamldoc`.
    Ocamldoc,
}

impl Tool {
    fn index(self) -> usize {
        self as usize
    }

    /// The tool called `name`, if it is one of these.
    pub fn from_name(name: &str) -> Option<Tool> {
        [
            Tool::Ocamllex,
            Tool::Ocamlyacc,
            Tool::Menhir,
            Tool::Ocamldoc,
        ]
        .into_iter()
        .find(|t| t.name() == name)
    }

    /// The tool's name.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Ocamllex => "ocamllex",
            Tool::Ocamlyacc => "ocamlyacc",
            Tool::Menhir => "menhir",
            Tool::Ocamldoc => "ocamldoc",
        }
    }

    /// The Debian package that provides it.
    fn package(self) -> &'static str {
        match self {
            Tool::Menhir => "menhir",
            _ => "ocaml-nox",
        }
    }

    /// Whether ocamlbuild counts it among the compiler's own tools, looked
    /// up by path (`/usr/bin/ocamllex.opt`); others are run by their bare
    /// name (`menhir`), found on `PATH` by the shell.
    fn is_core(self) -> bool {
        self != Tool::Menhir
    }
}

/// A looked-up tool: its argv words and a string that changes with its
/// binary, for the keys of the actions that run it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundTool {
    /// The command, as argv words.
    pub argv: Vec<String>,
    /// The command and the stat of its binary.
    pub identity: String,
}

type ToolSlot = OnceLock<std::result::Result<FoundTool, String>>;

/// The compilers and their configuration.
#[derive(Clone, Debug)]
pub struct Toolchain {
    /// The bytecode compiler, as argv words.
    pub ocamlc: Vec<String>,
    /// The native compiler; `None` when not installed.
    pub ocamlopt: Option<Vec<String>>,
    /// The dependency generator (used only where a preprocessor applies).
    pub ocamldep: Vec<String>,
    /// The C library maker; `None` when not found.
    pub ocamlmklib: Option<Vec<String>>,
    /// The toplevel maker; `None` when not found.
    pub ocamlmktop: Option<Vec<String>>,
    /// `ocamlc -config`, as key/value pairs.
    pub config: HashMap<String, String>,
    /// A string that changes whenever a compiler binary or its version
    /// changes; folded into every compile and link action key.
    pub identity: String,
    /// `-ocamllex`, `-ocamlyacc`/`-menhir`, `-ocamldoc`.
    overrides: ToolOverrides,
    /// The tools of [`Tool`], found on first use.
    tools: Arc<[ToolSlot; 4]>,
}

impl Toolchain {
    /// The tool commands this toolchain was found for.
    pub fn overrides(&self) -> &ToolOverrides {
        &self.overrides
    }

    /// Finds the tools and reads their configuration, using the cache in
    /// `cache_dir` when none of the compilers asked for it has changed.
    pub fn discover(overrides: &ToolOverrides, cache_dir: &Path) -> Result<Toolchain> {
        let ocamlc = tool_command(overrides.ocamlc.as_deref(), "ocamlc")?;
        let ocamlopt = tool_command(overrides.ocamlopt.as_deref(), "ocamlopt").ok();
        let ocamldep = tool_command(overrides.ocamldep.as_deref(), "ocamldep")?;
        let ocamlmklib = tool_command(overrides.ocamlmklib.as_deref(), "ocamlmklib").ok();
        let ocamlmktop = tool_command(overrides.ocamlmktop.as_deref(), "ocamlmktop").ok();
        let mut identity = DigestBuilder::new("toolchain");
        for cmd in [Some(&ocamlc), ocamlopt.as_ref(), Some(&ocamldep)]
            .into_iter()
            .flatten()
        {
            for w in cmd {
                identity.str(w);
            }
            if let Some(stat) = binary_stat(&cmd[0]) {
                identity
                    .u64(stat.size)
                    .u64(stat.mtime_ns as u64)
                    .u64(stat.inode);
            }
        }
        let candidates = [Some(ocamlc.clone()), ocamlopt.clone()]
            .into_iter()
            .flatten()
            .chain(std::iter::once_with(ocamlfind_compiler).flatten());
        let config = read_config(candidates, cache_dir)?;
        if let Some(v) = config.get("version") {
            identity.str(v);
        }
        Ok(Toolchain::of_parts(
            [ocamlc, ocamldep],
            [ocamlopt, ocamlmklib, ocamlmktop],
            config,
            identity.finish().to_hex(),
            overrides,
        ))
    }

    /// A toolchain described instead of discovered: each compiler is the
    /// command `commands` gives for it, split into words and used as it is
    /// (nothing is looked up on `PATH` or run), and the configuration is
    /// `config`, a text in the format `ocamlc -config` prints. A tool
    /// `commands` leaves out is not installed, except the generators and
    /// ocamldoc, found on first use as [`Toolchain::discover`] finds them
    /// (give them to have nothing looked up). The identity is made of the
    /// words and the configuration's version. This is the way to describe
    /// a toolchain that is not on this machine (the rules' unit tests
    /// describe one that never runs).
    pub fn described(commands: &ToolOverrides, config: &str) -> Result<Toolchain> {
        let words = |cmd: &Option<String>, name: &str| -> Result<Option<Vec<String>>> {
            cmd.as_deref()
                .map(|c| {
                    shlex::split(c).filter(|w| !w.is_empty()).ok_or_else(|| {
                        Error::Toolchain(format!("cannot parse the -{name} command {c:?}"))
                    })
                })
                .transpose()
        };
        let required = |cmd: &Option<String>, name: &str| -> Result<Vec<String>> {
            words(cmd, name)?.ok_or_else(|| {
                Error::Toolchain(format!("a described toolchain needs a {name} command"))
            })
        };
        let ocamlc = required(&commands.ocamlc, "ocamlc")?;
        let ocamldep = required(&commands.ocamldep, "ocamldep")?;
        let ocamlopt = words(&commands.ocamlopt, "ocamlopt")?;
        let ocamlmklib = words(&commands.ocamlmklib, "ocamlmklib")?;
        let ocamlmktop = words(&commands.ocamlmktop, "ocamlmktop")?;
        let config = parse_config(config);
        let mut identity = DigestBuilder::new("described toolchain");
        for cmd in [Some(&ocamlc), ocamlopt.as_ref(), Some(&ocamldep)]
            .into_iter()
            .flatten()
        {
            for w in cmd {
                identity.str(w);
            }
        }
        identity.str(config.get("version").map(String::as_str).unwrap_or(""));
        Ok(Toolchain::of_parts(
            [ocamlc, ocamldep],
            [ocamlopt, ocamlmklib, ocamlmktop],
            config,
            identity.finish().to_hex(),
            commands,
        ))
    }

    /// A toolchain of found parts: the required tools (ocamlc, ocamldep),
    /// the optional ones (ocamlopt, ocamlmklib, ocamlmktop), the
    /// configuration and the identity; the other tools are found on first
    /// use.
    fn of_parts(
        [ocamlc, ocamldep]: [Vec<String>; 2],
        [ocamlopt, ocamlmklib, ocamlmktop]: [Option<Vec<String>>; 3],
        config: HashMap<String, String>,
        identity: String,
        overrides: &ToolOverrides,
    ) -> Toolchain {
        Toolchain {
            ocamlc,
            ocamlopt,
            ocamldep,
            ocamlmklib,
            ocamlmktop,
            config,
            identity,
            overrides: overrides.clone(),
            tools: Arc::new(Default::default()),
        }
    }

    /// A generator or documentation tool: the `-ocamllex`, `-ocamlyacc`/
    /// `-menhir` or `-ocamldoc` command when given, otherwise found as
    /// ocamlbuild finds it. Looked up once per run.
    pub fn tool(&self, tool: Tool) -> Result<FoundTool> {
        let slot = &self.tools[tool.index()];
        slot.get_or_init(|| self.find_tool(tool).map_err(|e| e.to_string()))
            .clone()
            .map_err(Error::Toolchain)
    }

    fn find_tool(&self, tool: Tool) -> Result<FoundTool> {
        let given = match tool {
            Tool::Ocamllex => self.overrides.ocamllex.as_deref(),
            Tool::Ocamlyacc | Tool::Menhir => self.overrides.parser_generator.as_deref(),
            Tool::Ocamldoc => self.overrides.ocamldoc.as_deref(),
        };
        let argv = tool_argv(tool, given)?;
        let mut identity = DigestBuilder::new("tool");
        for w in &argv {
            identity.str(w);
        }
        if let Some(stat) = argv.first().and_then(|p| binary_stat(p)) {
            identity
                .u64(stat.size)
                .u64(stat.mtime_ns as u64)
                .u64(stat.inode);
        }
        Ok(FoundTool {
            argv,
            identity: identity.finish().to_hex(),
        })
    }

    /// The standard library directory.
    pub fn stdlib(&self) -> PathBuf {
        PathBuf::from(
            self.config
                .get("standard_library")
                .map(String::as_str)
                .unwrap_or("/usr/lib/ocaml"),
        )
    }

    /// The extension of object files, without the dot (`o`).
    pub fn ext_obj(&self) -> &str {
        self.config
            .get("ext_obj")
            .map(|s| s.trim_start_matches('.'))
            .unwrap_or("o")
    }

    /// The extension of static libraries, without the dot (`a`).
    pub fn ext_lib(&self) -> &str {
        self.config
            .get("ext_lib")
            .map(|s| s.trim_start_matches('.'))
            .unwrap_or("a")
    }

    /// The extension of shared libraries, without the dot (`so`).
    pub fn ext_dll(&self) -> &str {
        self.config
            .get("ext_dll")
            .map(|s| s.trim_start_matches('.'))
            .unwrap_or("so")
    }

    /// Whether the platform builds shared libraries (`dllX.so`).
    pub fn supports_shared_libraries(&self) -> bool {
        self.config
            .get("supports_shared_libraries")
            .is_none_or(|v| v == "true")
    }

    /// `ocamlmklib`, or an error saying it is missing.
    pub fn ocamlmklib(&self) -> std::result::Result<&[String], engine::Error> {
        self.ocamlmklib.as_deref().ok_or_else(|| {
            missing_tool(
                "ocamlmklib",
                "C libraries (.clib) and archives tagged ocamlmklib",
            )
        })
    }

    /// `ocamlmktop`, or an error saying it is missing.
    pub fn ocamlmktop(&self) -> std::result::Result<&[String], engine::Error> {
        self.ocamlmktop
            .as_deref()
            .ok_or_else(|| missing_tool("ocamlmktop", "toplevels (.mltop)"))
    }

    /// The words of `ocamlmklib` and `ocamlmktop`, for the actions that run
    /// them.
    pub fn tools_identity(&self) -> String {
        let mut d = DigestBuilder::new("tools");
        for tool in [&self.ocamlmklib, &self.ocamlmktop].into_iter().flatten() {
            for w in tool {
                d.str(w);
            }
            if let Some(stat) = binary_stat(&tool[0]) {
                d.u64(stat.size).u64(stat.mtime_ns as u64).u64(stat.inode);
            }
        }
        d.finish().to_hex()
    }

    /// The native compiler, or an error saying it is missing.
    pub fn ocamlopt(&self) -> Result<&[String]> {
        self.ocamlopt.as_deref().ok_or_else(|| {
            Error::Toolchain(
                "the native-code compiler ocamlopt is not installed; build .byte targets \
                 or install it (Debian: apt-get install ocaml-nox)"
                    .to_string(),
            )
        })
    }
}

/// The argv words of a generator or documentation tool: `given` (the
/// `-ocamllex`... command) split into words as ocamlbuild runs it through
/// the shell, or the tool found as ocamlbuild finds it (`X.opt`, then `X`,
/// by path for the compiler's tools; by bare name for menhir).
pub fn tool_argv(tool: Tool, given: Option<&str>) -> Result<Vec<String>> {
    if let Some(cmd) = given {
        return shlex::split(cmd).filter(|w| !w.is_empty()).ok_or_else(|| {
            Error::Toolchain(format!("cannot parse the -{} command {cmd:?}", tool.name()))
        });
    }
    let missing = || {
        Error::Toolchain(format!(
            "{} was not found on PATH; install it (Debian: apt-get install {}) or name it \
             with -{}",
            tool.name(),
            tool.package(),
            tool.name()
        ))
    };
    if tool.is_core() {
        return tool_command(None, tool.name()).map_err(|_| missing());
    }
    let opt = format!("{}.opt", tool.name());
    if find_in_path(&opt).is_some() {
        Ok(vec![opt])
    } else if find_in_path(tool.name()).is_some() {
        Ok(vec![tool.name().to_string()])
    } else {
        Err(missing())
    }
}

fn missing_tool(name: &str, what: &str) -> engine::Error {
    RuleError::new(
        Category::Toolchain,
        format!(
            "{name} was not found on PATH; caravan needs it for {what}.\nHint: install the \
             OCaml compilers' tools (Debian: apt-get install ocaml-nox), or give it with \
             -{name} CMD."
        ),
    )
    .into()
}

/// The argv words of a tool: the override split like a shell would, or the
/// first of `X.opt`, `X` found on `PATH`.
pub fn tool_command(override_cmd: Option<&str>, name: &str) -> Result<Vec<String>> {
    if let Some(cmd) = override_cmd {
        let words = shlex::split(cmd)
            .filter(|w| !w.is_empty())
            .ok_or_else(|| Error::Toolchain(format!("cannot parse the -{name} command {cmd:?}")))?;
        let mut words = words;
        if let Some(first) = words.first_mut()
            && !first.contains('/')
            && let Some(found) = find_in_path(first)
        {
            *first = found.to_string_lossy().into_owned();
        }
        return Ok(words);
    }
    for candidate in [format!("{name}.opt"), name.to_string()] {
        if let Some(p) = find_in_path(&candidate) {
            return Ok(vec![p.to_string_lossy().into_owned()]);
        }
    }
    Err(Error::Toolchain(format!(
        "{name} was not found on PATH; install the OCaml compilers \
         (Debian: apt-get install ocaml-nox)"
    )))
}

/// camlp4's directory as ocamlbuild finds it: what `camlp4 -where` prints,
/// or `+camlp4` when camlp4 is not installed. It costs a process, so it is
/// only asked for when a camlp4 tag is used.
pub fn camlp4_dir() -> String {
    Command::new("camlp4")
        .arg("-where")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "+camlp4".to_string())
}

/// The first executable named `name` in `PATH`.
pub fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let candidate = dir.join(name);
        if is_executable(&candidate) {
            return Some(candidate);
        }
    }
    None
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn binary_stat(program: &str) -> Option<FileStat> {
    let p = if program.contains('/') {
        PathBuf::from(program)
    } else {
        find_in_path(program)?
    };
    FileStat::of_path(&p).ok().flatten()
}

/// The configuration of the compilers: `-config` of the first of
/// `candidates` that answers it, from the cache when no candidate up to the
/// one that answered has changed.
///
/// `-ocamlc X` may name a wrapper that does not know `-config` (ocamlbuild's
/// test suite uses `toto`); a build that never runs `X` must not fail for
/// it, so the configuration comes from the next candidate (`ocamlopt`, then
/// the compiler ocamlfind would run).
///
/// The cache file (`ocamlc-config` in the state directory) starts with one
/// line per candidate tried, in order: `# failed: ` or `# from: ` followed
/// by the candidate's words and the stat of its binary ([`CandidateId`]); the
/// output of `-config` follows. It is valid while the candidates of this
/// run have the same lines, so a change of `PATH`, of an override or of a
/// binary (including one that failed) asks again.
fn read_config<I>(candidates: I, cache_dir: &Path) -> Result<HashMap<String, String>>
where
    I: IntoIterator<Item = Vec<String>> + Clone,
{
    let cache = cache_dir.join("ocamlc-config");
    if let Ok(text) = fs::read_to_string(&cache)
        && let Some(body) = cached_config(&text, candidates.clone())
    {
        return Ok(parse_config(body));
    }
    let mut header = String::new();
    let mut failures = Vec::new();
    for argv in candidates {
        let id = CandidateId::of(&argv);
        match run_config(&argv) {
            Ok(body) => {
                // Without a file, nothing says when the answer changes.
                if id.has_file && fs::create_dir_all(cache_dir).is_ok() {
                    header.push_str(&format!("# from: {}\n", id.line));
                    // A failed cache write only costs a `-config` run next time.
                    let _ = engine::write_atomic(&cache, format!("{header}{body}").as_bytes(), 0);
                }
                return Ok(parse_config(&body));
            }
            Err(why) => {
                header.push_str(&format!("# failed: {}\n", id.line));
                failures.push(why);
            }
        }
    }
    Err(Error::Toolchain(format!(
        "cannot read the compilers' configuration:\n  {}\nHint: install the OCaml \
         compilers (Debian: apt-get install ocaml-nox), or name one that answers -config \
         with -ocamlc or -ocamlopt.",
        failures.join("\n  ")
    )))
}

/// The `-config` output that `text` (a cache file) holds, if its header
/// matches `candidates` as they are now.
fn cached_config<I>(text: &str, candidates: I) -> Option<&str>
where
    I: IntoIterator<Item = Vec<String>>,
{
    let mut candidates = candidates.into_iter();
    let mut rest = text;
    loop {
        let (line, after) = rest.split_once('\n')?;
        let id = CandidateId::of(&candidates.next()?);
        if let Some(s) = line.strip_prefix("# failed: ") {
            if id.line != s {
                return None;
            }
        } else if let Some(s) = line.strip_prefix("# from: ") {
            return (id.has_file && id.line == s).then_some(after);
        } else {
            return None;
        }
        rest = after;
    }
}

/// What identifies a candidate for the cache: its words and the stat of
/// its binary. A binary that is not there is stable too (it fails the
/// same way) until it appears, which changes the line.
struct CandidateId {
    line: String,
    has_file: bool,
}

impl CandidateId {
    fn of(argv: &[String]) -> CandidateId {
        match argv.first().and_then(|p| binary_stat(p)) {
            Some(s) => CandidateId {
                line: format!(
                    "{argv:?} {} {} {} {}",
                    s.size, s.mtime_ns, s.ctime_ns, s.inode
                ),
                has_file: true,
            },
            None => CandidateId {
                line: format!("{argv:?} (no file)"),
                has_file: false,
            },
        }
    }
}

/// `argv -config`'s output, or why it is not a configuration.
fn run_config(argv: &[String]) -> std::result::Result<String, String> {
    let shown = format!("{} -config", argv.join(" "));
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| format!("{shown}: empty command"))?;
    let out = Command::new(program)
        .args(args)
        .arg("-config")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("{shown}: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!("{shown}: {} {}", out.status, stderr.trim()));
    }
    let body = String::from_utf8_lossy(&out.stdout).into_owned();
    if !parse_config(&body).contains_key("standard_library") {
        return Err(format!("{shown}: printed no standard_library"));
    }
    Ok(body)
}

/// The compiler ocamlfind runs for `ocamlfind ocamlc` (findlib's
/// configuration may name another), found as ocamlbuild finds a tool.
fn ocamlfind_compiler() -> Option<Vec<String>> {
    let conf = findlib::Config::from_process().ok()?;
    tool_command(Some(conf.tool(findlib::Tool::Ocamlc)), "ocamlc").ok()
}

fn parse_config(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_config_lines() {
        let c = parse_config("version: 4.13.1\nstandard_library: /usr/lib/ocaml\next_obj: .o\n");
        assert_eq!(c["version"], "4.13.1");
        assert_eq!(c["ext_obj"], ".o");
    }

    #[test]
    fn overrides_are_split_into_words() {
        let words = tool_command(Some("ocamlc -annot"), "ocamlc").unwrap();
        assert_eq!(words.len(), 2);
        assert!(words[0].ends_with("ocamlc"));
        assert_eq!(words[1], "-annot");
    }

    #[test]
    fn a_described_toolchain_uses_its_commands_and_configuration_as_given() {
        let commands = ToolOverrides {
            ocamlc: Some("my-ocamlc -annot".into()),
            ocamldep: Some("my-ocamldep".into()),
            ocamllex: Some("my-lex".into()),
            ..ToolOverrides::default()
        };
        let tc = Toolchain::described(
            &commands,
            "version: 4.13.1\nstandard_library: /nowhere\next_obj: .obj\n",
        )
        .unwrap();
        assert_eq!(tc.ocamlc, ["my-ocamlc", "-annot"]);
        assert_eq!(tc.ocamldep, ["my-ocamldep"]);
        assert!(tc.ocamlopt().is_err());
        assert!(tc.ocamlmklib().is_err());
        assert_eq!(tc.stdlib(), PathBuf::from("/nowhere"));
        assert_eq!(tc.ext_obj(), "obj");
        assert_eq!(tc.tool(Tool::Ocamllex).unwrap().argv, ["my-lex"]);
        let without_ocamldep = ToolOverrides {
            ocamldep: None,
            ..commands
        };
        assert!(Toolchain::described(&without_ocamldep, "").is_err());
    }

    /// Writes an executable shell script.
    fn script(path: &Path, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn argv(p: &Path) -> Vec<String> {
        vec![p.to_string_lossy().into_owned()]
    }

    #[test]
    fn a_compiler_that_does_not_answer_config_gives_way_to_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let (wrapper, native) = (dir.path().join("toto"), dir.path().join("opt"));
        script(&wrapper, "exit 2");
        script(&native, "echo 'standard_library: /from/opt'");
        let cache = dir.path().join("cache");
        let candidates = [argv(&wrapper), argv(&native)];
        let config = read_config(candidates.clone(), &cache).unwrap();
        assert_eq!(config["standard_library"], "/from/opt");
        // Not found at all: the same.
        let missing = vec!["caravan-test-no-such-compiler".to_string()];
        let config = read_config([missing, argv(&native)], &cache).unwrap();
        assert_eq!(config["standard_library"], "/from/opt");
    }

    #[test]
    fn no_compiler_answering_config_is_an_error_naming_each() {
        let dir = tempfile::tempdir().unwrap();
        let wrapper = dir.path().join("toto");
        script(&wrapper, "echo 'no configuration here'");
        let missing = vec!["caravan-test-no-such-compiler".to_string()];
        let err = read_config([argv(&wrapper), missing], &dir.path().join("cache"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("toto -config: printed no standard_library"),
            "{err}"
        );
        assert!(
            err.contains("caravan-test-no-such-compiler -config: "),
            "{err}"
        );
    }

    #[test]
    fn the_cached_config_is_asked_again_when_a_candidate_changes() {
        let dir = tempfile::tempdir().unwrap();
        let (wrapper, native) = (dir.path().join("toto"), dir.path().join("opt"));
        let cache = dir.path().join("cache");
        script(&wrapper, "exit 2");
        let runs = dir.path().join("runs");
        script(
            &native,
            &format!(
                "echo x >> {}; echo 'standard_library: /from/opt'",
                runs.display()
            ),
        );
        let both = [argv(&wrapper), argv(&native)];
        let ran = || {
            fs::read_to_string(&runs)
                .unwrap_or_default()
                .lines()
                .count()
        };
        assert_eq!(
            read_config(both.clone(), &cache).unwrap()["standard_library"],
            "/from/opt"
        );
        // Cached: nothing runs while no binary changed.
        assert_eq!(
            read_config(both.clone(), &cache).unwrap()["standard_library"],
            "/from/opt"
        );
        assert_eq!(ran(), 1);
        // The wrapper that failed now answers: its stat changed.
        script(&wrapper, "echo 'standard_library: /from/the/wrapper'");
        assert_eq!(
            read_config(both.clone(), &cache).unwrap()["standard_library"],
            "/from/the/wrapper"
        );
        // Another first candidate: asked again.
        script(&native, "echo 'standard_library: /from/opt/again'");
        assert_eq!(
            read_config([argv(&native)], &cache).unwrap()["standard_library"],
            "/from/opt/again"
        );
        // A later candidate that was never run does not matter to the cache.
        let extra = [argv(&native), argv(&wrapper)];
        fs::remove_file(&wrapper).unwrap();
        assert_eq!(
            read_config(extra, &cache).unwrap()["standard_library"],
            "/from/opt/again"
        );
    }
}
