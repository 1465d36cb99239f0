//! Compares `scan` with `ocamldep -modules` over a set of files.

use crate::oracle::{Verdict, ocamldep};
use depscan::{SourceKind, scan};
use std::fs;
use std::path::{Path, PathBuf};

/// The outcome of a comparison.
#[derive(Debug, Default)]
pub struct Report {
    /// Files compared (all files but the excluded ones).
    pub compared: usize,
    /// Files where both agree (same modules, or both reject the file).
    pub agreed: usize,
    /// Of those, files both reject.
    pub both_rejected: usize,
    /// Files that cannot be compared, with the reason.
    pub excluded: Vec<String>,
    /// Files where they disagree, with the details.
    pub disagreements: Vec<String>,
}

impl Report {
    /// Prints the details and a summary line.
    pub fn print(&self, what: &str) {
        for line in &self.excluded {
            println!("excluded: {line}");
        }
        for line in &self.disagreements {
            println!("DISAGREE: {line}");
        }
        println!(
            "summary ({what}): {} files compared, {} agreed ({} rejected by both), \
             {} disagreed, {} excluded",
            self.compared,
            self.agreed,
            self.both_rejected,
            self.disagreements.len(),
            self.excluded.len()
        );
    }
}

/// Scans each of `files` (relative to `root`) and compares with
/// `ocamldep`.
pub fn compare(root: &Path, files: &[PathBuf]) -> Report {
    let verdicts = ocamldep(root, files);
    let mut report = Report::default();
    for file in files {
        let Ok(source) = fs::read(root.join(file)) else {
            report
                .excluded
                .push(format!("{}: unreadable", file.display()));
            continue;
        };
        let kind = SourceKind::from_path(file).expect("not an OCaml file");
        let ours = scan(&source, kind);
        match (&verdicts[file], ours) {
            (Verdict::Modules(theirs), Ok(ours)) if *theirs == ours => report.agreed += 1,
            (Verdict::Rejected, Err(_)) => {
                report.agreed += 1;
                report.both_rejected += 1;
            }
            (Verdict::Rejected, Ok(_)) => {
                report.excluded.push(format!(
                    "{}: ocamldep rejects it, scan accepts it",
                    file.display()
                ));
                continue;
            }
            (Verdict::Modules(theirs), Ok(ours)) => report.disagreements.push(format!(
                "{}: missing {:?}, extra {:?}",
                file.display(),
                theirs.difference(&ours).collect::<Vec<_>>(),
                ours.difference(theirs).collect::<Vec<_>>(),
            )),
            (Verdict::Modules(_), Err(err)) => report
                .disagreements
                .push(format!("{}: scan fails: {err}", file.display())),
        }
        report.compared += 1;
    }
    report
}
