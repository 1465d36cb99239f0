//! Building one tree with caravan and with the real ocamlbuild, and
//! comparing what they did: exit codes, `_log` entries (header tags and
//! commands), the files they generated, and the programs' output.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::{Run, Tree};

/// One tree, built by both tools in two copies.
pub struct Both {
    pub ours: Tree,
    pub theirs: Tree,
    pub our_run: Run,
    pub their_run: Run,
}

/// Builds `files` with `caravan <args>` and with
/// `ocamlbuild -classic-display <their_extra> <args>`; both must agree on
/// the exit code.
pub fn build(files: &[(&str, &str)], args: &[&str], their_extra: &[&str]) -> Both {
    let ours = Tree::new(files);
    let theirs = ours.copy_sources();
    let mut ob_args = vec!["-classic-display"];
    ob_args.extend(their_extra);
    ob_args.extend(args);
    let their_run = theirs.ocamlbuild(&ob_args);
    let our_run = ours.caravan(args);
    assert_eq!(
        our_run.code, their_run.code,
        "caravan:\n{}\nocamlbuild:\n{}",
        our_run.stdout, their_run.stdout
    );
    Both {
        ours,
        theirs,
        our_run,
        their_run,
    }
}

/// A `_log` entry: the header's tag set and the command, normalised.
pub type Entry = (String, String);

/// The entries of a `_log`, by header target, in order. Normalised:
/// `# cached`, caravan's `# from the local cache` and `# in-process` markers, and caravan's
/// `-intf-suffix .ml` (it reads the `.cmi` another compiler wrote, where
/// ocamlbuild compiles twice) are dropped.
pub fn log_entries(log: &str) -> BTreeMap<String, Vec<Entry>> {
    let mut out: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    let lines: Vec<&str> = log.lines().collect();
    for pair in lines.windows(2) {
        let Some(rest) = pair[0].strip_prefix("# Target: ") else {
            continue;
        };
        let Some((target, tags)) = rest.rsplit_once(", tags: ") else {
            continue;
        };
        let command = pair[1]
            .trim_end_matches(" # cached")
            .trim_end_matches(" # from the local cache")
            .trim_end_matches(" # in-process")
            .replace(" -intf-suffix .ml", "");
        out.entry(target.to_string())
            .or_default()
            .push((tags.to_string(), command));
    }
    out
}

impl Both {
    /// The log entries of both builds.
    pub fn logs(&self) -> (BTreeMap<String, Vec<Entry>>, BTreeMap<String, Vec<Entry>>) {
        (
            log_entries(&self.ours.read("_build/_log")),
            log_entries(&self.theirs.read("_build/_log")),
        )
    }

    /// Every command caravan ran is ocamlbuild's for the same target, with
    /// the same tags; every command ocamlbuild ran for a target matching
    /// `must` was run by caravan too. (ocamlbuild also compiles bytecode
    /// for native builds of modules without an `.mli`, which caravan does
    /// not: such extra commands are not required.) Returns how many entries
    /// were compared.
    #[track_caller]
    pub fn same_commands(&self, must: &dyn Fn(&str) -> bool) -> usize {
        let (mine, reference) = self.logs();
        let mut compared = 0;
        for (target, entries) in &mine {
            let Some(theirs) = reference.get(target) else {
                panic!("caravan ran {entries:?} for {target}, ocamlbuild nothing:\n{reference:#?}");
            };
            for e in entries {
                assert!(
                    theirs.contains(e),
                    "for {target}, caravan ran\n  {e:?}\nocamlbuild ran\n  {theirs:?}"
                );
                compared += 1;
            }
        }
        for (target, entries) in &reference {
            if must(target) {
                let ours = mine.get(target).cloned().unwrap_or_default();
                for e in entries {
                    assert!(
                        ours.contains(e),
                        "for {target}, ocamlbuild ran\n  {e:?}\ncaravan ran\n  {ours:?}"
                    );
                }
            }
        }
        compared
    }

    /// The build directories hold the same `files`, byte for byte.
    #[track_caller]
    pub fn same_files(&self, files: &[&str]) {
        for f in files {
            let path = format!("_build/{f}");
            assert!(self.theirs.exists(&path), "ocamlbuild made no {f}");
            assert!(self.ours.exists(&path), "caravan made no {f}");
            assert_eq!(
                std::fs::read(self.ours.path(&path)).expect("read"),
                std::fs::read(self.theirs.path(&path)).expect("read"),
                "{f} differs"
            );
        }
    }

    /// Both programs print the same thing; returns it.
    #[track_caller]
    pub fn same_output(&self, program: &str) -> String {
        let a = self.ours.run(program, &[]);
        let b = self.theirs.run(program, &[]);
        assert_eq!(a.code, b.code, "{program}");
        assert_eq!(a.stdout, b.stdout, "{program}");
        a.stdout
    }

    /// The files of a directory of `_build` in both trees, by name.
    pub fn listings(&self, dir: &str) -> (BTreeSet<String>, BTreeSet<String>) {
        let list = |t: &Tree| -> BTreeSet<String> {
            std::fs::read_dir(t.path(&format!("_build/{dir}")))
                .map(|rd| {
                    rd.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default()
        };
        (list(&self.ours), list(&self.theirs))
    }
}
