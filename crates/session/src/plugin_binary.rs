//! The project's `myocamlbuild.ml`, from the session's side: compile it
//! (unless it is up to date), then open the configuration session —
//! replayed from the last run when nothing it depends on changed, live
//! otherwise.

use std::path::Path;

use engine::{DigestBuilder, FileStat};
use flags::{self, FlagOptions};
use ocaml::ocamlfind::Ocamlfind;
use ocaml::toolchain;
use plugin::build::{self, PluginBinary, PluginCompile};
use plugin::library::PluginMode;
use plugin::process::Launch;
use plugin::session::{self, Session, SessionError};
use tags::TagSet;

use crate::error::Error;
use crate::request::Request;

/// A compiled plugin, ready to run.
pub struct Plugin {
    /// The binary.
    pub binary: PluginBinary,
    /// How to start it.
    pub launch: Launch,
    /// The key its configuration session is saved under.
    pub key: String,
}

/// The plugin's arguments: caravan's, without the words `-plugin-option`
/// (so that what follows each reaches the plugin as an option of its own).
pub fn plugin_args(args: &[String]) -> Vec<String> {
    args.iter()
        .filter(|a| a.as_str() != "-plugin-option")
        .cloned()
        .collect()
}

/// Compiles the plugin if needed.
pub fn prepare(
    request: &Request,
    args: &[String],
    root: &Path,
    build_dir: &Path,
    stdlib: &Path,
    generated: Vec<(String, String)>,
) -> Result<Plugin, Error> {
    let mut mode = if request.byte_plugin {
        PluginMode::Byte
    } else {
        PluginMode::Native
    };
    let compiler_for = |mode: PluginMode| -> Result<Vec<String>, String> {
        let (given, name) = match mode {
            PluginMode::Byte => (request.plugin_ocamlc.as_deref(), "ocamlc"),
            PluginMode::Native => (request.plugin_ocamlopt.as_deref(), "ocamlopt"),
        };
        toolchain::tool_command(given, name).map_err(|e| e.to_string())
    };
    let compiler = match compiler_for(mode) {
        Ok(c) => c,
        Err(_) if mode == PluginMode::Native => {
            println!("Warning: Won't be able to compile a native plugin");
            mode = PluginMode::Byte;
            compiler_for(mode).map_err(|e| Error::refused(format!("Error: {e}")))?
        }
        Err(e) => return Err(Error::refused(format!("Error: {e}"))),
    };
    let mut identity = DigestBuilder::new("plugin-compiler");
    for w in &compiler {
        identity.str(w);
    }
    if let Some(path) = compiler.first().and_then(|c| which(c))
        && let Ok(Some(s)) = FileStat::of_path(&path)
    {
        identity.u64(s.size).u64(s.mtime_ns as u64).u64(s.inode);
    }
    let use_ocamlfind =
        request.plugin_ocamlfind.unwrap_or(false) && !request.plugin_tags.is_empty();
    let ocamlfind = if use_ocamlfind {
        Some(Ocamlfind::from_process().map_err(|e| Error::refused(format!("Error: {e}")))?)
    } else {
        None
    };
    // The flag table is the build's: package(…) tags mean something only
    // with -use-ocamlfind, as in ocamlbuild.
    let (tag_flags, tag_warnings) =
        plugin_tag_flags(request, mode, request.ocamlfind == Some(true))?;
    let compile = PluginCompile {
        root,
        build_dir,
        mode,
        compiler,
        compiler_identity: identity.finish().to_hex(),
        stdlib: stdlib.to_path_buf(),
        tag_flags,
        tag_warnings,
        ocamlfind: ocamlfind.as_ref(),
        echo: !request.quiet,
        generated,
    };
    let binary = build::ensure(&compile)?;
    let runner = match (mode, &request.ocamlrun) {
        (PluginMode::Byte, Some(r)) => toolchain::tool_command(Some(r), "ocamlrun")
            .map_err(|e| Error::refused(format!("Error: {e}")))?,
        _ => Vec::new(),
    };
    let args = plugin_args(args);
    let key = session::cache_key(&binary.digest, &args, root);
    let launch = Launch {
        binary: binary.path.clone(),
        runner,
        root: root.to_path_buf(),
        args,
    };
    Ok(Plugin {
        binary,
        launch,
        key,
    })
}

/// The flags the plugin tags give the plugin's link (`-plugin-tag`),
/// from ocamlbuild's flag table, and the warnings about their parameters
/// (`toto(-g)` when no built-in flag declares `toto` parametrised).
fn plugin_tag_flags(
    request: &Request,
    mode: PluginMode,
    ocamlfind: bool,
) -> Result<(Vec<String>, Vec<String>), Error> {
    if request.plugin_tags.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let options = FlagOptions {
        lflags: request.lflags.clone(),
        ..FlagOptions::default()
    };
    let mut decls = flags::builtin(&options, "+camlp4", ocamlfind);
    let mut tags: TagSet = request.plugin_tags.iter().map(String::as_str).collect();
    let mut warnings = Vec::new();
    decls
        .instantiate_unlocated(&tags, false, &mut warnings)
        .map_err(Error::Tags)?;
    for t in ["ocaml", "program", "link", mode.tag()] {
        tags.insert(t);
    }
    let warnings = warnings.iter().map(ToString::to_string).collect();
    Ok((flags::word::argv(decls.flags_of(&tags)), warnings))
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    if program.contains('/') {
        Some(program.into())
    } else {
        toolchain::find_in_path(program)
    }
}

impl Plugin {
    /// The configuration session: replayed when the last one still holds
    /// (unless `live`), live otherwise.
    pub fn session(&self, build_dir: &Path, live: bool) -> Result<Session, Error> {
        if !live
            && !self.binary.compiled
            && let Some(entries) = session::load(build_dir, &self.key)
        {
            match Session::replay(entries) {
                Ok(s) => return Ok(s),
                Err(SessionError::Stale) => {}
                Err(SessionError::Failed(e)) => return Err(e.into()),
            }
        }
        session::forget(build_dir);
        Ok(Session::live(&self.launch)?)
    }
}
