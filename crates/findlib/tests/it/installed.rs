//! Every package `ocamlfind list` shows, resolved by the crate and by the
//! installed ocamlfind, in several modes; the answers must be identical
//! (arguments in order, warnings, success or failure) except for the
//! documented fixes of ocamlfind bugs in [`KNOWN_DIFFERENCES`].
//!
//! Run `bash crates/findlib/tests/install-packages.sh` first to compare on
//! a broad set of Debian packages.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use findlib::{Compiler, Findlib, Predicates, Request, Threads};

use crate::oracle::{self, Answer, Output, agree};

/// One way of asking about a package.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// `ocamlfind COMPILER -only-show [-thread] -package P -linkpkg x.ml`.
    Compile(Compiler, Threads),
    /// `ocamlfind query -r -predicates PREDS -format FORMAT P`.
    Query(&'static str),
}

const MODES: &[Mode] = &[
    Mode::Compile(Compiler::Ocamlc, Threads::None),
    Mode::Compile(Compiler::Ocamlopt, Threads::None),
    Mode::Compile(Compiler::Ocamlc, Threads::Thread),
    Mode::Compile(Compiler::Ocamlopt, Threads::Thread),
    Mode::Query("byte"),
    Mode::Query("native,mt,mt_posix,ppx_driver"),
];

/// Everything `query` can tell about each package of the closure.
const FORMAT: &str =
    "%p|%d|%m|%D|%v|%+A|%O|%(ppx)|%+(ppxopt)|%(requires)|%(exists_if)|%(error)|%(warning)";

impl Mode {
    fn name(self) -> String {
        match self {
            Mode::Compile(c, t) => {
                let c = if c == Compiler::Ocamlopt {
                    "ocamlopt"
                } else {
                    "ocamlc"
                };
                let t = if t == Threads::Thread { " -thread" } else { "" };
                format!("{c}{t}")
            }
            Mode::Query(p) => format!("query -r -predicates {p}"),
        }
    }

    fn ocamlfind(self, package: &str) -> Answer {
        match self {
            Mode::Compile(c, t) => {
                let c = if c == Compiler::Ocamlopt {
                    "ocamlopt"
                } else {
                    "ocamlc"
                };
                let opts: &[&str] = if t == Threads::Thread {
                    &["-thread"]
                } else {
                    &[]
                };
                oracle::only_show(c, opts, package, true)
            }
            Mode::Query(p) => oracle::query(package, true, p, FORMAT),
        }
    }

    fn crate_answer(self, f: &Findlib, package: &str) -> Answer {
        match self {
            Mode::Compile(compiler, threads) => {
                let mut req = Request::new(compiler, &[package]);
                req.threads = threads;
                let r = f.resolve(&req).map_err(|e| e.to_string())?;
                Ok(Output {
                    lines: r.compiler_args(
                        &[],
                        &["x.ml".into()],
                        true,
                        Some(Path::new(oracle::INIT_FILE)),
                    ),
                    warnings: r.warnings,
                })
            }
            Mode::Query(p) => {
                let preds: Predicates = findlib::split::words(p).into_iter().collect();
                let all = f.ancestors(&[package], &preds).map_err(|e| e.to_string())?;
                let lines = f
                    .query_format(&all, &preds, FORMAT)
                    .map_err(|e| e.to_string())?;
                Ok(Output {
                    lines,
                    warnings: Vec::new(),
                })
            }
        }
    }
}

/// A documented difference: ocamlfind is wrong, the crate does better.
struct KnownDifference {
    package: &'static str,
    /// The mode name, or `*` for all.
    mode: &'static str,
    reason: &'static str,
}

/// The differences between the crate and ocamlfind 1.9.6 on installed
/// packages, each a fix of an ocamlfind bug. There are none on Debian 12's
/// packages: the crate's deliberate fixes (see the crate documentation and
/// `fixes.rs`) concern situations these packages do not produce, except
/// for `ocamlfind list`, worked around in [`oracle::list`].
const KNOWN_DIFFERENCES: &[KnownDifference] = &[];

fn known(package: &str, mode: &str) -> Option<&'static KnownDifference> {
    KNOWN_DIFFERENCES
        .iter()
        .find(|k| k.package == package && (k.mode == "*" || k.mode == mode))
}

fn show(a: &Answer) -> String {
    match a {
        Ok(o) => format!("ok {:?} warnings {:?}", o.lines, o.warnings),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn every_installed_package_resolves_as_ocamlfind_does() {
    assert!(
        oracle::available(),
        "ocamlfind is not installed: run `bash crates/findlib/tests/install-packages.sh` (as root)"
    );
    let scratch = tempfile::tempdir().expect("temporary directory");
    let listing = oracle::list(scratch.path()).expect("ocamlfind list");
    if let Some(err) = &listing.workaround_for {
        println!(
            "findlib: `ocamlfind list` failed ({err}); listed with dotted package directories left out"
        );
    }
    let f = Findlib::from_process().expect("configuration");

    // The crate lists the same packages.
    let our_listing = f.list();
    let ours: BTreeSet<&str> = our_listing.names.iter().map(String::as_str).collect();
    let theirs: BTreeSet<&str> = listing.names.iter().map(String::as_str).collect();
    assert_eq!(
        ours.symmetric_difference(&theirs).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "package lists differ"
    );

    let jobs: Vec<(&str, Mode)> = listing
        .names
        .iter()
        .flat_map(|p| MODES.iter().map(move |m| (p.as_str(), *m)))
        .collect();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(String, String, Answer, Answer)>> = Mutex::new(Vec::new());
    let ours_time = Mutex::new(Duration::ZERO);
    let started = Instant::now();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(package, mode)) = jobs.get(i) else {
                        break;
                    };
                    let theirs = mode.ocamlfind(package);
                    let t0 = Instant::now();
                    let ours = mode.crate_answer(&f, package);
                    *ours_time.lock().unwrap() += t0.elapsed();
                    results
                        .lock()
                        .unwrap()
                        .push((package.to_string(), mode.name(), theirs, ours));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));

    let mut agreed = 0;
    let mut both_failed = 0;
    let mut documented = Vec::new();
    let mut unexplained = Vec::new();
    for (package, mode, theirs, ours) in &results {
        if agree(theirs, ours) {
            agreed += 1;
            if let (Err(t), Err(o)) = (theirs, ours) {
                both_failed += 1;
                if std::env::var_os("FINDLIB_SHOW_ERRORS").is_some() {
                    println!(
                        "findlib: both fail: {package} [{mode}]\n  ocamlfind: {t}\n  crate:     {o}"
                    );
                }
            }
        } else if let Some(k) = known(package, mode) {
            documented.push(format!("{package} [{mode}]: {}", k.reason));
        } else {
            unexplained.push(format!(
                "{package} [{mode}]\n  ocamlfind: {}\n  crate:     {}",
                show(theirs),
                show(ours)
            ));
        }
    }
    for d in &documented {
        println!("findlib: documented difference: {d}");
    }
    println!(
        "findlib: compared {} packages in {} modes: {} comparisons, {} agreed ({} of them both failing), \
         {} documented differences, {} unexplained; ocamlfind+crate {:.1}s, crate alone {:.3}s",
        listing.names.len(),
        MODES.len(),
        results.len(),
        agreed,
        both_failed,
        documented.len(),
        unexplained.len(),
        started.elapsed().as_secs_f64(),
        ours_time.into_inner().unwrap().as_secs_f64()
    );
    assert!(
        unexplained.is_empty(),
        "{} unexplained differences:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
}
