//! Configuration, read as ocamlfind 1.9.6 reads it: the configuration file
//! (`OCAMLFIND_CONF`, else the location compiled into ocamlfind), the
//! `*.conf` files of the directory named like it plus `.d`, on Debian the
//! `*.conf` files of `/usr/share/ocaml-findlib/`, toolchain variants
//! (`path(NAME) = "..."`), and the environment variables that override it
//! all (`OCAMLPATH`, `OCAMLFIND_DESTDIR`, `OCAMLLIB`, ...).
//!
//! Every configuration file has the syntax of a META file; only its
//! top-level definitions count. A variable is evaluated with the toolchain
//! name as the only predicate, so `ocamlc(cross) = "..."` applies only with
//! toolchain `cross`. The first file read wins between equally specific
//! definitions: the main file, then the `.d` files in directory order, then
//! the Debian directory.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::meta::{MetaFile, PackageDecl};
use crate::predicates::Predicates;
use crate::split;

/// The environment variables findlib reads.
pub const ENV_VARIABLES: &[&str] = &[
    "OCAMLFIND_CONF",
    "OCAMLFIND_TOOLCHAIN",
    "OCAMLPATH",
    "OCAMLFIND_DESTDIR",
    "OCAMLFIND_METADIR",
    "OCAMLFIND_COMMANDS",
    "OCAMLLIB",
    "CAMLLIB",
    "OCAMLFIND_LDCONF",
    "OCAMLFIND_IGNORE_DUPS_IN",
];

/// A snapshot of the environment variables that configure findlib (and
/// `PATH`, used to find where ocamlfind is installed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    vars: BTreeMap<String, String>,
}

impl Environment {
    /// No variables set.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The variables of this process (those of [`ENV_VARIABLES`] and `PATH`;
    /// values that are not UTF-8 are converted lossily).
    pub fn from_process() -> Self {
        let mut vars = BTreeMap::new();
        for name in ENV_VARIABLES.iter().copied().chain(["PATH"]) {
            if let Some(v) = std::env::var_os(name) {
                vars.insert(name.to_string(), v.to_string_lossy().into_owned());
            }
        }
        Environment { vars }
    }

    /// Sets a variable (builder style).
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_string(), value.to_string());
        self
    }

    /// Unsets a variable (builder style).
    pub fn without(mut self, name: &str) -> Self {
        self.vars.remove(name);
        self
    }

    /// The value of a variable, if set (possibly empty).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The value of a variable if set and not empty.
    fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }
}

/// What is compiled into an ocamlfind binary and cannot be read from its
/// configuration: where the configuration file is, the standard library
/// directory it was built for, and (Debian only) an extra directory of
/// `*.conf` files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// The default configuration file (when `OCAMLFIND_CONF` is not set).
    pub config_file: PathBuf,
    /// A directory whose `*.conf` files are read after all others (Debian's
    /// `/usr/share/ocaml-findlib/`).
    pub extra_config_dir: Option<PathBuf>,
    /// The standard library directory used when `stdlib` is not configured.
    pub stdlib: String,
    /// The `ld.conf` file used when `ldconf` is not configured.
    pub ldconf: String,
}

impl Platform {
    /// Debian's and Ubuntu's ocamlfind package.
    pub fn debian() -> Self {
        Platform {
            config_file: PathBuf::from("/etc/ocamlfind.conf"),
            extra_config_dir: Some(PathBuf::from("/usr/share/ocaml-findlib/")),
            stdlib: "/usr/lib/ocaml".to_string(),
            ldconf: "/usr/lib/ocaml/ld.conf".to_string(),
        }
    }

    /// An ocamlfind built from source or by opam with installation prefix
    /// `prefix` (configuration in `PREFIX/lib/findlib.conf` for opam,
    /// `PREFIX/etc/findlib.conf` otherwise).
    pub fn prefix(prefix: &Path) -> Self {
        let lib_conf = prefix.join("lib").join("findlib.conf");
        let config_file = if lib_conf.exists() {
            lib_conf
        } else {
            prefix.join("etc").join("findlib.conf")
        };
        let stdlib = split::concat(&prefix.join("lib").to_string_lossy(), "ocaml");
        Platform {
            config_file,
            extra_config_dir: None,
            ldconf: split::concat(&stdlib, "ld.conf"),
            stdlib,
        }
    }

    /// Guesses the platform of the `ocamlfind` found in `PATH` without
    /// running it: an ocamlfind in `/usr/bin` with `/etc/ocamlfind.conf`
    /// present is Debian's; otherwise the configuration is looked for next
    /// to the binary's prefix; with no ocamlfind, Debian's layout if
    /// present, else the build default `/usr/local`.
    pub fn detect(env: &Environment) -> Self {
        let debian_conf = Path::new("/etc/ocamlfind.conf");
        let found = env.get("PATH").and_then(|path| {
            split::search_path(path)
                .into_iter()
                .map(|d| Path::new(d).join("ocamlfind"))
                .find(|p| p.is_file())
        });
        if let Some(bin) = found {
            let bin = std::fs::canonicalize(&bin).unwrap_or(bin);
            if let Some(prefix) = bin.parent().and_then(Path::parent) {
                if prefix == Path::new("/usr") && debian_conf.exists() {
                    return Self::debian();
                }
                let p = Self::prefix(prefix);
                if p.config_file.exists() {
                    return p;
                }
            }
        }
        if debian_conf.exists() {
            Self::debian()
        } else {
            Self::prefix(Path::new("/usr/local"))
        }
    }
}

/// The programs ocamlfind runs, each renamable in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tool {
    /// `ocamlc`
    Ocamlc,
    /// `ocamlopt`
    Ocamlopt,
    /// `ocamlcp`
    Ocamlcp,
    /// `ocamloptp`
    Ocamloptp,
    /// `ocamlmklib`
    Ocamlmklib,
    /// `ocamlmktop`
    Ocamlmktop,
    /// `ocamldep`
    Ocamldep,
    /// `ocamlbrowser`
    Ocamlbrowser,
    /// `ocamldoc`
    Ocamldoc,
}

impl Tool {
    /// Every tool.
    pub const ALL: [Tool; 9] = [
        Tool::Ocamlc,
        Tool::Ocamlopt,
        Tool::Ocamlcp,
        Tool::Ocamloptp,
        Tool::Ocamlmklib,
        Tool::Ocamlmktop,
        Tool::Ocamldep,
        Tool::Ocamlbrowser,
        Tool::Ocamldoc,
    ];

    /// The tool's default command, which is also its configuration variable.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Ocamlc => "ocamlc",
            Tool::Ocamlopt => "ocamlopt",
            Tool::Ocamlcp => "ocamlcp",
            Tool::Ocamloptp => "ocamloptp",
            Tool::Ocamlmklib => "ocamlmklib",
            Tool::Ocamlmktop => "ocamlmktop",
            Tool::Ocamldep => "ocamldep",
            Tool::Ocamlbrowser => "ocamlbrowser",
            Tool::Ocamldoc => "ocamldoc",
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where to read the configuration from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigOptions {
    /// The configuration file, overriding `OCAMLFIND_CONF` (like
    /// `ocamlfind -config FILE`).
    pub config_file: Option<PathBuf>,
    /// The toolchain, overriding `OCAMLFIND_TOOLCHAIN` (like
    /// `ocamlfind -toolchain NAME`).
    pub toolchain: Option<String>,
    /// The environment variables.
    pub env: Environment,
    /// What is compiled into ocamlfind.
    pub platform: Platform,
}

impl ConfigOptions {
    /// This process's environment and the detected platform.
    pub fn from_process() -> Self {
        let env = Environment::from_process();
        let platform = Platform::detect(&env);
        ConfigOptions {
            config_file: None,
            toolchain: None,
            env,
            platform,
        }
    }

    /// An explicit configuration file with an empty environment and the
    /// Debian platform defaults (handy for tests and tools).
    pub fn with_file(config_file: impl Into<PathBuf>) -> Self {
        ConfigOptions {
            config_file: Some(config_file.into()),
            toolchain: None,
            env: Environment::empty(),
            platform: Platform::debian(),
        }
    }
}

/// The effective findlib configuration (what `ocamlfind printconf` shows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    config_file: PathBuf,
    search_path: Vec<String>,
    destdir: String,
    metadir: Option<String>,
    stdlib: String,
    ldconf: String,
    tools: BTreeMap<Tool, String>,
    ignore_dups_in: Vec<String>,
    toolchain: Option<String>,
    warnings: Vec<String>,
}

impl Config {
    /// Reads the configuration of this process (environment, detected
    /// platform).
    pub fn from_process() -> Result<Config> {
        Self::load(&ConfigOptions::from_process())
    }

    /// A configuration made directly: this search path and standard library,
    /// default tools, no files read.
    pub fn from_parts(search_path: &[&str], stdlib: &str) -> Config {
        Config {
            config_file: PathBuf::new(),
            search_path: search_path.iter().map(|s| s.to_string()).collect(),
            destdir: String::new(),
            metadir: None,
            stdlib: stdlib.to_string(),
            ldconf: split::concat(stdlib, "ld.conf"),
            tools: Tool::ALL
                .iter()
                .map(|t| (*t, t.name().to_string()))
                .collect(),
            ignore_dups_in: Vec::new(),
            toolchain: None,
            warnings: Vec::new(),
        }
    }

    /// Reads the configuration as ocamlfind does.
    pub fn load(opts: &ConfigOptions) -> Result<Config> {
        let env = &opts.env;
        let config_file: String = match (&opts.config_file, env.non_empty("OCAMLFIND_CONF")) {
            (Some(f), _) => f.to_string_lossy().into_owned(),
            (None, Some(f)) => f.to_string(),
            (None, None) => opts.platform.config_file.to_string_lossy().into_owned(),
        };
        let configd = format!("{config_file}.d");
        let file_exists = !config_file.is_empty() && Path::new(&config_file).exists();
        let dir_exists = Path::new(&configd).exists();
        if !config_file.is_empty() && !file_exists && !dir_exists {
            return Err(Error::ConfigNotFound {
                file: PathBuf::from(config_file),
            });
        }

        let mut files: Vec<MetaFile> = Vec::new();
        if file_exists {
            files.push(MetaFile::read(&config_file)?);
        }
        if dir_exists {
            files.extend(read_conf_dir(Path::new(&configd))?);
        }
        if let Some(extra) = opts
            .platform
            .extra_config_dir
            .as_ref()
            .filter(|d| d.exists())
        {
            files.extend(read_conf_dir(extra)?);
        }
        let combined = PackageDecl {
            name: String::new(),
            parent: None,
            definitions: files
                .iter()
                .filter_map(|f| f.main())
                .flat_map(|m| m.definitions.iter().cloned())
                .collect(),
            span: crate::meta::Span {
                line: 1,
                start: 0,
                end: 0,
            },
        };

        let toolchain: Option<String> = opts
            .toolchain
            .clone()
            .or_else(|| env.get("OCAMLFIND_TOOLCHAIN").map(str::to_string));
        let preds: Predicates = toolchain.iter().cloned().collect();
        let mut warnings = Vec::new();

        let platform = &opts.platform;
        let mut tools: BTreeMap<Tool, String> = Tool::ALL
            .iter()
            .map(|t| (*t, t.name().to_string()))
            .collect();
        let (mut search_path, mut destdir, mut metadir, mut stdlib, mut ldconf);
        if combined.definitions.is_empty() {
            search_path = Vec::new();
            destdir = String::new();
            metadir = "none".to_string();
            stdlib = platform.stdlib.clone();
            ldconf = platform.ldconf.clone();
        } else {
            let lookup = |name: &str, default: &str| {
                combined
                    .lookup(name, &preds)
                    .unwrap_or_else(|| default.to_string())
            };
            for t in Tool::ALL {
                tools.insert(t, lookup(t.name(), t.name()));
            }
            search_path = split::search_path(&lookup("path", ""))
                .into_iter()
                .map(str::to_string)
                .collect();
            destdir = lookup("destdir", "");
            metadir = lookup("metadir", "none");
            stdlib = lookup("stdlib", &platform.stdlib);
            ldconf = lookup("ldconf", &platform.ldconf);
            if let Some(tc) = toolchain
                .as_ref()
                .filter(|tc| !combined.mentions_predicate(tc))
            {
                warnings.push(format!("Undefined toolchain: {tc}"));
            }
        }

        // The environment overrides the files.
        if let Some(cmds) = env.get("OCAMLFIND_COMMANDS") {
            let mut seen: Vec<Tool> = Vec::new();
            for setting in split::words(cmds) {
                match setting.split_once('=') {
                    Some((formal, actual)) => {
                        if let Some(t) = Tool::ALL.iter().find(|t| t.name() == formal) {
                            // The first setting of a tool wins.
                            if !seen.contains(t) {
                                seen.push(*t);
                                tools.insert(*t, actual.to_string());
                            }
                        }
                    }
                    None => warnings.push(
                        "Please check the environment variable OCAMLFIND_COMMANDS".to_string(),
                    ),
                }
            }
        }
        if let Some(p) = env.get("OCAMLPATH") {
            let mut path: Vec<String> = split::search_path(p)
                .into_iter()
                .map(str::to_string)
                .collect();
            path.append(&mut search_path);
            search_path = path;
        }
        if let Some(d) = env.non_empty("OCAMLFIND_DESTDIR") {
            destdir = d.to_string();
        }
        if let Some(d) = env.non_empty("OCAMLFIND_METADIR") {
            metadir = d.to_string();
        }
        // OCAMLLIB, if set at all, hides CAMLLIB (even when empty).
        let env_stdlib = env
            .get("OCAMLLIB")
            .or_else(|| env.get("CAMLLIB"))
            .unwrap_or("");
        if !env_stdlib.is_empty() {
            stdlib = env_stdlib.to_string();
        }
        if let Some(l) = env.non_empty("OCAMLFIND_LDCONF") {
            ldconf = l.to_string();
        }
        let ignore_dups_in = env
            .get("OCAMLFIND_IGNORE_DUPS_IN")
            .map(|v| {
                split::search_path(v)
                    .into_iter()
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();

        Ok(Config {
            config_file: PathBuf::from(config_file),
            search_path,
            destdir,
            metadir: if metadir == "none" {
                None
            } else {
                Some(metadir)
            },
            stdlib,
            ldconf,
            tools,
            ignore_dups_in,
            toolchain,
            warnings,
        })
    }

    /// The configuration file that was read (or looked for).
    pub fn config_file(&self) -> &Path {
        &self.config_file
    }

    /// The directories searched for packages, in order (`OCAMLPATH` first).
    pub fn search_path(&self) -> Vec<&Path> {
        self.search_path.iter().map(Path::new).collect()
    }

    pub(crate) fn search_path_str(&self) -> &[String] {
        &self.search_path
    }

    /// Where `ocamlfind install` puts packages.
    pub fn destdir(&self) -> &Path {
        Path::new(&self.destdir)
    }

    /// Where `ocamlfind install` puts META files, if not in the package
    /// directories.
    pub fn metadir(&self) -> Option<&Path> {
        self.metadir.as_deref().map(Path::new)
    }

    /// The standard library directory.
    pub fn stdlib(&self) -> &Path {
        Path::new(&self.stdlib)
    }

    pub(crate) fn stdlib_str(&self) -> &str {
        &self.stdlib
    }

    /// The `ld.conf` file (or `ignore`).
    pub fn ldconf(&self) -> &Path {
        Path::new(&self.ldconf)
    }

    /// The command run for a tool.
    pub fn tool(&self, tool: Tool) -> &str {
        self.tools.get(&tool).map_or(tool.name(), String::as_str)
    }

    /// The directories whose duplicate packages are not warned about.
    pub fn ignore_dups_in(&self) -> Vec<&Path> {
        self.ignore_dups_in.iter().map(Path::new).collect()
    }

    /// The selected toolchain.
    pub fn toolchain(&self) -> Option<&str> {
        self.toolchain.as_deref()
    }

    /// Warnings ocamlfind would print while reading the configuration
    /// (without the `ocamlfind: [WARNING] ` prefix).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Replaces the search path (builder style).
    pub fn with_search_path(mut self, path: &[&str]) -> Self {
        self.search_path = path.iter().map(|s| s.to_string()).collect();
        self
    }
}

/// The `*.conf` files of a directory, in directory order.
fn read_conf_dir(dir: &Path) -> Result<Vec<MetaFile>> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        if name.to_string_lossy().ends_with(".conf") {
            files.push(MetaFile::read(dir.join(name))?);
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn opts(dir: &Path, env: Environment) -> ConfigOptions {
        ConfigOptions {
            config_file: None,
            toolchain: None,
            env: env.with(
                "OCAMLFIND_CONF",
                &dir.join("findlib.conf").to_string_lossy(),
            ),
            platform: Platform {
                config_file: PathBuf::from("/nonexistent/findlib.conf"),
                extra_config_dir: None,
                stdlib: "/std".into(),
                ldconf: "/std/ld.conf".into(),
            },
        }
    }

    fn write(dir: &Path, name: &str, text: &str) {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(p, text).unwrap();
    }

    #[test]
    fn path_destdir_and_tools_are_read() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            "findlib.conf",
            "path = \"/a:/b\"\ndestdir = \"/d\"\nocamlc = \"ocamlc.opt\"\n",
        );
        let c = Config::load(&opts(t.path(), Environment::empty())).unwrap();
        assert_eq!(c.search_path(), vec![Path::new("/a"), Path::new("/b")]);
        assert_eq!(c.destdir(), Path::new("/d"));
        assert_eq!(c.tool(Tool::Ocamlc), "ocamlc.opt");
        assert_eq!(c.tool(Tool::Ocamlopt), "ocamlopt");
        assert_eq!(c.stdlib(), Path::new("/std"));
        assert_eq!(c.ldconf(), Path::new("/std/ld.conf"));
        assert_eq!(c.metadir(), None);
    }

    #[test]
    fn conf_d_files_are_read_after_the_main_file() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "findlib.conf", "ocamlc = \"main\"\n");
        write(
            t.path(),
            "findlib.conf.d/x.conf",
            "ocamlc = \"d\"\nocamlopt = \"d-opt\"\n",
        );
        write(
            t.path(),
            "findlib.conf.d/ignored.txt",
            "ocamldep = \"no\"\n",
        );
        let c = Config::load(&opts(t.path(), Environment::empty())).unwrap();
        assert_eq!(c.tool(Tool::Ocamlc), "main");
        assert_eq!(c.tool(Tool::Ocamlopt), "d-opt");
        assert_eq!(c.tool(Tool::Ocamldep), "ocamldep");
    }

    #[test]
    fn conf_d_directory_alone_is_enough() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "findlib.conf.d/x.conf", "path = \"/only\"\n");
        let c = Config::load(&opts(t.path(), Environment::empty())).unwrap();
        assert_eq!(c.search_path(), vec![Path::new("/only")]);
    }

    #[test]
    fn missing_file_and_directory_is_an_error() {
        let t = tempfile::tempdir().unwrap();
        let e = Config::load(&opts(t.path(), Environment::empty())).unwrap_err();
        assert!(matches!(e, Error::ConfigNotFound { .. }), "{e}");
    }

    #[test]
    fn toolchain_variables_override_plain_ones() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            "findlib.conf",
            "path = \"/p\"\npath(cross) = \"/cross\"\nocamlc(cross) = \"x-ocamlc\"\n",
        );
        let mut o = opts(t.path(), Environment::empty());
        let plain = Config::load(&o).unwrap();
        assert_eq!(plain.search_path(), vec![Path::new("/p")]);
        o.toolchain = Some("cross".into());
        let cross = Config::load(&o).unwrap();
        assert_eq!(cross.search_path(), vec![Path::new("/cross")]);
        assert_eq!(cross.tool(Tool::Ocamlc), "x-ocamlc");
        assert!(cross.warnings().is_empty());
    }

    #[test]
    fn toolchain_from_environment_and_unknown_toolchain_warns() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "findlib.conf", "path = \"/p\"\n");
        let c = Config::load(&opts(
            t.path(),
            Environment::empty().with("OCAMLFIND_TOOLCHAIN", "nope"),
        ))
        .unwrap();
        assert_eq!(c.toolchain(), Some("nope"));
        assert_eq!(c.warnings(), &["Undefined toolchain: nope".to_string()]);
        assert_eq!(c.search_path(), vec![Path::new("/p")]);
    }

    #[test]
    fn environment_overrides_the_files() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            "findlib.conf",
            "path = \"/p\"\ndestdir = \"/d\"\nstdlib = \"/s\"\n",
        );
        let env = Environment::empty()
            .with("OCAMLPATH", "/e1::/e2")
            .with("OCAMLFIND_DESTDIR", "/ed")
            .with("CAMLLIB", "/camllib")
            .with("OCAMLFIND_LDCONF", "ignore")
            .with("OCAMLFIND_METADIR", "/meta")
            .with("OCAMLFIND_IGNORE_DUPS_IN", "/i1:/i2")
            .with("OCAMLFIND_COMMANDS", "ocamlc=c1 ocamlopt=o1,ocamlc=c2");
        let c = Config::load(&opts(t.path(), env)).unwrap();
        assert_eq!(
            c.search_path(),
            vec![Path::new("/e1"), Path::new("/e2"), Path::new("/p")]
        );
        assert_eq!(c.destdir(), Path::new("/ed"));
        assert_eq!(c.stdlib(), Path::new("/camllib"));
        assert_eq!(c.ldconf(), Path::new("ignore"));
        assert_eq!(c.metadir(), Some(Path::new("/meta")));
        assert_eq!(c.ignore_dups_in(), vec![Path::new("/i1"), Path::new("/i2")]);
        assert_eq!(c.tool(Tool::Ocamlc), "c1");
        assert_eq!(c.tool(Tool::Ocamlopt), "o1");
    }

    #[test]
    fn ocamllib_hides_camllib_even_when_empty() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "findlib.conf", "stdlib = \"/s\"\n");
        let env = Environment::empty()
            .with("OCAMLLIB", "")
            .with("CAMLLIB", "/camllib");
        let c = Config::load(&opts(t.path(), env)).unwrap();
        assert_eq!(c.stdlib(), Path::new("/s"));
    }

    #[test]
    fn ldconf_default_comes_from_the_platform_not_the_configured_stdlib() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "findlib.conf", "stdlib = \"/s\"\n");
        let c = Config::load(&opts(t.path(), Environment::empty())).unwrap();
        assert_eq!(c.ldconf(), Path::new("/std/ld.conf"));
    }

    #[test]
    fn syntax_error_in_config_names_the_file_and_line() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "findlib.conf", "path = \"/p\"\ndestdir \"/d\"\n");
        let e = Config::load(&opts(t.path(), Environment::empty())).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("findlib.conf\", line 2"), "{text}");
    }

    #[test]
    fn extra_platform_directory_comes_last() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "findlib.conf", "ocamlc = \"main\"\n");
        write(
            t.path(),
            "extra/z.conf",
            "ocamlc = \"extra\"\nocamldoc = \"extra-doc\"\n",
        );
        let mut o = opts(t.path(), Environment::empty());
        o.platform.extra_config_dir = Some(t.path().join("extra"));
        let c = Config::load(&o).unwrap();
        assert_eq!(c.tool(Tool::Ocamlc), "main");
        assert_eq!(c.tool(Tool::Ocamldoc), "extra-doc");
    }

    #[test]
    fn empty_configuration_gives_platform_defaults() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "findlib.conf", "# nothing\n");
        let c = Config::load(&opts(
            t.path(),
            Environment::empty().with("OCAMLFIND_TOOLCHAIN", "x"),
        ))
        .unwrap();
        assert!(c.search_path().is_empty());
        assert_eq!(c.stdlib(), Path::new("/std"));
        // ocamlfind only warns about a toolchain when some variable is set.
        assert!(c.warnings().is_empty());
    }
}
