//! Compiling `myocamlbuild.ml` into `_build/myocamlbuild`, as ocamlbuild
//! does, against caravan's library instead of ocamlbuild's:
//!
//! ```text
//! ocamlopt.opt -g unix.cmxa -I +threads threads.cmxa -I LIB LIB/caravan_plugin.cmxa
//!   <flags of the plugin tags> [myocamlbuild_config.mli] [myocamlbuild_config.ml]
//!   myocamlbuild.ml LIB/caravan_plugin_main.cmx -o myocamlbuild
//! ```
//!
//! (`ocamlc` and `.cma`/`.cmo` with `-byte-plugin`; the package options of
//! `-plugin-use-ocamlfind` resolved in process.) The sources are copied into
//! the build directory and compiled there, so the compiler's messages name
//! `myocamlbuild.ml` as the user wrote it. Each mode keeps a copy of its
//! binary (`_build/.caravan/plugin/myocamlbuild-byte`, `-native`) and a
//! compile record (`compile-byte`, `compile-native`) holding the command, the
//! sources and that copy; the plugin is compiled again only when one of
//! them changed (a touched but unchanged source is hashed, not recompiled),
//! so a project whose driver alternates `-byte-plugin` and native calls
//! (ulex's Makefile) compiles each once.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use engine::{Digest, DigestBuilder, FileStat};

use super::PluginError;
use super::library::{self, Library, PluginMode};
use ocaml::ocamlfind::{CommandParts, FrontEnd, Ocamlfind};

/// The plugin's sources, in the order they are compiled.
pub const SOURCES: [&str; 3] = [
    "myocamlbuild_config.mli",
    "myocamlbuild_config.ml",
    "myocamlbuild.ml",
];

/// The project file holding the expression the declared layer runs in
/// `After_rules` (see `session::build_rules`).
pub const BUILD_RULES: &str = "build_rules.ml";

/// The binary's name in the build directory.
pub const BINARY: &str = "myocamlbuild";

/// How to compile the plugin.
pub struct PluginCompile<'a> {
    /// The project root.
    pub root: &'a Path,
    /// The build directory.
    pub build_dir: &'a Path,
    /// Native unless `-byte-plugin` (or no `ocamlopt`).
    pub mode: PluginMode,
    /// The compiler (`-plugin-ocamlc`/`-plugin-ocamlopt` or the one found).
    pub compiler: Vec<String>,
    /// A string that changes with the compiler binary.
    pub compiler_identity: String,
    /// The standard library directory.
    pub stdlib: PathBuf,
    /// The flags the plugin tags give a plugin link (`-plugin-tag`).
    pub tag_flags: Vec<String>,
    /// What ocamlbuild says about the plugin tags when it compiles the
    /// plugin (and only then): printed before the compile command.
    pub tag_warnings: Vec<String>,
    /// Set with `-plugin-use-ocamlfind` and plugin tags: resolve the
    /// package options in the tag flags.
    pub ocamlfind: Option<&'a Ocamlfind>,
    /// Whether to print the compile command (ocamlbuild does, unless
    /// `-quiet`).
    pub echo: bool,
    /// Generated sources (file name, text) compiled after the project's,
    /// before the main module: the module made from `build_rules.ml`.
    pub generated: Vec<(String, String)>,
}

/// A compiled plugin.
#[derive(Clone, Debug)]
pub struct PluginBinary {
    /// `_build/myocamlbuild`.
    pub path: PathBuf,
    /// Its content digest.
    pub digest: Digest,
    /// Whether this run compiled it.
    pub compiled: bool,
}

/// The compile record of a mode: what its last compile was made from.
#[derive(Debug, Default, PartialEq, Eq)]
struct CompileRecord {
    command: String,
    sources: Vec<(String, FileStat, Digest)>,
    binary: Option<(FileStat, Digest)>,
}

fn stat_text(s: &FileStat) -> String {
    format!("{} {} {} {}", s.size, s.mtime_ns, s.ctime_ns, s.inode)
}

impl CompileRecord {
    fn encode(&self) -> String {
        let mut out = String::from("caravan-plugin-compile 1\n");
        let _ = writeln!(out, "command {}", self.command);
        for (name, stat, digest) in &self.sources {
            let _ = writeln!(out, "source {name} {} {}", stat_text(stat), digest.to_hex());
        }
        if let Some((stat, digest)) = &self.binary {
            let _ = writeln!(out, "binary {} {}", stat_text(stat), digest.to_hex());
        }
        out
    }

    fn decode(text: &str) -> Option<CompileRecord> {
        let mut lines = text.lines();
        if lines.next()? != "caravan-plugin-compile 1" {
            return None;
        }
        let mut record = CompileRecord::default();
        let stat = |w: &[&str]| -> Option<FileStat> {
            Some(FileStat {
                size: w.first()?.parse().ok()?,
                mtime_ns: w.get(1)?.parse().ok()?,
                ctime_ns: w.get(2)?.parse().ok()?,
                inode: w.get(3)?.parse().ok()?,
            })
        };
        for line in lines {
            let words: Vec<&str> = line.split(' ').collect();
            match words.as_slice() {
                ["command", hex] => record.command = hex.to_string(),
                ["source", name, rest @ ..] if rest.len() == 5 => {
                    record
                        .sources
                        .push((name.to_string(), stat(rest)?, Digest::from_hex(rest[4])?))
                }
                ["binary", rest @ ..] if rest.len() == 5 => {
                    record.binary = Some((stat(rest)?, Digest::from_hex(rest[4])?))
                }
                _ => return None,
            }
        }
        Some(record)
    }
}

fn record_path(build_dir: &Path, mode: PluginMode) -> PathBuf {
    engine::state_dir(build_dir)
        .join("plugin")
        .join(format!("compile-{}", mode.tag()))
}

/// Where the binary of a mode is kept, the one that runs.
fn kept_binary(build_dir: &Path, mode: PluginMode) -> PathBuf {
    engine::state_dir(build_dir)
        .join("plugin")
        .join(format!("{BINARY}-{}", mode.tag()))
}

/// The plugin binary, compiled if it is missing or out of date.
pub fn ensure(c: &PluginCompile) -> Result<PluginBinary, PluginError> {
    let library = library::ensure(
        &c.compiler,
        &c.compiler_identity,
        c.mode,
        &c.stdlib,
        c.build_dir,
    )?;
    let sources: Vec<&str> = SOURCES
        .iter()
        .copied()
        .filter(|s| c.root.join(s).is_file())
        .collect();
    let compiled: Vec<&str> = sources
        .iter()
        .copied()
        .chain(c.generated.iter().map(|(n, _)| n.as_str()))
        .collect();
    let argv = command(c, &library, &compiled)?;
    let mut key = DigestBuilder::new("plugin-compile");
    key.str(&library.key);
    for w in &argv {
        key.str(w);
    }
    for (name, text) in &c.generated {
        key.str(name).str(text);
    }
    let main_source = if sources.contains(&"myocamlbuild.ml") {
        "myocamlbuild.ml"
    } else {
        BUILD_RULES
    };
    let command_key = key.finish().to_hex();
    let binary = c.build_dir.join(BINARY);
    let kept = kept_binary(c.build_dir, c.mode);
    let old = std::fs::read_to_string(record_path(c.build_dir, c.mode))
        .ok()
        .and_then(|t| CompileRecord::decode(&t));
    let io = |p: &Path, e: std::io::Error| {
        PluginError::new(4, format!("Error: cannot read {}: {e}", p.display()))
    };

    // The current sources: stat, and hash only what the stat says changed.
    let mut current = Vec::new();
    for s in &sources {
        let p = c.root.join(s);
        let stat = FileStat::of_path(&p)
            .map_err(|e| io(&p, e))?
            .ok_or_else(|| io(&p, std::io::ErrorKind::NotFound.into()))?;
        let known = old.as_ref().and_then(|o| {
            o.sources
                .iter()
                .find(|(n, st, _)| n == s && *st == stat)
                .map(|(_, _, d)| *d)
        });
        let digest = match known {
            Some(d) => d,
            None => Digest::of_file(&p).map_err(|e| io(&p, e))?,
        };
        current.push((s.to_string(), stat, digest));
    }
    if let Some(old) = &old
        && old.command == command_key
        && old.sources.len() == current.len()
        && old
            .sources
            .iter()
            .zip(&current)
            .all(|(a, b)| a.0 == b.0 && a.2 == b.2)
        && let Some((stat, digest)) = old.binary
        && FileStat::of_path(&kept).ok().flatten() == Some(stat)
    {
        if old.sources != current {
            // Touched, not changed: remember the new stats.
            let record = CompileRecord {
                command: command_key,
                sources: current,
                binary: Some((stat, digest)),
            };
            write_record(c.build_dir, c.mode, &record);
        }
        return Ok(PluginBinary {
            path: kept,
            digest,
            compiled: false,
        });
    }

    // Compile: copy the sources next to the binary, as ocamlbuild does.
    let _ = std::fs::remove_file(record_path(c.build_dir, c.mode));
    for s in &sources {
        let from = c.root.join(s);
        let text = std::fs::read(&from).map_err(|e| io(&from, e))?;
        engine::write_atomic(&c.build_dir.join(s), &text, 0)
            .map_err(|e| PluginError::new(4, format!("Error: {e}")))?;
    }
    for (name, text) in &c.generated {
        engine::write_atomic(&c.build_dir.join(name), text.as_bytes(), 0)
            .map_err(|e| PluginError::new(4, format!("Error: {e}")))?;
    }
    let _ = std::fs::remove_file(&binary);
    for w in &c.tag_warnings {
        println!("{w}");
    }
    let shown = argv
        .iter()
        .map(|w| engine::shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ");
    if c.echo {
        println!("{shown}");
    }
    let out = Command::new(&argv[0])
        .args(&argv[1..])
        .current_dir(c.build_dir)
        .output()
        .map_err(|e| {
            PluginError::new(
                2,
                format!(
                    "Error: cannot run {} to compile {main_source}: {e}",
                    argv[0]
                ),
            )
        })?;
    let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
    output.push_str(&String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        let code = out
            .status
            .code()
            .map(|c| c.to_string())
            .unwrap_or_else(|| "a signal".into());
        return Err(PluginError::new(
            10,
            format!(
                "+ {shown}\n{output}Command exited with code {code}.\nError: while compiling \
                 {main_source}: the plugin does not compile (the compiler's message is above)."
            ),
        ));
    }
    if !output.trim().is_empty() {
        // Warnings, shown as ocamlbuild shows a command's output.
        print!("+ {shown}\n{output}");
    }
    if !binary.is_file() {
        return Err(PluginError::new(
            9,
            "Error: we failed to build the plugin".to_string(),
        ));
    }
    // The copy that runs, kept for this mode (written under a temporary
    // name, then renamed, so no run sees half of it).
    let partial = kept.with_extension("partial");
    if let Some(dir) = kept.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    std::fs::copy(&binary, &partial).map_err(|e| io(&partial, e))?;
    std::fs::rename(&partial, &kept).map_err(|e| io(&kept, e))?;
    let stat = FileStat::of_path(&kept)
        .map_err(|e| io(&kept, e))?
        .ok_or_else(|| PluginError::new(9, "Error: we failed to build the plugin".to_string()))?;
    let digest = Digest::of_file(&kept).map_err(|e| io(&kept, e))?;
    write_record(
        c.build_dir,
        c.mode,
        &CompileRecord {
            command: command_key,
            sources: current,
            binary: Some((stat, digest)),
        },
    );
    Ok(PluginBinary {
        path: kept,
        digest,
        compiled: true,
    })
}

fn write_record(build_dir: &Path, mode: PluginMode, record: &CompileRecord) {
    let p = record_path(build_dir, mode);
    if let Some(dir) = p.parent()
        && std::fs::create_dir_all(dir).is_ok()
    {
        // Without a record the next run only compiles again.
        let _ = engine::write_atomic(&p, record.encode().as_bytes(), 0);
    }
}

/// The compile command, ocamlbuild's with caravan's library.
fn command(
    c: &PluginCompile,
    library: &Library,
    sources: &[&str],
) -> Result<Vec<String>, PluginError> {
    let lib_dir = library.dir.to_string_lossy().into_owned();
    let mut before: Vec<String> = vec!["-g".into()];
    let mut files: Vec<String> = sources
        .iter()
        .map(|s| s.to_string())
        .chain([library.main.to_string_lossy().into_owned()])
        .collect();
    let after = vec!["-o".to_string(), BINARY.to_string()];
    match c.ocamlfind {
        None => {
            before.extend(library::system_libraries(c.mode, &c.stdlib));
            before.extend([
                "-I".into(),
                lib_dir,
                library.archive.to_string_lossy().into_owned(),
            ]);
            before.extend(c.tag_flags.iter().cloned());
            let mut argv = c.compiler.clone();
            argv.extend(before);
            argv.extend(files);
            argv.extend(after);
            Ok(argv)
        }
        Some(of) => {
            // ocamlbuild: `-package unix -package ocamlbuild` instead of the
            // archives; here caravan's library takes ocamlbuild's place.
            before.extend([
                "-thread".into(),
                "-package".into(),
                "unix".into(),
                "-package".into(),
                "threads.posix".into(),
                "-linkpkg".into(),
                "-I".into(),
                lib_dir,
            ]);
            before.extend(c.tag_flags.iter().cloned());
            // After the packages' archives, which it uses.
            files.insert(0, library.archive.to_string_lossy().into_owned());
            let tool = match c.mode {
                PluginMode::Byte => FrontEnd::Ocamlc,
                PluginMode::Native => FrontEnd::Ocamlopt,
            };
            let parts = CommandParts {
                before,
                files,
                after,
            };
            of.translate(tool, &c.compiler, parts)
                .map(|t| t.argv)
                .map_err(|e| {
                    PluginError::new(2, format!("Error: while compiling myocamlbuild.ml: {e}"))
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compile_records_round_trip() {
        let st = FileStat {
            size: 3,
            mtime_ns: 4,
            ctime_ns: 5,
            inode: 6,
        };
        let s = CompileRecord {
            command: "abc".into(),
            sources: vec![("myocamlbuild.ml".into(), st, Digest::of_bytes(b"x"))],
            binary: Some((st, Digest::of_bytes(b"y"))),
        };
        assert_eq!(CompileRecord::decode(&s.encode()), Some(s));
        assert_eq!(CompileRecord::decode("garbage"), None);
    }
}
