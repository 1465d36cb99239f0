//! ocamlfind, in process.
//!
//! ocamlbuild's `-use-ocamlfind` mode prefixes every compiler command with
//! `ocamlfind` and passes it options of its own (`-package P`, `-linkpkg`,
//! `-predicates`, `-thread`, `-dontlink`, `-syntax`, `-ppopt`, `-ppxopt`).
//! caravan builds the same command, then does here what ocamlfind would do
//! with it — resolve the packages ([`findlib`]) and produce the compiler's
//! argument list, in ocamlfind's order — and runs the compiler directly: one
//! process per command instead of two, and no findlib start-up in each.
//!
//! Resolutions are cached per set of findlib options, and each package gets
//! an *identity* (the stat of its `META` and archives) that compile and link
//! actions fold into their keys, so upgrading an installed library rebuilds
//! its dependents while an unchanged installation costs a few `stat` calls.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use engine::{DigestBuilder, FileStat};
use findlib::{Compiler, Findlib, Request, Resolution, Threads};
use rustc_hash::FxHashMap;

/// The front-end a command runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrontEnd {
    /// `ocamlc`.
    Ocamlc,
    /// `ocamlopt`.
    Ocamlopt,
    /// `ocamldep`.
    Ocamldep,
}

/// A command as ocamlbuild writes it: `program before... files... after...`.
#[derive(Clone, Debug, Default)]
pub struct CommandParts {
    /// Options before the files (may include ocamlfind's own options).
    pub before: Vec<String>,
    /// The files (sources or objects).
    pub files: Vec<String>,
    /// Options after the files (`-o out` of a link).
    pub after: Vec<String>,
}

impl CommandParts {
    /// The command as written, without ocamlfind.
    pub fn plain(self, program: &[String]) -> Vec<String> {
        let mut argv = program.to_vec();
        argv.extend(self.before);
        argv.extend(self.files);
        argv.extend(self.after);
        argv
    }
}

/// What `-pkg` packages add to commands when ocamlfind is off.
#[derive(Clone, Debug, Default)]
pub struct PackageFlags {
    /// To compilations: `-I` directories.
    pub compile: Vec<String>,
    /// To bytecode links: `-I`s, link options, archives.
    pub link_byte: Vec<String>,
    /// To native links.
    pub link_native: Vec<String>,
}

/// The outcome of translating a command.
pub struct Translated {
    /// The compiler's argv.
    pub argv: Vec<String>,
    /// The identity of the installed packages the command uses (empty when
    /// it uses none).
    pub identity: String,
    /// Whether a preprocessor (`-pp`/`-ppx`) from a package applies.
    pub preprocessed: bool,
}

/// How the rewriters of a command can run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PpxPlan {
    /// No `-ppx` from a package applies.
    None,
    /// Every rewriter can be linked into one driver: these packages, in the
    /// order the command names them.
    Driver(Vec<String>),
    /// Rewriters apply but cannot go through a driver; the reason.
    Fallback(String),
}

/// Rewriters that must run as the compiler's `-ppx`: they read compiled
/// interfaces through the load path that only the compiler hands them
/// (dune runs them as `staged_pps` for the same reason).
const STAGED_REWRITERS: &[&str] = &["ppx_import"];

/// The package a ppx driver is linked with, after the rewriters: it runs
/// ppxlib's driver on the command line.
pub const DRIVER_RUNNER: &str = "ppxlib.runner";

/// ocamlfind's work, done in process.
pub struct Ocamlfind {
    findlib: Findlib,
    resolutions: Mutex<FxHashMap<String, Arc<Resolution>>>,
    identities: Mutex<FxHashMap<String, String>>,
    plans: Mutex<FxHashMap<String, PpxPlan>>,
}

impl Ocamlfind {
    /// Reads findlib's configuration as ocamlfind would.
    pub fn from_process() -> Result<Ocamlfind, findlib::Error> {
        Ocamlfind::with_toolchain(None)
    }

    /// Reads findlib's configuration for a toolchain (`-toolchain NAME`).
    pub fn with_toolchain(toolchain: Option<&str>) -> Result<Ocamlfind, findlib::Error> {
        let mut options = findlib::ConfigOptions::from_process();
        if let Some(t) = toolchain {
            options.toolchain = Some(t.to_string());
        }
        Ok(Ocamlfind {
            findlib: Findlib::new(findlib::Config::load(&options)?),
            resolutions: Mutex::new(FxHashMap::default()),
            identities: Mutex::new(FxHashMap::default()),
            plans: Mutex::new(FxHashMap::default()),
        })
    }

    /// The flags ocamlbuild adds for `-pkg` packages when ocamlfind is off:
    /// `-I` for compilations; `-I`, link options and archives for links.
    pub fn package_flags(&self, packages: &[String]) -> Result<PackageFlags, findlib::Error> {
        if packages.is_empty() {
            return Ok(Default::default());
        }
        let byte = self.resolve(&Request::new(Compiler::Ocamlc, packages))?;
        let native = self.resolve(&Request::new(Compiler::Ocamlopt, packages))?;
        let includes = |r: &Resolution| -> Vec<String> {
            r.include_dirs
                .iter()
                .flat_map(|d| ["-I".to_string(), d.to_string_lossy().into_owned()])
                .collect()
        };
        let link = |r: &Resolution| -> Vec<String> {
            let mut v = includes(r);
            v.extend(r.link_options.iter().cloned());
            v.extend(
                r.archive_paths(None)
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned()),
            );
            v
        };
        Ok(PackageFlags {
            compile: includes(&byte),
            link_byte: link(&byte),
            link_native: link(&native),
        })
    }

    /// The package database.
    pub fn findlib(&self) -> &Findlib {
        &self.findlib
    }

    /// Turns a command with ocamlfind options into the compiler command.
    pub fn translate(
        &self,
        tool: FrontEnd,
        program: &[String],
        parts: CommandParts,
    ) -> Result<Translated, findlib::Error> {
        self.translate_with(tool, program, parts, true)
    }

    /// [`Self::translate`], leaving out the packages' `-ppx` commands when
    /// `ppx` is false (the command reads a source already rewritten).
    pub fn translate_with(
        &self,
        tool: FrontEnd,
        program: &[String],
        parts: CommandParts,
        ppx: bool,
    ) -> Result<Translated, findlib::Error> {
        let mut options = parts.before;
        options.extend(parts.after);
        let split = Split::of(options, tool);
        let mut resolution = self.resolve(&split.request)?;
        if !ppx && !resolution.ppx.is_empty() {
            let mut without = (*resolution).clone();
            without.ppx.clear();
            resolution = Arc::new(without);
        }
        let preprocessed = !resolution.ppx.is_empty() || resolution.pp.is_some();
        let mut argv = program.to_vec();
        match tool {
            FrontEnd::Ocamldep => {
                argv.extend(split.options);
                if let Some(pp) = &resolution.pp {
                    argv.extend(["-pp".to_string(), pp.clone()]);
                }
                for p in &resolution.ppx {
                    argv.extend(["-ppx".to_string(), p.clone()]);
                }
                argv.extend(parts.files);
            }
            FrontEnd::Ocamlc | FrontEnd::Ocamlopt => {
                argv.extend(resolution.compiler_args(
                    &split.options,
                    &parts.files,
                    split.linkpkg,
                    None,
                ));
            }
        }
        let identity = self.identity(&resolution);
        Ok(Translated {
            argv,
            identity,
            preprocessed,
        })
    }

    /// Whether the rewriters of a command can be linked into one driver
    /// (see [`PpxPlan`]). They can when every package of the command that
    /// brings a `-ppx` has an archive for the `ppx_driver` predicate, none
    /// of them is a staged rewriter, `ppxlib.runner` is installed, and the
    /// command has nothing a driver cannot be given: a `-ppx` or `-pp` of
    /// its own, `-ppxopt`, `-syntax`, or `-predicates`.
    pub fn ppx_plan(
        &self,
        tool: FrontEnd,
        parts: &CommandParts,
    ) -> Result<PpxPlan, findlib::Error> {
        let mut options = parts.before.clone();
        options.extend(parts.after.iter().cloned());
        let split = Split::of(options, tool);
        let key = format!("{:?} {:?}", split.request, split.options);
        if let Ok(cache) = self.plans.lock()
            && let Some(p) = cache.get(&key)
        {
            return Ok(p.clone());
        }
        let plan = self.plan_of(&split)?;
        if let Ok(mut cache) = self.plans.lock() {
            cache.insert(key, plan.clone());
        }
        Ok(plan)
    }

    fn plan_of(&self, split: &Split) -> Result<PpxPlan, findlib::Error> {
        let resolution = self.resolve(&split.request)?;
        if resolution.ppx.is_empty() {
            return Ok(PpxPlan::None);
        }
        let fallback = |why: &str| Ok(PpxPlan::Fallback(why.to_string()));
        if resolution.pp.is_some() || !split.request.syntax.is_empty() {
            return fallback("a camlp4 syntax applies too");
        }
        if !split.request.ppxopt.is_empty() {
            return fallback("ppxopt(...) options are given");
        }
        if !split.request.predicates.is_empty() {
            return fallback("predicate(...) tags are given");
        }
        if split.options.iter().any(|o| o == "-ppx" || o == "-pp") {
            return fallback("the command has a -ppx or -pp of its own");
        }
        if !self.findlib.exists(DRIVER_RUNNER) {
            return fallback("ppxlib.runner is not installed");
        }
        let driver_preds: findlib::Predicates = [
            findlib::predicates::NATIVE.to_string(),
            "ppx_driver".to_string(),
        ]
        .into_iter()
        .collect();
        let mut rewriters: Vec<String> = Vec::new();
        let named = split
            .request
            .packages
            .iter()
            .flat_map(|p| findlib::split::words(p))
            .map(str::to_string);
        for name in named {
            if rewriters.contains(&name) {
                continue;
            }
            let alone = Request {
                packages: vec![name.clone()],
                threads: split.request.threads,
                ..Request::new(split.request.compiler, &[] as &[String])
            };
            if self.resolve(&alone)?.ppx.is_empty() {
                continue;
            }
            let top = name.split('.').next().unwrap_or(&name);
            if STAGED_REWRITERS.contains(&top) {
                return Ok(PpxPlan::Fallback(format!(
                    "{name} reads compiled interfaces: it runs as the compiler's -ppx"
                )));
            }
            let archive = self
                .findlib
                .package(&name)?
                .property("archive", &driver_preds)
                .unwrap_or_default();
            if findlib::split::words(&archive).is_empty() {
                return Ok(PpxPlan::Fallback(format!(
                    "{name} has no archive for the ppx_driver predicate"
                )));
            }
            rewriters.push(name);
        }
        if rewriters.is_empty() {
            return fallback("no package of the command brings the -ppx");
        }
        let link = self.resolve(&driver_request(&rewriters))?;
        if !link.ppx.is_empty() || link.pp.is_some() || link.needs_init_file() {
            return fallback("the driver's packages need a preprocessor themselves");
        }
        Ok(PpxPlan::Driver(rewriters))
    }

    /// The command linking a ppx driver of `rewriters` into `out` with
    /// `ocamlopt` (ocamlfind's `-package <rewriters>,ppxlib.runner
    /// -predicates ppx_driver -linkpkg -linkall`), and the identity of the
    /// packages it links.
    pub fn driver_link(
        &self,
        ocamlopt: &[String],
        rewriters: &[String],
        out: &str,
    ) -> Result<(Vec<String>, String), findlib::Error> {
        let resolution = self.resolve(&driver_request(rewriters))?;
        let mut argv = ocamlopt.to_vec();
        let options = ["-linkall", "-o", out].map(str::to_string);
        argv.extend(resolution.compiler_args(&options, &[], true, None));
        Ok((argv, self.identity(&resolution)))
    }

    fn resolve(&self, request: &Request) -> Result<Arc<Resolution>, findlib::Error> {
        let key = format!("{request:?}");
        if let Ok(cache) = self.resolutions.lock()
            && let Some(r) = cache.get(&key)
        {
            return Ok(r.clone());
        }
        let r = Arc::new(self.findlib.resolve(request)?);
        if let Ok(mut cache) = self.resolutions.lock() {
            cache.insert(key, r.clone());
        }
        Ok(r)
    }

    /// A string that changes when any package of `resolution` is
    /// reinstalled: the stat of each package's META file and archives.
    fn identity(&self, resolution: &Resolution) -> String {
        if resolution.packages.is_empty() {
            return String::new();
        }
        // The same packages under other predicates may have other archives.
        let mut key = resolution.packages.join(" ");
        for p in resolution.predicates.iter() {
            key.push(' ');
            key.push_str(p);
        }
        if let Ok(cache) = self.identities.lock()
            && let Some(id) = cache.get(&key)
        {
            return id.clone();
        }
        let mut d = DigestBuilder::new("packages");
        let mut files: Vec<PathBuf> = resolution.archive_paths(None);
        for name in &resolution.packages {
            d.str(name);
            if let Ok(p) = self.findlib.package(name) {
                files.push(p.meta_path().to_path_buf());
            }
        }
        for f in files {
            d.str(&f.to_string_lossy());
            if let Ok(Some(s)) = FileStat::of_path(&f) {
                d.u64(s.size).u64(s.mtime_ns as u64).u64(s.inode);
            }
        }
        let id = d.finish().to_hex();
        if let Ok(mut cache) = self.identities.lock() {
            cache.insert(key, id.clone());
        }
        id
    }

    /// The identity of a list of packages, for the null-build key. A
    /// package that cannot be resolved is not an error here (only a command
    /// that uses it fails, as with ocamlbuild): its name and the reason
    /// stand for it, so that installing it changes the identity.
    pub fn identity_of(&self, packages: &[String]) -> String {
        if packages.is_empty() {
            return String::new();
        }
        if let Ok(r) = self.resolve(&Request::new(Compiler::Ocamlopt, packages)) {
            return self.identity(&r);
        }
        let mut parts = Vec::with_capacity(packages.len());
        for p in packages {
            match self.resolve(&Request::new(Compiler::Ocamlopt, std::slice::from_ref(p))) {
                Ok(r) => parts.push(self.identity(&r)),
                Err(e) => parts.push(format!("unusable {p}: {e}")),
            }
        }
        parts.join("\n")
    }
}

/// What ocamlfind resolves for `-package <rewriters>,ppxlib.runner
/// -predicates ppx_driver` with `ocamlopt`.
fn driver_request(rewriters: &[String]) -> Request {
    let mut packages = rewriters.to_vec();
    packages.push(DRIVER_RUNNER.to_string());
    Request {
        predicates: vec!["ppx_driver".to_string()],
        ..Request::new(Compiler::Ocamlopt, &packages)
    }
}

/// A command's options, sorted into ocamlfind's and the compiler's.
struct Split {
    request: Request,
    options: Vec<String>,
    linkpkg: bool,
}

/// Compiler options that take an argument (their argument is never
/// mistaken for an ocamlfind option).
const WITH_ARGUMENT: &[&str] = &[
    "-I",
    "-o",
    "-pp",
    "-ppx",
    "-w",
    "-warn-error",
    "-for-pack",
    "-open",
    "-cclib",
    "-ccopt",
    "-dllib",
    "-dllpath",
    "-cc",
    "-runtime-variant",
    "-inline",
    "-intf-suffix",
    "-color",
    "-error-style",
    "-use-runtime",
    "-impl",
    "-intf",
    "-pack",
    "-plugin",
    "-alert",
];

impl Split {
    fn of(options: Vec<String>, tool: FrontEnd) -> Split {
        let mut request = Request {
            compiler: match tool {
                FrontEnd::Ocamlopt => Compiler::Ocamlopt,
                FrontEnd::Ocamlc | FrontEnd::Ocamldep => Compiler::Ocamlc,
            },
            ..Request::default()
        };
        let mut rest = Vec::with_capacity(options.len());
        let mut linkpkg = false;
        let mut words = options.into_iter();
        while let Some(w) = words.next() {
            let list: Option<&mut Vec<String>> = match w.as_str() {
                "-package" => Some(&mut request.packages),
                "-predicates" => Some(&mut request.predicates),
                "-dontlink" => Some(&mut request.dontlink),
                "-syntax" => Some(&mut request.syntax),
                "-ppopt" => Some(&mut request.ppopt),
                "-ppxopt" => Some(&mut request.ppxopt),
                _ => None,
            };
            if let Some(list) = list {
                if let Some(v) = words.next() {
                    list.push(v);
                }
                continue;
            }
            match w.as_str() {
                "-linkpkg" => linkpkg = true,
                "-thread" if tool != FrontEnd::Ocamldep => request.threads = Threads::Thread,
                "-vmthread" if tool != FrontEnd::Ocamldep => request.threads = Threads::VmThread,
                _ => {
                    let takes_argument = WITH_ARGUMENT.contains(&w.as_str());
                    rest.push(w);
                    if takes_argument && let Some(v) = words.next() {
                        rest.push(v);
                    }
                }
            }
        }
        Split {
            request,
            options: rest,
            linkpkg,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn findlib_options_are_taken_out_and_the_rest_kept_in_order() {
        let s = Split::of(
            words("-c -g -thread -package unix -package str -w +a-4 -o a.cmo"),
            FrontEnd::Ocamlc,
        );
        assert_eq!(s.request.packages, ["unix", "str"]);
        assert_eq!(s.request.threads, Threads::Thread);
        assert_eq!(s.options, words("-c -g -w +a-4 -o a.cmo"));
        assert!(!s.linkpkg);
    }

    #[test]
    fn commands_come_out_as_ocamlfind_would_run_them() {
        // `ocamlfind ocamlopt -only-show -linkpkg -package unix -package str
        //  -g -I lib lib/b.cmx a.cmx -o a.native` on this machine.
        let of = Ocamlfind::from_process().expect("findlib (apt-get install ocaml-findlib)");
        let t = of
            .translate(
                FrontEnd::Ocamlopt,
                &["ocamlopt".to_string()],
                CommandParts {
                    before: words("-linkpkg -package unix -package str -g -I lib"),
                    files: words("lib/b.cmx a.cmx"),
                    after: words("-o a.native"),
                },
            )
            .unwrap();
        let std = of
            .findlib()
            .config()
            .stdlib()
            .to_string_lossy()
            .into_owned();
        assert_eq!(
            t.argv,
            words(&format!(
                "ocamlopt -g -I lib -o a.native {std}/unix.cmxa {std}/str.cmxa lib/b.cmx a.cmx"
            ))
        );
        assert!(!t.identity.is_empty());
    }
}
