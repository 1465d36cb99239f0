//! Actions run in parallel as soon as their inputs exist.

use std::os::unix::fs::PermissionsExt;

use crate::support::Tree;

/// A tree whose compiler wrapper makes the compilations of `l.ml` and
/// `r.ml` wait for each other: the build succeeds only if they run at the
/// same time.
fn rendezvous() -> Tree {
    let t = Tree::new(&[
        ("l.ml", "let v = \"l\"\n"),
        ("r.ml", "let v = \"r\"\n"),
        ("main.ml", "let () = print_string (L.v ^ R.v)\n"),
        (
            "meet.sh",
            "#!/bin/sh\n\
             for a; do last=$a; done\n\
             case \"$last\" in\n\
             l.ml) touch l.started; other=r.started;;\n\
             r.ml) touch r.started; other=l.started;;\n\
             *) exec ocamlc \"$@\";;\n\
             esac\n\
             i=0\n\
             while [ ! -e \"$other\" ]; do\n\
             i=$((i+1)); if [ $i -gt 100 ]; then echo \"no overlap\" >&2; exit 1; fi; sleep 0.05\n\
             done\n\
             exec ocamlc \"$@\"\n",
        ),
    ]);
    let script = t.path("meet.sh");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    t
}

#[test]
fn independent_compilations_run_at_the_same_time() {
    let t = rendezvous();
    let wrapper = t.path("meet.sh").to_string_lossy().into_owned();
    t.caravan(&["-j", "2", "-no-hygiene", "-ocamlc", &wrapper, "main.byte"])
        .ok();
    assert_eq!(t.run("main.byte", &[]).stdout, "lr");
}

#[test]
fn one_job_runs_one_command_at_a_time() {
    let t = rendezvous();
    let wrapper = t.path("meet.sh").to_string_lossy().into_owned();
    let r = t.caravan(&["-j", "1", "-no-hygiene", "-ocamlc", &wrapper, "main.byte"]);
    assert_eq!(r.code, 10, "{}", r.stdout);
    assert!(r.stdout.contains("no overlap"));
}

#[test]
fn the_default_uses_every_core() {
    if std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        < 2
    {
        return;
    }
    let t = rendezvous();
    let wrapper = t.path("meet.sh").to_string_lossy().into_owned();
    t.caravan(&["-no-hygiene", "-ocamlc", &wrapper, "main.byte"])
        .ok();
}

#[test]
fn unlimited_jobs_with_zero() {
    let t = rendezvous();
    let wrapper = t.path("meet.sh").to_string_lossy().into_owned();
    t.caravan(&["-j", "0", "-no-hygiene", "-ocamlc", &wrapper, "main.byte"])
        .ok();
}
