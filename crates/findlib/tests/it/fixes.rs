//! The documented differences from ocamlfind 1.9.6, each shown against the
//! installed ocamlfind: where ocamlfind fails for no good reason, the crate
//! answers; where both fail, they fail alike.

use std::fs;
use std::process::Command;

use findlib::{Compiler, Config, ConfigOptions, Error, Findlib, Predicates, Request};

use crate::oracle;

/// A search path of its own, with these META files.
struct Site {
    dir: tempfile::TempDir,
    conf: String,
}

impl Site {
    fn new(files: &[(&str, &str)]) -> Site {
        let dir = tempfile::tempdir().expect("temporary directory");
        for (name, text) in files {
            let p = dir.path().join("lib").join(name);
            fs::create_dir_all(p.parent().expect("parent")).expect("directory");
            fs::write(p, text).expect("META");
        }
        let lib = dir.path().join("lib");
        fs::create_dir_all(&lib).expect("lib");
        let conf = dir.path().join("findlib.conf");
        fs::write(
            &conf,
            format!("path = \"{}\"\nldconf = \"ignore\"\n", lib.display()),
        )
        .expect("conf");
        let conf = conf.to_string_lossy().into_owned();
        Site { dir, conf }
    }

    fn ocamlfind(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new("ocamlfind")
            .args(args)
            .env("OCAMLFIND_CONF", &self.conf)
            .env_remove("OCAMLPATH")
            .current_dir(self.dir.path())
            .output()
            .expect("ocamlfind runs");
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    fn findlib(&self) -> Findlib {
        Findlib::new(Config::load(&ConfigOptions::with_file(&self.conf)).expect("configuration"))
    }
}

#[test]
fn unrelated_cycle_in_the_same_meta_file_is_not_an_error() {
    assert!(oracle::available(), "ocamlfind is not installed");
    let site = Site::new(&[(
        "foo/META",
        "package \"x\" ( requires = \"foo.y\" )\npackage \"y\" ( requires = \"foo.x\" )\npackage \"z\" ( )\n",
    )]);
    // ocamlfind: "Package `foo.x' requires itself", although foo.z requires
    // nothing: it checks every package of every META file it has read.
    let theirs = site.ocamlfind(&["query", "-r", "-p-format", "foo.z"]);
    assert!(
        theirs
            .as_ref()
            .is_err_and(|e| e.contains("requires itself")),
        "{theirs:?}"
    );
    let f = site.findlib();
    assert_eq!(
        f.ancestors(&["foo.z"], &Predicates::new()).expect("foo.z"),
        vec!["foo.z"]
    );
    // A cycle among the packages asked for fails in both.
    assert!(site.ocamlfind(&["query", "-r", "foo.x"]).is_err());
    assert!(matches!(
        f.ancestors(&["foo.x"], &Predicates::new()),
        Err(Error::Cycle { .. })
    ));
}

#[test]
fn compiling_without_a_threads_package_works_unless_threads_are_asked_for() {
    assert!(oracle::available(), "ocamlfind is not installed");
    let site = Site::new(&[("a/META", "archive(byte) = \"a.cma\"\n")]);
    // ocamlfind looks up `threads' for every compiler command.
    let theirs = site.ocamlfind(&["ocamlc", "-only-show", "-package", "a", "-linkpkg", "x.ml"]);
    assert!(
        theirs
            .as_ref()
            .is_err_and(|e| e.contains("`threads' not found")),
        "{theirs:?}"
    );
    let f = site.findlib();
    let r = f
        .resolve(&Request::new(Compiler::Ocamlc, &["a"]))
        .expect("a resolves");
    let lib = site.dir.path().join("lib");
    assert_eq!(r.archive_paths(None), vec![lib.join("a/a.cma")]);
    let mut req = Request::new(Compiler::Ocamlc, &["a"]);
    req.threads = findlib::Threads::Thread;
    let e = f.resolve(&req).expect_err("no threads package");
    assert!(e.to_string().contains("`threads' not found"), "{e}");
}

#[test]
fn dotted_main_package_directories_are_not_listed() {
    assert!(oracle::available(), "ocamlfind is not installed");
    let site = Site::new(&[
        (
            "visitors/META",
            "package \"ppx\" ( )\npackage \"runtime\" ( )\n",
        ),
        ("visitors.ppx/META", ""),
        ("other.thing/META", "version = \"1\"\n"),
    ]);
    let f = site.findlib();
    assert_eq!(
        f.list().names,
        vec!["visitors", "visitors.ppx", "visitors.runtime"]
    );
    // `other.thing' can never be looked up, by ocamlfind or the crate.
    assert!(site.ocamlfind(&["query", "other.thing"]).is_err());
    assert!(f.package("other.thing").is_err());
    // ocamlfind lists it, or fails altogether (depending on the order in
    // which the directory lists visitors and visitors.ppx).
    match site.ocamlfind(&["list"]) {
        Ok(list) => assert!(list.contains("other.thing"), "{list}"),
        Err(e) => assert!(e.contains("Inconsistent_ordering"), "{e}"),
    }
}
