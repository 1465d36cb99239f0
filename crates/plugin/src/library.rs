//! caravan's `Ocamlbuild_plugin` library (the OCaml sources of `plugin/`,
//! embedded in the binary), compiled once per compiler and kept in a cache
//! directory keyed by the compiler's identity and the sources.
//!
//! The cache is `$CARAVAN_CACHE_DIR`, else `$XDG_CACHE_HOME/caravan`, else
//! `~/.cache/caravan`, else the build directory's `.caravan`. A library is
//! compiled in a private directory and renamed into place, so concurrent
//! caravan processes never see a half-written one.

use std::path::{Path, PathBuf};
use std::process::Command;

use engine::DigestBuilder;

use super::PluginError;

/// The library's sources, in link order.
const SOURCES: &[(&str, &str)] = &[
    (
        "caravan_wire.ml",
        include_str!("../../../plugin/caravan_wire.ml"),
    ),
    (
        "ocamlbuild_pack__my_std.ml",
        include_str!("../../../plugin/ocamlbuild_pack__my_std.ml"),
    ),
    (
        "ocamlbuild_pack__loc.ml",
        include_str!("../../../plugin/ocamlbuild_pack__loc.ml"),
    ),
    (
        "ocamlbuild_pack__glob.ml",
        include_str!("../../../plugin/ocamlbuild_pack__glob.ml"),
    ),
    (
        "ocamlbuild_pack__log.ml",
        include_str!("../../../plugin/ocamlbuild_pack__log.ml"),
    ),
    (
        "ocamlbuild_pack__tags.ml",
        include_str!("../../../plugin/ocamlbuild_pack__tags.ml"),
    ),
    (
        "ocamlbuild_pack__shell.ml",
        include_str!("../../../plugin/ocamlbuild_pack__shell.ml"),
    ),
    (
        "ocamlbuild_pack__my_unix.ml",
        include_str!("../../../plugin/ocamlbuild_pack__my_unix.ml"),
    ),
    (
        "ocamlbuild_pack__slurp.ml",
        include_str!("../../../plugin/ocamlbuild_pack__slurp.ml"),
    ),
    (
        "ocamlbuild_pack__lexers.ml",
        include_str!("../../../plugin/ocamlbuild_pack__lexers.ml"),
    ),
    (
        "ocamlbuild_pack__declare.ml",
        include_str!("../../../plugin/ocamlbuild_pack__declare.ml"),
    ),
    (
        "ocamlbuild_pack__command.ml",
        include_str!("../../../plugin/ocamlbuild_pack__command.ml"),
    ),
    (
        "ocamlbuild_pack__exit_codes.ml",
        include_str!("../../../plugin/ocamlbuild_pack__exit_codes.ml"),
    ),
    (
        "ocamlbuild_pack__ocamlbuild_where.ml",
        include_str!("../../../plugin/ocamlbuild_pack__ocamlbuild_where.ml"),
    ),
    (
        "ocamlbuild_pack__options.ml",
        include_str!("../../../plugin/ocamlbuild_pack__options.ml"),
    ),
    (
        "ocamlbuild_pack__pathname.ml",
        include_str!("../../../plugin/ocamlbuild_pack__pathname.ml"),
    ),
    (
        "ocamlbuild_pack__param_tags.ml",
        include_str!("../../../plugin/ocamlbuild_pack__param_tags.ml"),
    ),
    (
        "ocamlbuild_pack__flags.ml",
        include_str!("../../../plugin/ocamlbuild_pack__flags.ml"),
    ),
    (
        "ocamlbuild_pack__tools.ml",
        include_str!("../../../plugin/ocamlbuild_pack__tools.ml"),
    ),
    (
        "ocamlbuild_pack__configuration.ml",
        include_str!("../../../plugin/ocamlbuild_pack__configuration.ml"),
    ),
    (
        "ocamlbuild_pack__ocaml_utils.ml",
        include_str!("../../../plugin/ocamlbuild_pack__ocaml_utils.ml"),
    ),
    (
        "ocamlbuild_pack__resource.ml",
        include_str!("../../../plugin/ocamlbuild_pack__resource.ml"),
    ),
    (
        "ocamlbuild_pack__rule.ml",
        include_str!("../../../plugin/ocamlbuild_pack__rule.ml"),
    ),
    (
        "ocamlbuild_pack__solver.ml",
        include_str!("../../../plugin/ocamlbuild_pack__solver.ml"),
    ),
    (
        "ocamlbuild_pack__findlib.ml",
        include_str!("../../../plugin/ocamlbuild_pack__findlib.ml"),
    ),
    (
        "ocamlbuild_pack__arch.ml",
        include_str!("../../../plugin/ocamlbuild_pack__arch.ml"),
    ),
    (
        "ocamlbuild_pack__ocaml_compiler.ml",
        include_str!("../../../plugin/ocamlbuild_pack__ocaml_compiler.ml"),
    ),
    (
        "ocamlbuild_pack__ocaml_tools.ml",
        include_str!("../../../plugin/ocamlbuild_pack__ocaml_tools.ml"),
    ),
    (
        "ocamlbuild_pack__hooks.ml",
        include_str!("../../../plugin/ocamlbuild_pack__hooks.ml"),
    ),
    (
        "ocamlbuild_pack.ml",
        include_str!("../../../plugin/ocamlbuild_pack.ml"),
    ),
    (
        "ocamlbuild_plugin.ml",
        include_str!("../../../plugin/ocamlbuild_plugin.ml"),
    ),
    (
        "caravan_layer.ml",
        include_str!("../../../plugin/caravan_layer.ml"),
    ),
];

/// The generated first module of the library: where the compiler that
/// compiled it lives, for `Ocamlbuild_pack.Ocamlbuild_where` (ocamlbuild's
/// `bindir` and `libdir` are those of the OCaml installation it belongs
/// to).
const WHERE_MODULE: &str = "caravan_where.ml";

fn where_source(compiler: &[String], stdlib: &Path) -> String {
    let program = compiler.first().map(String::as_str).unwrap_or("ocamlc");
    let found = if program.contains('/') {
        Some(PathBuf::from(program))
    } else {
        ocaml::toolchain::find_in_path(program)
    };
    let bindir = found
        .as_deref()
        .and_then(Path::parent)
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let quote = |s: &str| format!("{s:?}");
    format!(
        "(* Generated by caravan when it compiled this library. *)\nlet bindir = {}\nlet stdlib = {}\n",
        quote(&bindir),
        quote(&stdlib.display().to_string())
    )
}

/// The module linked after `myocamlbuild.ml`: the plugin's main loop.
const MAIN: (&str, &str) = (
    "caravan_plugin_main.ml",
    include_str!("../../../plugin/caravan_plugin_main.ml"),
);

/// Bytecode or native code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PluginMode {
    /// `ocamlc`, `.cma`/`.cmo`.
    Byte,
    /// `ocamlopt`, `.cmxa`/`.cmx`.
    Native,
}

impl PluginMode {
    /// `byte` or `native` (the plugin's link tag).
    pub fn tag(self) -> &'static str {
        match self {
            PluginMode::Byte => "byte",
            PluginMode::Native => "native",
        }
    }

    fn archive_ext(self) -> &'static str {
        match self {
            PluginMode::Byte => "cma",
            PluginMode::Native => "cmxa",
        }
    }

    fn object_ext(self) -> &'static str {
        match self {
            PluginMode::Byte => "cmo",
            PluginMode::Native => "cmx",
        }
    }
}

/// A compiled library.
#[derive(Clone, Debug)]
pub struct Library {
    /// Its directory (`-I` it).
    pub dir: PathBuf,
    /// `caravan_plugin.cma`/`.cmxa`.
    pub archive: PathBuf,
    /// `caravan_plugin_main.cmo`/`.cmx`, linked last.
    pub main: PathBuf,
    /// A digest of the sources and the compiler: the library's identity.
    pub key: String,
}

/// The libraries the plugin links with, before caravan's: `unix` and
/// `threads` (the compiler's `-I`/archive words for a mode).
pub fn system_libraries(mode: PluginMode, stdlib: &Path) -> Vec<String> {
    let ext = mode.archive_ext();
    let mut words = Vec::new();
    if stdlib.join("unix").join(format!("unix.{ext}")).is_file() {
        // OCaml 5 keeps unix in a directory of its own.
        words.extend(["-I".to_string(), "+unix".to_string()]);
    }
    words.push(format!("unix.{ext}"));
    words.extend(["-I".to_string(), "+threads".to_string()]);
    words.push(format!("threads.{ext}"));
    words
}

/// Where compiled libraries are kept.
pub fn cache_root(build_dir: &Path) -> PathBuf {
    let from_env = |v: &str| {
        std::env::var_os(v)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = from_env("CARAVAN_CACHE_DIR") {
        return d;
    }
    if let Some(d) = from_env("XDG_CACHE_HOME") {
        return d.join("caravan");
    }
    if let Some(h) = from_env("HOME") {
        return h.join(".cache").join("caravan");
    }
    engine::state_dir(build_dir)
}

/// The library for `compiler` in `mode`, compiled if the cache lacks it.
pub fn ensure(
    compiler: &[String],
    compiler_identity: &str,
    mode: PluginMode,
    stdlib: &Path,
    build_dir: &Path,
) -> Result<Library, PluginError> {
    let mut key = DigestBuilder::new("caravan-plugin-library");
    key.str(compiler_identity).str(mode.tag());
    for w in compiler {
        key.str(w);
    }
    for (name, text) in SOURCES.iter().chain([&MAIN]) {
        key.str(name).str(text);
    }
    let key = key.finish().to_hex();
    let primary = cache_root(build_dir).join("plugin-lib").join(&key[..32]);
    let library = |dir: PathBuf| Library {
        archive: dir.join(format!("caravan_plugin.{}", mode.archive_ext())),
        main: dir.join(format!("caravan_plugin_main.{}", mode.object_ext())),
        dir,
        key: key.clone(),
    };
    let found = library(primary.clone());
    if found.archive.is_file() && found.main.is_file() {
        return Ok(found);
    }
    match compile_into(&primary, compiler, mode, stdlib) {
        Ok(()) => Ok(found),
        Err(CompileError::Io(_)) => {
            // An unwritable cache: keep the library in the build directory.
            let local = engine::state_dir(build_dir)
                .join("plugin-lib")
                .join(&key[..32]);
            let lib = library(local.clone());
            if lib.archive.is_file() && lib.main.is_file() {
                return Ok(lib);
            }
            compile_into(&local, compiler, mode, stdlib).map_err(|e| e.into_plugin_error())?;
            Ok(lib)
        }
        Err(e) => Err(e.into_plugin_error()),
    }
}

enum CompileError {
    Io(String),
    Compiler(String),
}

impl CompileError {
    fn into_plugin_error(self) -> PluginError {
        match self {
            CompileError::Io(m) => PluginError::new(
                4,
                format!("Error: cannot write caravan's plugin library: {m}"),
            ),
            CompileError::Compiler(m) => PluginError::new(
                3,
                format!(
                    "{m}\nInternal error: caravan's Ocamlbuild_plugin library does not compile \
                     with this compiler.\nThis is a bug in caravan; please report it with the \
                     output of `ocamlc -version`."
                ),
            ),
        }
    }
}

fn compile_into(
    dest: &Path,
    compiler: &[String],
    mode: PluginMode,
    stdlib: &Path,
) -> Result<(), CompileError> {
    let io = |what: &str, p: &Path, e: std::io::Error| {
        CompileError::Io(format!("{what} {}: {e}", p.display()))
    };
    let parent = dest
        .parent()
        .ok_or_else(|| CompileError::Io("a cache directory without parent".into()))?;
    std::fs::create_dir_all(parent).map_err(|e| io("cannot create", parent, e))?;
    let tmp = parent.join(format!(".tmp-{}-{}", std::process::id(), unique()));
    std::fs::create_dir_all(&tmp).map_err(|e| io("cannot create", &tmp, e))?;
    let result = (|| {
        for (name, text) in SOURCES.iter().chain([&MAIN]) {
            let p = tmp.join(name);
            std::fs::write(&p, text).map_err(|e| io("cannot write", &p, e))?;
        }
        let p = tmp.join(WHERE_MODULE);
        std::fs::write(&p, where_source(compiler, stdlib))
            .map_err(|e| io("cannot write", &p, e))?;
        let mut common: Vec<String> = vec!["-g".into(), "-no-alias-deps".into()];
        let sys = system_libraries(mode, stdlib);
        // Only the -I parts of the system libraries matter to compile.
        let mut i = 0;
        while i < sys.len() {
            if sys[i] == "-I" && i + 1 < sys.len() {
                common.extend([sys[i].clone(), sys[i + 1].clone()]);
                i += 2;
            } else {
                i += 1;
            }
        }
        let archive = format!("caravan_plugin.{}", mode.archive_ext());
        let mut lib = common.clone();
        lib.extend(["-a".to_string(), "-o".to_string(), archive]);
        lib.push(WHERE_MODULE.to_string());
        lib.extend(SOURCES.iter().map(|(n, _)| n.to_string()));
        run(compiler, &lib, &tmp)?;
        let mut main = common;
        main.extend(["-c".to_string(), MAIN.0.to_string()]);
        run(compiler, &main, &tmp)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    match std::fs::rename(&tmp, dest) {
        Ok(()) => Ok(()),
        // Another caravan got there first: its copy is as good as ours.
        Err(_) if dest.is_dir() => {
            let _ = std::fs::remove_dir_all(&tmp);
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(io("cannot rename into", dest, e))
        }
    }
}

fn run(compiler: &[String], args: &[String], dir: &Path) -> Result<(), CompileError> {
    let (program, first) = compiler
        .split_first()
        .ok_or_else(|| CompileError::Compiler("no compiler".into()))?;
    let out = Command::new(program)
        .args(first)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| CompileError::Compiler(format!("cannot run {program}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(CompileError::Compiler(format!(
            "{} {}\n{}{}",
            compiler.join(" "),
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

fn unique() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_has_a_header_comment() {
        for (name, text) in SOURCES.iter().chain([&MAIN]) {
            assert!(text.starts_with("(* "), "{name} must open with a comment");
        }
    }
}
