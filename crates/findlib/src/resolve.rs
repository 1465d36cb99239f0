//! Resolution: from the packages named on a command line to everything
//! `ocamlfind ocamlc/ocamlopt -package ... -linkpkg` adds to the compiler's
//! command: `-I` directories, archives, link options, `-ppx` and `-pp`
//! commands, and the `-thread` switch.
//!
//! The order is ocamlfind's. The packages are the transitive closure of
//! `requires`, ordered so that each package comes after all it requires:
//! starting from each package named, in order, a depth-first walk visits
//! the requirements of a package in the order they are written (a repeated
//! one counts at its first place) and emits a package once all of its
//! requirements are emitted. When `mt` is set, every package but `unix`,
//! `threads` and `threads.*` requires `threads` before all else. `-I`
//! directories follow the package order, each kept at its last occurrence;
//! link options are taken in the reverse order.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::conf::Tool;
use crate::error::{Error, RequiredBy, Result};
use crate::findlib::Findlib;
use crate::predicates::{self as preds, Predicates};
use crate::split;

/// The compiler front-end a command runs: it sets the base predicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Compiler {
    /// `ocamlc` (predicate `byte`).
    #[default]
    Ocamlc,
    /// `ocamlcp` (predicate `byte`).
    Ocamlcp,
    /// `ocamlopt` (predicate `native`).
    Ocamlopt,
    /// `ocamloptp` (predicate `native`).
    Ocamloptp,
    /// `ocamlmktop` (predicates `byte`, `create_toploop`).
    Ocamlmktop,
    /// `ocamlmklib` (predicates `byte`, `native`).
    Ocamlmklib,
}

impl Compiler {
    /// The predicates the front-end sets, in ocamlfind's order.
    pub fn base_predicates(self) -> &'static [&'static str] {
        match self {
            Compiler::Ocamlc | Compiler::Ocamlcp => &[preds::BYTE],
            Compiler::Ocamlmktop => &[preds::BYTE, preds::CREATE_TOPLOOP],
            Compiler::Ocamlmklib => &[preds::BYTE, preds::NATIVE],
            Compiler::Ocamlopt | Compiler::Ocamloptp => &[preds::NATIVE],
        }
    }

    /// Whether this front-end produces native code.
    pub fn is_native(self) -> bool {
        matches!(self, Compiler::Ocamlopt | Compiler::Ocamloptp)
    }
}

/// Thread support asked for on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Threads {
    /// No thread switch.
    #[default]
    None,
    /// `-thread`: the platform's threads (POSIX on every current system).
    Thread,
    /// `-vmthread`: bytecode VM threads (OCaml < 4.08 only).
    VmThread,
}

/// What to resolve: the findlib-related options of one ocamlfind command.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// The front-end.
    pub compiler: Compiler,
    /// `-package` names, in order (each may hold several names separated by
    /// blanks or commas).
    pub packages: Vec<String>,
    /// `-predicates` (same splitting).
    pub predicates: Vec<String>,
    /// `-thread` / `-vmthread`.
    pub threads: Threads,
    /// `-dontlink`: packages (and their requirements) not to link.
    pub dontlink: Vec<String>,
    /// `-syntax` predicates (camlp4).
    pub syntax: Vec<String>,
    /// `-ppopt` options for the camlp4 preprocessor.
    pub ppopt: Vec<String>,
    /// `-ppxopt PKG,OPT,...`: options for a package's ppx command.
    pub ppxopt: Vec<String>,
    /// `-ignore-error`: turn `error` variables into warnings.
    pub ignore_error: bool,
    /// `-p` (profiling: predicate `gprof`).
    pub profile: bool,
    /// `-noautolink` (no `autolink` predicate).
    pub noautolink: bool,
}

impl Request {
    /// A request for `compiler` with these packages and nothing else.
    pub fn new<S: AsRef<str>>(compiler: Compiler, packages: &[S]) -> Request {
        Request {
            compiler,
            packages: packages.iter().map(|s| s.as_ref().to_string()).collect(),
            ..Request::default()
        }
    }
}

/// An element of the list of files to link.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Archive {
    /// An archive or object file, with its full path.
    File(PathBuf),
    /// The place of the generated findlib initialization file (see
    /// [`Resolution::init_source`]), needed when linking `findlib.dynload`
    /// or building a toplevel with `findlib`.
    FindlibInit,
}

/// Everything a compiler command needs from findlib.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// All packages taking part, requirements before the packages needing
    /// them.
    pub packages: Vec<String>,
    /// The packages to link: [`Resolution::packages`] less those excluded
    /// by `dontlink`.
    pub link_packages: Vec<String>,
    /// The predicates used for archives, options and ppx: the ones given,
    /// those the front-end adds, and `pkg_NAME` for every package.
    pub predicates: Predicates,
    /// Options ocamlfind puts before all others: for `ocamlmklib`, the
    /// configured compilers (`-ocamlc CMD -ocamlopt CMD`).
    pub leading_options: Vec<String>,
    /// Switches the front-end passes to the compiler (`-thread`).
    pub switches: Vec<String>,
    /// The `-I` directories, in order (the standard library and its
    /// threads directories left out, as ocamlfind does).
    pub include_dirs: Vec<PathBuf>,
    /// What to link before the command's own files, in order.
    pub archives: Vec<Archive>,
    /// Link options to pass after the command's own files.
    pub link_options: Vec<String>,
    /// The argument of each `-ppx` option, in order.
    pub ppx: Vec<String>,
    /// The argument of the `-pp` option for `-syntax`, if any.
    pub pp: Option<String>,
    /// Warnings ocamlfind would print (without the `ocamlfind: [WARNING] `
    /// prefix).
    pub warnings: Vec<String>,
}

impl Resolution {
    /// The archives as paths, the findlib initialization file written as
    /// `init` (give the file you wrote [`Resolution::init_source`] to).
    pub fn archive_paths(&self, init: Option<&Path>) -> Vec<PathBuf> {
        self.archives
            .iter()
            .filter_map(|a| match a {
                Archive::File(p) => Some(p.clone()),
                Archive::FindlibInit => init.map(Path::to_path_buf),
            })
            .collect()
    }

    /// Whether linking needs the findlib initialization file.
    pub fn needs_init_file(&self) -> bool {
        self.archives.contains(&Archive::FindlibInit)
    }

    /// The OCaml source of the findlib initialization file: it records the
    /// linked packages and the predicates, for `Fl_dynload` and toplevels.
    pub fn init_source(&self) -> String {
        let mut s = String::new();
        for p in &self.packages {
            s.push_str(&format!(
                "Findlib.record_package Findlib.Record_core {};;\n",
                ocaml_string(p)
            ));
        }
        let list: Vec<String> = self.predicates.iter().map(ocaml_string).collect();
        s.push_str(&format!(
            "Findlib.record_package_predicates [{}];;\n",
            list.join(";")
        ));
        s
    }

    /// The arguments ocamlfind passes to the compiler, in its order: the
    /// leading options, `options` (the command's other options, in the
    /// order given), the switches, `-I`
    /// directories, `-pp`, `-ppx`, then with `linkpkg` the archives, the
    /// command's `files`, and the link options.
    pub fn compiler_args(
        &self,
        options: &[String],
        files: &[String],
        linkpkg: bool,
        init: Option<&Path>,
    ) -> Vec<String> {
        let mut args: Vec<String> = self.leading_options.clone();
        args.extend(options.iter().cloned());
        args.extend(self.switches.iter().cloned());
        for d in &self.include_dirs {
            args.push("-I".to_string());
            args.push(d.to_string_lossy().into_owned());
        }
        if let Some(pp) = &self.pp {
            args.push("-pp".to_string());
            args.push(pp.clone());
        }
        for p in &self.ppx {
            args.push("-ppx".to_string());
            args.push(p.clone());
        }
        if linkpkg {
            args.extend(
                self.archive_paths(init)
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned()),
            );
        }
        args.extend(files.iter().cloned());
        if linkpkg {
            args.extend(self.link_options.iter().cloned());
        }
        args
    }
}

/// OCaml's `%S`: a double-quoted string literal.
fn ocaml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for b in s.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\r' => out.push_str("\\r"),
            b'\x08' => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out.push('"');
    out
}

fn split_all(list: &[String]) -> Vec<String> {
    list.iter()
        .flat_map(|s| split::words(s))
        .map(str::to_string)
        .collect()
}

impl Findlib {
    /// The packages of `packages` and all they require under `preds`,
    /// ordered as ocamlfind orders them (what `ocamlfind query -r` lists).
    pub fn ancestors<S: AsRef<str>>(
        &self,
        packages: &[S],
        preds: &Predicates,
    ) -> Result<Vec<String>> {
        let starts: Vec<String> = packages.iter().map(|s| s.as_ref().to_string()).collect();
        // 1. Load the closure, remembering each package's requirements.
        let mut requirements: HashMap<String, Vec<String>> = HashMap::new();
        // Depth-first, so that the first missing package reported is the
        // one ocamlfind reports.
        let mut stack: Vec<(Vec<String>, usize)> = vec![(starts.clone(), 0)];
        while let Some((list, i)) = stack.last_mut() {
            let Some(name) = list.get(*i).cloned() else {
                stack.pop();
                continue;
            };
            *i += 1;
            if requirements.contains_key(&name) {
                continue;
            }
            let reqs = self.requirements(&name, preds)?;
            requirements.insert(name, reqs.clone());
            stack.push((reqs, 0));
        }

        // 2. Order: post-order walk, requirements in reverse written order.
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Active,
            Done,
        }
        let mut marks: HashMap<&str, Mark> = HashMap::new();
        let mut order: Vec<String> = Vec::new();
        let children = |name: &str| -> Vec<&str> {
            let mut seen: Vec<&str> = Vec::new();
            for r in requirements.get(name).map(Vec::as_slice).unwrap_or(&[]) {
                if !seen.contains(&r.as_str()) {
                    seen.push(r);
                }
            }
            seen
        };
        for start in &starts {
            if marks.contains_key(start.as_str()) {
                continue;
            }
            marks.insert(start, Mark::Active);
            let mut walk: Vec<(&str, Vec<&str>, usize)> = vec![(start, children(start), 0)];
            while let Some((name, kids, i)) = walk.last_mut() {
                if let Some(&kid) = kids.get(*i) {
                    *i += 1;
                    match marks.get(kid) {
                        None => {
                            marks.insert(kid, Mark::Active);
                            walk.push((kid, children(kid), 0));
                        }
                        Some(Mark::Active) => {
                            let from = walk.iter().position(|(n, _, _)| *n == kid).unwrap_or(0);
                            let mut cycle: Vec<String> =
                                walk[from..].iter().map(|(n, _, _)| n.to_string()).collect();
                            cycle.push(kid.to_string());
                            let closing = walk.last().map(|(n, _, _)| *n).unwrap_or(kid);
                            let location = self
                                .package(closing)
                                .ok()
                                .and_then(|p| p.requires_location(preds, kid));
                            return Err(Error::Cycle { cycle, location });
                        }
                        Some(Mark::Done) => {}
                    }
                } else {
                    let name: &str = name;
                    marks.insert(name, Mark::Done);
                    order.push(name.to_string());
                    walk.pop();
                }
            }
        }
        Ok(order)
    }

    /// The packages `name` requires under `preds` (with findlib's implicit
    /// `threads` when `mt` is set), each checked to exist.
    fn requirements(&self, name: &str, preds: &Predicates) -> Result<Vec<String>> {
        let pkg = self.package(name)?;
        let mut reqs = pkg.requires(preds);
        if preds.multithreaded()
            && name != "unix"
            && name != "threads"
            && !name.starts_with("threads.")
        {
            reqs.insert(0, "threads".to_string());
        }
        for r in &reqs {
            if let Err(e) = self.package(r) {
                let by = || {
                    Some(Box::new(RequiredBy {
                        package: name.to_string(),
                        location: pkg.requires_location(preds, r),
                    }))
                };
                return Err(match e {
                    Error::NoSuchPackage {
                        name,
                        suggestion,
                        search_path,
                        ..
                    } => Error::NoSuchPackage {
                        name,
                        required_by: by(),
                        suggestion,
                        search_path,
                    },
                    Error::NoSuchSubpackage {
                        name,
                        parent,
                        location,
                        available,
                        ..
                    } => Error::NoSuchSubpackage {
                        name,
                        parent,
                        location,
                        available,
                        required_by: by(),
                    },
                    Error::PackageHidden {
                        name,
                        location,
                        files,
                        directory,
                        ..
                    } => Error::PackageHidden {
                        name,
                        location,
                        files,
                        directory,
                        required_by: by(),
                    },
                    other => other,
                });
            }
        }
        Ok(reqs)
    }

    /// Resolves the packages of an ocamlfind compiler command.
    pub fn resolve(&self, request: &Request) -> Result<Resolution> {
        let packages = split_all(&request.packages);
        let dontlink = split_all(&request.dontlink);
        let user_syntax = split_all(&request.syntax);

        // Predicates, in the order ocamlfind builds its list.
        let mut p: Vec<String> = split_all(&request.predicates);
        for b in request.compiler.base_predicates().iter().rev() {
            p.insert(0, b.to_string());
        }
        let mut switches = Vec::new();
        let threads = match request.threads {
            Threads::None => Threads::None,
            Threads::VmThread => {
                self.thread_type()?;
                Threads::VmThread
            }
            Threads::Thread => self.thread_type()?,
        };
        match threads {
            Threads::None => {}
            Threads::VmThread => {
                if request.compiler.is_native() {
                    return Err(Error::Unsupported {
                        message: "ocamlopt does not support multi-threaded programs for your configuration".into(),
                    });
                }
                switches.push("-vmthread".to_string());
                p.splice(0..0, [preds::MT.to_string(), preds::MT_VM.to_string()]);
            }
            Threads::Thread => {
                switches.push("-thread".to_string());
                p.splice(0..0, [preds::MT.to_string(), preds::MT_POSIX.to_string()]);
            }
        }
        if request.profile {
            p.insert(0, preds::GPROF.to_string());
        }
        if !request.noautolink {
            p.insert(0, preds::AUTOLINK.to_string());
        }
        let mut syntax_preds: Vec<String> = Vec::new();
        if !user_syntax.is_empty() {
            p.insert(0, preds::SYNTAX.to_string());
            syntax_preds = [preds::PREPROCESSOR.to_string(), preds::SYNTAX.to_string()]
                .into_iter()
                .chain(user_syntax)
                .collect();
        }
        let base_preds: Predicates = p.iter().cloned().collect();

        for name in packages.iter().chain(&dontlink) {
            self.package(name)?;
        }
        let eff_packages = self.ancestors(&packages, &base_preds)?;
        let eff_dontlink = self.ancestors(&dontlink, &base_preds)?;
        let eff_link: Vec<String> = eff_packages
            .iter()
            .filter(|n| !eff_dontlink.contains(n))
            .cloned()
            .collect();

        // pkg_NAME for every package, first.
        let mut all: Vec<String> = eff_packages
            .iter()
            .map(|n| preds::package_predicate(n))
            .collect();
        all.extend(p);
        let predicates: Predicates = all.into_iter().collect();

        let mut warnings = Vec::new();
        for name in &eff_packages {
            if let Some(w) = self.package(name)?.property("warning", &predicates) {
                warnings.push(format!("Package `{name}': {w}"));
            }
        }
        for name in &eff_packages {
            let pkg = self.package(name)?;
            if let Some(e) = pkg.property("error", &predicates) {
                if request.ignore_error {
                    warnings.push(format!("Package `{name}' signals error: {e}"));
                } else {
                    return Err(Error::PackageError {
                        package: name.clone(),
                        message: e,
                        location: pkg.location_of("error", &predicates),
                    });
                }
            }
        }

        let stdlib = split::norm_dir(self.config().stdlib_str());
        let threads_dir = split::concat(&stdlib, "threads");
        let vmthreads_dir = split::concat(&stdlib, "vmthreads");

        let mut dirs: Vec<String> = Vec::with_capacity(eff_packages.len());
        for name in &eff_packages {
            dirs.push(self.package(name)?.dir_str().to_string());
        }
        let include_dirs: Vec<PathBuf> = split::dedup_keep_last(&dirs)
            .into_iter()
            .filter(|d| {
                let n = split::norm_dir(d);
                n != stdlib && n != threads_dir && n != vmthreads_dir
            })
            .map(PathBuf::from)
            .collect();

        let create_toploop =
            predicates.contains(preds::CREATE_TOPLOOP) && eff_link.iter().any(|n| n == "findlib");
        let have_dynload = eff_link.iter().any(|n| n == "findlib.dynload");
        let mut archives = Vec::new();
        for name in &eff_link {
            let pkg = self.package(name)?;
            let list = pkg.property("archive", &predicates).unwrap_or_default();
            let base = if name == "threads" {
                match threads {
                    Threads::None => stdlib.clone(),
                    Threads::VmThread => vmthreads_dir.clone(),
                    Threads::Thread => threads_dir.clone(),
                }
            } else {
                pkg.dir_str().to_string()
            };
            for a in split::words(&list) {
                archives.push(Archive::File(PathBuf::from(self.resolve_path(
                    a,
                    Some(&base),
                    false,
                )?)));
            }
            if have_dynload && name == "findlib.dynload" {
                archives.push(Archive::FindlibInit);
            }
        }
        if create_toploop {
            archives.push(Archive::FindlibInit);
        }

        let mut link_options = Vec::new();
        for name in eff_link.iter().rev() {
            if let Some(o) = self.package(name)?.property("linkopts", &predicates) {
                link_options.extend(split::words_ws(&o).into_iter().map(str::to_string));
            }
        }

        let pp = self.pp_command(&syntax_preds, &packages, &request.ppopt)?;
        let ppx = self.ppx_commands(&predicates, &packages, &request.ppxopt)?;

        let leading_options = if request.compiler == Compiler::Ocamlmklib {
            vec![
                "-ocamlc".to_string(),
                self.config().tool(Tool::Ocamlc).to_string(),
                "-ocamlopt".to_string(),
                self.config().tool(Tool::Ocamlopt).to_string(),
            ]
        } else {
            Vec::new()
        };

        Ok(Resolution {
            leading_options,
            packages: eff_packages,
            link_packages: eff_link,
            predicates,
            switches,
            include_dirs,
            archives,
            link_options,
            ppx,
            pp,
            warnings,
        })
    }

    /// What `-thread` means here: the `type_of_threads` of package `threads`.
    fn thread_type(&self) -> Result<Threads> {
        let t = self
            .package("threads")?
            .property("type_of_threads", &Predicates::new());
        match t.as_deref() {
            Some("posix") => Ok(Threads::Thread),
            Some("vm") => Ok(Threads::VmThread),
            _ => Err(Error::ThreadsUnsupported),
        }
    }

    /// The `-pp` command for camlp4 `-syntax` predicates.
    fn pp_command(
        &self,
        syntax_preds: &[String],
        packages: &[String],
        ppopt: &[String],
    ) -> Result<Option<String>> {
        if syntax_preds.is_empty() {
            return Ok(None);
        }
        let spreds: Predicates = syntax_preds.iter().cloned().collect();
        // The packages of the command line that are preprocessor packages:
        // those with an archive under the syntax predicates.
        let mut cl_pp = Vec::new();
        for name in packages {
            let archive = self
                .package(name)?
                .property("archive", &spreds)
                .unwrap_or_default();
            if !split::words(&archive).is_empty() {
                cl_pp.push(name.clone());
            }
        }
        let pp_packages = self.ancestors(&cl_pp, &spreds)?;
        let mut commands: Vec<(String, String)> = Vec::new();
        for name in &pp_packages {
            if let Some(c) = self.package(name)?.property("preprocessor", &spreds) {
                commands.push((name.clone(), c));
            }
        }
        let command = match commands.as_slice() {
            [] => {
                return Err(Error::Preprocessor {
                    message: "Using -syntax, but no package is selected specifying a preprocessor as required for -syntax".into(),
                });
            }
            [(_, c)] => c.clone(),
            several => {
                let list: Vec<String> = several
                    .iter()
                    .map(|(n, v)| format!("package {n} defines `{v}'"))
                    .collect();
                return Err(Error::Preprocessor {
                    message: format!(
                        "Several packages are selected that specify preprocessors: {}",
                        list.join(", ")
                    ),
                });
            }
        };
        let mut i_options = Vec::new();
        for name in &pp_packages {
            i_options.push("-I".to_string());
            i_options.push(self.package(name)?.dir_str().to_string());
        }
        let byte_preds: Predicates = std::iter::once(preds::BYTE.to_string())
            .chain(syntax_preds.iter().cloned())
            .collect();
        let mut pp_archives = Vec::new();
        for name in &pp_packages {
            let a = self
                .package(name)?
                .property("archive", &byte_preds)
                .unwrap_or_default();
            pp_archives.extend(split::words(&a).into_iter().map(str::to_string));
        }
        let quoted = |l: &[String]| {
            l.iter()
                .map(|s| split::quote(s))
                .collect::<Vec<_>>()
                .join(" ")
        };
        Ok(Some(format!(
            "{command} {} {} {}",
            quoted(&i_options),
            quoted(&pp_archives),
            quoted(ppopt)
        )))
    }

    /// The `-ppx` arguments: for each package of the closure with a `ppx`
    /// variable, its command followed by the options for it from `ppxopt`
    /// variables and `-ppxopt` options.
    fn ppx_commands(
        &self,
        predicates: &Predicates,
        packages: &[String],
        user_ppxopt: &[String],
    ) -> Result<Vec<String>> {
        let ppx_packages = self.ancestors(packages, predicates)?;
        let mut user_opts: Vec<(String, Vec<String>)> = Vec::new();
        for opt in user_ppxopt {
            let words = split::words(opt);
            match words.as_slice() {
                [pkg, rest @ ..] if !rest.is_empty() => {
                    if !self.exists(pkg) {
                        return Err(Error::BadPpxopt {
                            message: format!("The package named in -ppxopt does not exist: {pkg}"),
                            location: None,
                        });
                    }
                    user_opts.push((
                        pkg.to_string(),
                        rest.iter().map(|s| s.to_string()).collect(),
                    ));
                }
                _ => {
                    return Err(Error::BadPpxopt {
                        message:
                            "-ppxopt must include package name, e.g. -ppxopt \"foo,-name bar\""
                                .into(),
                        location: None,
                    });
                }
            }
        }
        let mut meta_opts: Vec<(String, Vec<String>)> = Vec::new();
        for name in &ppx_packages {
            let pkg = self.package(name)?;
            let Some(value) = pkg.property("ppxopt", predicates) else {
                continue;
            };
            for part in split::words_ws(&value) {
                let words = split::words(part);
                match words.as_slice() {
                    [target, rest @ ..] if !rest.is_empty() => {
                        if !self.exists(target) {
                            return Err(Error::BadPpxopt {
                                message: format!(
                                    "The package named in ppxopt variable does not exist: {target} (from {name})"
                                ),
                                location: pkg.location_of("ppxopt", predicates),
                            });
                        }
                        let mut opts = Vec::with_capacity(rest.len());
                        for o in rest {
                            opts.push(self.resolve_path(o, Some(pkg.dir_str()), true)?);
                        }
                        meta_opts.push((target.to_string(), opts));
                    }
                    _ => {
                        return Err(Error::BadPpxopt {
                            message: format!(
                                "ppxopt variable must include package name, e.g. ppxopt=\"foo,-name bar\" (from {name})"
                            ),
                            location: pkg.location_of("ppxopt", predicates),
                        });
                    }
                }
            }
        }
        let mut out = Vec::new();
        for name in &ppx_packages {
            let pkg = self.package(name)?;
            let Some(ppx) = pkg.property("ppx", predicates) else {
                continue;
            };
            let mut parts = vec![self.resolve_path(&ppx, Some(pkg.dir_str()), true)?];
            for (target, opts) in meta_opts.iter().chain(&user_opts) {
                if target == name {
                    parts.extend(opts.iter().cloned());
                }
            }
            out.push(parts.join(" "));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conf::Config;
    use std::fs;

    struct Db {
        _t: tempfile::TempDir,
        lib: String,
        f: Findlib,
    }

    fn db(files: &[(&str, &str)]) -> Db {
        let t = tempfile::tempdir().unwrap();
        let lib = t.path().join("lib");
        fs::create_dir_all(&lib).unwrap();
        for (name, text) in files {
            let p = lib.join(name);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        let lib = lib.to_string_lossy().into_owned();
        let f = Findlib::new(Config::from_parts(&[&lib], "/std"));
        Db { _t: t, lib, f }
    }

    fn byte() -> Predicates {
        ["byte"].into_iter().collect()
    }

    #[test]
    fn requirements_come_first_in_written_order() {
        let d = db(&[
            ("app/META", "requires = \"b a b\""),
            ("a/META", "requires = \"c\""),
            ("b/META", "requires = \"d\""),
            ("c/META", ""),
            ("d/META", ""),
        ]);
        assert_eq!(
            d.f.ancestors(&["app"], &byte()).unwrap(),
            vec!["d", "b", "c", "a", "app"]
        );
    }

    #[test]
    fn start_packages_keep_their_order() {
        let d = db(&[("a/META", ""), ("b/META", "requires = \"a\"")]);
        assert_eq!(d.f.ancestors(&["a", "b"], &byte()).unwrap(), vec!["a", "b"]);
        assert_eq!(d.f.ancestors(&["b", "a"], &byte()).unwrap(), vec!["a", "b"]);
    }

    #[test]
    fn requires_depend_on_predicates() {
        let d = db(&[("a/META", "requires(mt) = \"b\""), ("b/META", "")]);
        assert_eq!(d.f.ancestors(&["a"], &byte()).unwrap(), vec!["a"]);
    }

    #[test]
    fn mt_makes_every_package_require_threads() {
        let d = db(&[
            ("a/META", "requires = \"b threads\""),
            ("b/META", ""),
            ("unix/META", ""),
            (
                "threads/META",
                "requires(mt,mt_posix) = \"threads.posix\"\npackage \"posix\" ( requires = \"unix\" )",
            ),
        ]);
        let mt: Predicates = ["byte", "mt", "mt_posix"].into_iter().collect();
        assert_eq!(
            d.f.ancestors(&["a"], &mt).unwrap(),
            vec!["unix", "threads.posix", "threads", "b", "a"]
        );
        assert_eq!(d.f.ancestors(&["unix"], &mt).unwrap(), vec!["unix"]);
    }

    #[test]
    fn cycle_is_reported_with_its_chain_and_location() {
        let d = db(&[
            ("a/META", "requires = \"b\""),
            ("b/META", "\nrequires = \"a\""),
        ]);
        match d.f.ancestors(&["a"], &byte()) {
            Err(Error::Cycle { cycle, location }) => {
                assert_eq!(cycle, vec!["a", "b", "a"]);
                let l = location.unwrap();
                assert_eq!((l.line, l.start, l.end), (2, 12, 13));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn self_requirement_is_a_cycle() {
        let d = db(&[("a/META", "requires = \"a\"")]);
        assert!(matches!(
            d.f.ancestors(&["a"], &byte()),
            Err(Error::Cycle { .. })
        ));
    }

    #[test]
    fn missing_requirement_names_the_requirer_and_line() {
        let d = db(&[
            ("a/META", "version = \"1\"\nrequires = \"b nope\""),
            ("b/META", ""),
        ]);
        let e = d.f.ancestors(&["a"], &byte()).unwrap_err();
        match &e {
            Error::NoSuchPackage {
                required_by: Some(r),
                ..
            } => {
                assert_eq!(r.package, "a");
                let l = r.location.as_ref().unwrap();
                assert_eq!((l.line, l.start, l.end), (2, 14, 18));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn archives_are_absolute_and_in_link_order() {
        let d = db(&[
            (
                "app/META",
                "requires = \"dep\"\narchive(byte) = \"app.cma\"\narchive(native) = \"app.cmxa\"",
            ),
            (
                "dep/META",
                "archive(byte) = \"+unix.cma dep.cma\"\nlinkopts = \"-cclib -ldep\"",
            ),
        ]);
        let r =
            d.f.resolve(&Request::new(Compiler::Ocamlc, &["app"]))
                .unwrap();
        assert_eq!(
            r.archive_paths(None),
            vec![
                PathBuf::from("/std/unix.cma"),
                PathBuf::from(format!("{}/dep/dep.cma", d.lib)),
                PathBuf::from(format!("{}/app/app.cma", d.lib)),
            ]
        );
        assert_eq!(r.link_options, vec!["-cclib", "-ldep"]);
        assert_eq!(
            r.include_dirs,
            vec![
                PathBuf::from(format!("{}/dep", d.lib)),
                PathBuf::from(format!("{}/app", d.lib))
            ]
        );
        assert!(r.predicates.contains("pkg_dep"));
        assert!(r.predicates.contains("autolink"));
    }

    #[test]
    fn include_dirs_skip_the_stdlib_and_keep_last_duplicate() {
        let d = db(&[
            (
                "a/META",
                "directory = \"^\"\npackage \"x\" ( directory = \"/other\" )",
            ),
            ("b/META", "requires = \"a a.x\"\ndirectory = \"/other/\""),
        ]);
        let r =
            d.f.resolve(&Request::new(Compiler::Ocamlopt, &["b"]))
                .unwrap();
        assert_eq!(r.packages, vec!["a", "a.x", "b"]);
        assert_eq!(
            r.include_dirs,
            vec![PathBuf::from("/other"), PathBuf::from("/other/")]
        );
    }

    #[test]
    fn pkg_predicates_select_archives() {
        let d = db(&[
            (
                "a/META",
                "archive(byte) = \"a.cma\"\narchive(byte,pkg_b) = \"a_with_b.cma\"",
            ),
            ("b/META", "requires = \"a\""),
        ]);
        let r =
            d.f.resolve(&Request::new(Compiler::Ocamlc, &["a"]))
                .unwrap();
        assert_eq!(
            r.archive_paths(None),
            vec![PathBuf::from(format!("{}/a/a.cma", d.lib))]
        );
        let r =
            d.f.resolve(&Request::new(Compiler::Ocamlc, &["b"]))
                .unwrap();
        assert_eq!(
            r.archive_paths(None),
            vec![PathBuf::from(format!("{}/a/a_with_b.cma", d.lib))]
        );
    }

    #[test]
    fn dontlink_removes_packages_from_linking_only() {
        let d = db(&[
            ("a/META", "archive(byte) = \"a.cma\""),
            ("b/META", "requires = \"a\"\narchive(byte) = \"b.cma\""),
        ]);
        let mut req = Request::new(Compiler::Ocamlc, &["b"]);
        req.dontlink = vec!["a".into()];
        let r = d.f.resolve(&req).unwrap();
        assert_eq!(r.link_packages, vec!["b"]);
        assert_eq!(r.include_dirs.len(), 2);
        assert_eq!(
            r.archive_paths(None),
            vec![PathBuf::from(format!("{}/b/b.cma", d.lib))]
        );
    }

    #[test]
    fn error_variable_stops_resolution_unless_ignored() {
        let d = db(&[("a/META", "error(byte) = \"no bytecode\"")]);
        let e =
            d.f.resolve(&Request::new(Compiler::Ocamlc, &["a"]))
                .unwrap_err();
        assert!(
            e.to_string()
                .contains("package `a' reports an error: no bytecode"),
            "{e}"
        );
        assert!(e.to_string().contains("line 1"), "{e}");
        assert!(
            d.f.resolve(&Request::new(Compiler::Ocamlopt, &["a"]))
                .is_ok()
        );
        let mut req = Request::new(Compiler::Ocamlc, &["a"]);
        req.ignore_error = true;
        let r = d.f.resolve(&req).unwrap();
        assert_eq!(r.warnings, vec!["Package `a' signals error: no bytecode"]);
    }

    #[test]
    fn warning_variable_is_collected() {
        let d = db(&[("a/META", "warning(-mt) = \"use -thread\"")]);
        let r =
            d.f.resolve(&Request::new(Compiler::Ocamlc, &["a"]))
                .unwrap();
        assert_eq!(r.warnings, vec!["Package `a': use -thread"]);
    }

    #[test]
    fn ppx_command_is_resolved_with_its_options() {
        let d = db(&[
            (
                "ppx_a/META",
                "ppx(-custom_ppx) = \"./ppx.exe --as-ppx\"\nppxopt = \"ppx_a,./x.cma,-flag\"",
            ),
            (
                "user/META",
                "requires = \"ppx_a\"\nppxopt = \"ppx_a,-from-user\"",
            ),
        ]);
        let mut req = Request::new(Compiler::Ocamlc, &["user"]);
        req.ppxopt = vec!["ppx_a,-cli".into()];
        let r = d.f.resolve(&req).unwrap();
        assert_eq!(
            r.ppx,
            vec![format!(
                "{0}/ppx_a/./ppx.exe --as-ppx {0}/ppx_a/./x.cma -flag -from-user -cli",
                d.lib
            )]
        );
    }

    #[test]
    fn bad_ppxopt_is_an_error() {
        let d = db(&[("a/META", "ppx = \"p\"\nppxopt = \"a\"")]);
        let e =
            d.f.resolve(&Request::new(Compiler::Ocamlc, &["a"]))
                .unwrap_err();
        assert!(matches!(e, Error::BadPpxopt { .. }), "{e}");
    }

    #[test]
    fn thread_switch_adds_predicates_and_threads_archives() {
        let d = db(&[
            (
                "unix/META",
                "directory = \"^\"\narchive(byte) = \"unix.cma\"",
            ),
            (
                "threads/META",
                "requires(mt,mt_posix) = \"threads.posix\"\ndirectory = \"^\"\ntype_of_threads = \"posix\"\npackage \"posix\" ( requires = \"unix\" directory = \"+threads\" archive(byte,mt,mt_posix) = \"threads.cma\" )",
            ),
            ("a/META", "archive(byte,mt) = \"a_mt.cma\""),
        ]);
        let mut req = Request::new(Compiler::Ocamlc, &["a"]);
        req.threads = Threads::Thread;
        let r = d.f.resolve(&req).unwrap();
        assert_eq!(r.switches, vec!["-thread"]);
        assert_eq!(r.packages, vec!["unix", "threads.posix", "threads", "a"]);
        assert_eq!(
            r.archive_paths(None),
            vec![
                PathBuf::from("/std/unix.cma"),
                PathBuf::from("/std/threads/threads.cma"),
                PathBuf::from(format!("{}/a/a_mt.cma", d.lib)),
            ]
        );
        assert_eq!(r.include_dirs, vec![PathBuf::from(format!("{}/a", d.lib))]);
    }

    #[test]
    fn dynload_needs_the_init_file_after_its_archive() {
        let d = db(&[(
            "findlib/META",
            "archive(byte) = \"findlib.cma\"\npackage \"dynload\" ( requires = \"findlib\" archive(byte) = \"findlib_dynload.cma\" linkopts = \"-linkall\" )",
        )]);
        let r =
            d.f.resolve(&Request::new(Compiler::Ocamlc, &["findlib.dynload"]))
                .unwrap();
        assert!(r.needs_init_file());
        assert_eq!(r.archives.last(), Some(&Archive::FindlibInit));
        let src = r.init_source();
        assert!(src.starts_with("Findlib.record_package Findlib.Record_core \"findlib\";;\n"));
        assert!(src.contains("Findlib.record_package_predicates [\"pkg_findlib\";\"pkg_findlib.dynload\";\"autolink\";\"byte\"];;"));
        let args = r.compiler_args(
            &["-g".into()],
            &["x.ml".into()],
            true,
            Some(Path::new("/tmp/init.ml")),
        );
        assert_eq!(args.first().map(String::as_str), Some("-g"));
        assert_eq!(args.last().map(String::as_str), Some("-linkall"));
        assert!(args.contains(&"/tmp/init.ml".to_string()));
    }

    #[test]
    fn syntax_builds_a_camlp4_command() {
        let d = db(&[
            (
                "camlp4/META",
                "preprocessor = \"camlp4\"\npackage \"o\" ( requires = \"camlp4\" archive(syntax,preprocessor) = \"camlp4o.cma\" )",
            ),
            (
                "ext/META",
                "requires(syntax) = \"camlp4.o\"\narchive(syntax,preprocessor) = \"ext.cma\"",
            ),
        ]);
        let mut req = Request::new(Compiler::Ocamlc, &["ext"]);
        req.syntax = vec!["camlp4o".into()];
        let r = d.f.resolve(&req).unwrap();
        assert_eq!(
            r.pp.as_deref(),
            Some(
                format!("camlp4 '-I' '{0}/camlp4' '-I' '{0}/camlp4' '-I' '{0}/ext' 'camlp4o.cma' 'ext.cma' ", d.lib)
                    .as_str()
            )
        );
    }

    #[test]
    fn compiler_base_predicates() {
        assert_eq!(Compiler::Ocamlc.base_predicates(), &["byte"]);
        assert_eq!(Compiler::Ocamlopt.base_predicates(), &["native"]);
        assert_eq!(
            Compiler::Ocamlmktop.base_predicates(),
            &["byte", "create_toploop"]
        );
        assert_eq!(Compiler::Ocamlmklib.base_predicates(), &["byte", "native"]);
    }

    #[test]
    fn ocaml_string_escapes_like_percent_s() {
        assert_eq!(ocaml_string("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\001\"");
    }
}
