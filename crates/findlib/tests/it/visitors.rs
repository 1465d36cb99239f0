//! visitors, read from its Debian package in a private findlib site.
//!
//! `libppx-visitors-ocaml-dev` ships `visitors.ppx/META` and
//! `visitors.runtime/META` (empty) next to `visitors/META`, which defines
//! both sub-packages: installed, it makes Debian 12's `ocamlfind list` fail
//! with `Fl_topo.Inconsistent_ordering`, and with it every OASIS-built
//! project of the machine. So it is never installed: `install-packages.sh`
//! downloads the `.deb` into `tests/debs/`, and these tests unpack it into
//! a temporary folder and point a findlib configuration of their own
//! (`OCAMLFIND_CONF`, the system's search path after it) at that folder.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use findlib::{Config, ConfigOptions, Findlib};

use crate::oracle;
use crate::scenarios::crate_answer;

const PACKAGE: &str = "libppx-visitors-ocaml-dev";

/// The unpacked package and the configuration that puts it first on the
/// search path.
struct Site {
    _dir: tempfile::TempDir,
    conf: PathBuf,
    lib: PathBuf,
}

/// The downloaded `.deb` (install-packages.sh puts it there).
fn deb() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/debs");
    fs::read_dir(&dir)
        .ok()
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{PACKAGE}_")))
        })
        .unwrap_or_else(|| {
            panic!(
                "no {PACKAGE} .deb in {}: run `bash crates/findlib/tests/install-packages.sh` \
                 (it downloads the package without installing it)",
                dir.display()
            )
        })
}

fn printconf(what: &str) -> String {
    let out = Command::new("ocamlfind")
        .args(["printconf", what])
        .output()
        .expect("ocamlfind (apt-get install ocaml-findlib)");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Site {
    fn new() -> Site {
        assert!(oracle::available(), "ocamlfind is not installed");
        let dir = tempfile::tempdir().expect("temporary directory");
        let status = Command::new("dpkg-deb")
            .arg("-x")
            .arg(deb())
            .arg(dir.path())
            .status()
            .expect("dpkg-deb");
        assert!(status.success(), "dpkg-deb -x failed");
        let lib = dir.path().join("usr/lib/ocaml");
        let mut path = vec![lib.to_string_lossy().into_owned()];
        path.extend(printconf("path").lines().map(str::to_string));
        let conf = dir.path().join("findlib.conf");
        fs::write(
            &conf,
            format!(
                "path = \"{}\"\nstdlib = \"{}\"\nldconf = \"{}\"\n",
                path.join(":"),
                printconf("stdlib"),
                printconf("ldconf")
            ),
        )
        .expect("findlib.conf");
        Site {
            _dir: dir,
            conf,
            lib,
        }
    }

    fn env(&self) -> [(&str, &str); 1] {
        [("OCAMLFIND_CONF", self.conf.to_str().expect("UTF-8 path"))]
    }

    fn findlib(&self) -> Findlib {
        Findlib::new(Config::load(&ConfigOptions::with_file(&self.conf)).expect("configuration"))
    }
}

#[test]
fn visitors_resolves_as_ocamlfind_does() {
    let site = Site::new();
    let f = site.findlib();
    let scenarios: [(&str, &[&str]); 3] = [
        (
            "ocamlc",
            &[
                "-package",
                "visitors.ppx,visitors.runtime,ppx_deriving.show",
            ],
        ),
        ("ocamlopt", &["-package", "visitors.ppx"]),
        (
            "ocamlopt",
            &["-package", "visitors.ppx", "-predicates", "ppx_driver"],
        ),
    ];
    for (compiler, args) in scenarios {
        let theirs = oracle::only_show_in(compiler, args, "", true, &site.env());
        let ours = crate_answer(&f, compiler, args);
        assert!(theirs.is_ok(), "ocamlfind {compiler} {args:?}: {theirs:?}");
        assert!(
            oracle::agree(&theirs, &ours),
            "ocamlfind {compiler} {args:?}\n  ocamlfind: {theirs:?}\n  crate:     {ours:?}"
        );
        // The package really comes from the private site.
        let lines = theirs.map(|o| o.lines).unwrap_or_default();
        let visitors = site.lib.join("visitors").to_string_lossy().into_owned();
        assert!(lines.iter().any(|l| l.contains(&visitors)), "{lines:?}");
    }
}

#[test]
fn the_list_has_each_visitors_package_once() {
    let site = Site::new();
    let names = site.findlib().list().names.clone();
    for p in ["visitors", "visitors.ppx", "visitors.runtime"] {
        assert_eq!(names.iter().filter(|n| n.as_str() == p).count(), 1, "{p}");
    }
    // What keeps the package off the machine: ocamlfind's own list fails
    // on this site, or (depending on the order of the directory) lists it.
    let out = Command::new("ocamlfind")
        .arg("list")
        .env("OCAMLFIND_CONF", &site.conf)
        .output()
        .expect("ocamlfind");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() || stderr.contains("Inconsistent_ordering"),
        "{stderr}"
    );
}
