//! What caravan pays for findlib in a build: reading the configuration and
//! resolving five installed packages from a fresh `Findlib` (empty META
//! cache, files in the page cache), as a build does once.
//!
//! `cargo bench -p findlib`. Uses `lwt.unix`, `ppx_deriving.show`, `yojson`,
//! `re` and `cmdliner` (installed by `crates/findlib/tests/install-packages.sh`),
//! or other installed packages where those are missing.

use criterion::{Criterion, criterion_group, criterion_main};
use findlib::{Compiler, Config, Findlib, Request};

const WANTED: &[&str] = &["lwt.unix", "ppx_deriving.show", "yojson", "re", "cmdliner"];

/// Five installed packages, the wanted ones first.
fn packages(probe: &Findlib) -> Vec<String> {
    let listing = probe.list();
    let mut packages: Vec<String> = WANTED
        .iter()
        .filter(|p| listing.names.iter().any(|n| n == *p))
        .map(|p| p.to_string())
        .collect();
    for n in &listing.names {
        if packages.len() >= 5 {
            break;
        }
        if !packages.contains(n) && probe.package(n).is_ok() {
            packages.push(n.clone());
        }
    }
    packages
}

fn resolve(c: &mut Criterion) {
    let probe = match Config::from_process() {
        Ok(config) => Findlib::new(config),
        Err(e) => {
            eprintln!(
                "findlib bench skipped: no findlib configuration ({e}); apt-get install ocaml-findlib"
            );
            return;
        }
    };
    let names = packages(&probe);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let request = Request::new(Compiler::Ocamlopt, &refs);
    if let Err(e) = probe.resolve(&request) {
        eprintln!(
            "findlib bench skipped: {} do not resolve: {e}",
            names.join(",")
        );
        return;
    }
    c.bench_function(
        &format!("configuration + resolve {} from scratch", names.join(",")),
        |b| {
            b.iter(|| {
                let config = Config::from_process().expect("the configuration read above");
                Findlib::new(config).resolve(&request)
            })
        },
    );
}

criterion_group!(benches, resolve);
criterion_main!(benches);
