//! Hygiene: compiled files left in the source tree stop the build, as in
//! ocamlbuild, because a stale `.cmi` next to the sources would be used
//! instead of the one the build makes.
//!
//! Only the traversed tree is checked. Each *law* names a kind of leftover
//! and whether it fails the build or only warns. The report is printed in
//! ocamlbuild's order (directories in reverse visiting order, so the root's
//! come last; laws in reverse order within a directory; files in reverse
//! name order) and comes with a `sanitize.sh` script that removes the
//! offenders.

use std::collections::BTreeMap;
use std::path::Path;

use crate::project::Project;

/// One kind of leftover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Law {
    /// `.cmo .cmi .cmx .cma .cmxa`.
    Compiled,
    /// `.annot` (a warning only).
    Annotations,
    /// `.o .a .so .obj .lib .dll`.
    Objects,
    /// `x.mly` next to `x.ml` or `x.mli`.
    Ocamlyacc,
    /// `x.mll` next to `x.ml`.
    Ocamllex,
    /// `.ml.depends .mli.depends`.
    Dependencies,
}

impl Law {
    const ALL: [Law; 6] = [
        Law::Compiled,
        Law::Annotations,
        Law::Objects,
        Law::Ocamlyacc,
        Law::Ocamllex,
        Law::Dependencies,
    ];

    fn title(self) -> &'static str {
        match self {
            Law::Compiled => "Leftover OCaml compilation files",
            Law::Annotations => "Leftover OCaml type annotation files",
            Law::Objects => "Leftover object files",
            Law::Ocamlyacc => "Leftover ocamlyacc-generated files",
            Law::Ocamllex => "Leftover ocamllex-generated files",
            Law::Dependencies => "Leftover dependency files",
        }
    }

    fn fails(self) -> bool {
        self != Law::Annotations
    }

    fn suffixes(self) -> &'static [&'static str] {
        match self {
            Law::Compiled => &[".cmo", ".cmi", ".cmx", ".cma", ".cmxa"],
            Law::Annotations => &[".annot"],
            Law::Objects => &[".o", ".a", ".so", ".obj", ".lib", ".dll"],
            Law::Dependencies => &[".ml.depends", ".mli.depends"],
            Law::Ocamlyacc | Law::Ocamllex => &[],
        }
    }
}

/// One offending file (or pair of files).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offence {
    /// The law broken.
    pub law: Law,
    /// The line of the report, without indentation.
    pub line: String,
    /// The file the sanitize script removes (relative to the root).
    pub remove: String,
}

/// The result of a hygiene check.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Offences by directory, in visiting order.
    pub by_dir: Vec<(String, Vec<Offence>)>,
}

/// Checks the traversed tree. `exempt` says whether a path is tagged
/// `not_hygienic` or `precious` (for a directory: its whole subtree).
pub fn check(project: &Project, exempt: &dyn Fn(&str) -> bool) -> Report {
    let mut files_by_dir: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in &project.files {
        let (dir, name) = match f.rfind('/') {
            Some(i) => (&f[..i], &f[i + 1..]),
            None => ("", f.as_str()),
        };
        files_by_dir.entry(dir).or_default().push(name);
    }
    let mut report = Report::default();
    for dir in &project.dirs {
        if !dir.is_empty() && exempt_dir(dir, exempt) {
            continue;
        }
        let mut names: Vec<&str> = files_by_dir.get(dir.as_str()).cloned().unwrap_or_default();
        names.sort();
        let shown_dir = if dir.is_empty() { "." } else { dir.as_str() };
        let path_of = |n: &str| {
            if dir.is_empty() {
                n.to_string()
            } else {
                format!("{dir}/{n}")
            }
        };
        let present = |n: &str| names.binary_search(&n).is_ok();
        let mut offences = Vec::new();
        for law in Law::ALL {
            for &name in names.iter().rev() {
                // The tags are looked up only for the files a law is about:
                // most files break none.
                match law {
                    Law::Ocamlyacc | Law::Ocamllex => {
                        let (src_ext, generated): (&str, &[&str]) = if law == Law::Ocamlyacc {
                            (".mly", &[".ml", ".mli"])
                        } else {
                            (".mll", &[".ml"])
                        };
                        let Some(stem) = name.strip_suffix(src_ext) else {
                            continue;
                        };
                        if exempt(&path_of(name)) {
                            continue;
                        }
                        for g in generated {
                            let gen_name = format!("{stem}{g}");
                            if present(&gen_name) && !exempt(&path_of(&gen_name)) {
                                offences.push(Offence {
                                    law,
                                    line: format!(
                                        "Files {name} and {gen_name} should not be together in {shown_dir}"
                                    ),
                                    remove: path_of(&gen_name),
                                });
                            }
                        }
                    }
                    _ => {
                        if let Some(suffix) = law.suffixes().iter().find(|s| name.ends_with(*s))
                            && !exempt(&path_of(name))
                        {
                            offences.push(Offence {
                                law,
                                line: format!("File {name} in {shown_dir} has suffix {suffix}"),
                                remove: path_of(name),
                            });
                        }
                    }
                }
            }
        }
        if !offences.is_empty() {
            report.by_dir.push((dir.clone(), offences));
        }
    }
    report
}

fn exempt_dir(dir: &str, exempt: &dyn Fn(&str) -> bool) -> bool {
    let mut cur = dir;
    loop {
        if exempt(cur) {
            return true;
        }
        match cur.rfind('/') {
            Some(i) => cur = &cur[..i],
            None => return false,
        }
    }
}

impl Report {
    /// Whether a failing law was broken.
    pub fn failed(&self) -> bool {
        self.offences().any(|o| o.law.fails())
    }

    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        self.by_dir.is_empty()
    }

    fn offences(&self) -> impl Iterator<Item = &Offence> {
        self.by_dir.iter().flat_map(|(_, o)| o.iter())
    }

    /// The report as ocamlbuild prints it. `script` is the sanitize script's
    /// path when one is written.
    pub fn render(&self, script: Option<&Path>) -> String {
        let mut out = String::new();
        let count = self.offences().count();
        if count == 0 {
            return out;
        }
        if let Some(script) = script {
            let text = format!(
                "SANITIZE: a total of {count} {} that should probably not be in your source tree \
                 has been found. A script shell file \"{}\" is being created. Check this script \
                 and run it to remove unwanted files or use other options (such as defining \
                 hygiene exceptions or using the -no-hygiene option).",
                if count == 1 { "file" } else { "files" },
                script.display()
            );
            out.push_str(&wrap(&text, 78, "  "));
        }
        let mut said_important = false;
        for (_, offences) in self.by_dir.iter().rev() {
            for law in Law::ALL.iter().rev() {
                let lines: Vec<&Offence> = offences.iter().filter(|o| o.law == *law).collect();
                if lines.is_empty() {
                    continue;
                }
                if law.fails() && !said_important {
                    out.push_str("IMPORTANT: I cannot work with leftover compiled files.\n");
                    said_important = true;
                }
                let head = if law.fails() { "ERROR" } else { "Warning" };
                out.push_str(&format!("{head}: {}:\n", law.title()));
                for o in lines {
                    out.push_str(&format!("  {}\n", o.line));
                }
            }
        }
        if self.failed() {
            out.push_str("Exiting due to hygiene violations.\n");
        }
        out
    }

    /// The `sanitize.sh` script removing every offender.
    pub fn sanitize_script(&self, root: &Path, script: &Path) -> String {
        let mut files: Vec<&str> = self.offences().map(|o| o.remove.as_str()).collect();
        files.sort();
        let mut s = format!(
            "#!/bin/sh\n# File generated by caravan\n\ncd {}\n\n",
            root.display()
        );
        for f in files {
            s.push_str(&format!("rm -f {f}\n"));
        }
        s.push_str(&format!(
            "# Also clean the script itself\nrm -f {}\n",
            script.display()
        ));
        s
    }
}

/// Greedy word wrap: lines of at most `width` characters, continuation lines
/// indented.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if line.is_empty() {
            line.push_str(word);
        } else if line.len() + 1 + word.len() > width {
            out.push_str(&line);
            out.push('\n');
            line = format!("{indent}{word}");
        } else {
            line.push(' ');
            line.push_str(word);
        }
    }
    out.push_str(&line);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[&str], dirs: &[&str]) -> Project {
        Project {
            files: files.iter().map(|s| s.to_string()).collect(),
            dirs: dirs.iter().map(|s| s.to_string()).collect(),
            ..Project::default()
        }
    }

    #[test]
    fn report_matches_ocamlbuild_layout() {
        let p = project(
            &[
                "a.ml",
                "a.cmi",
                "a.cmo",
                "b.o",
                "c.annot",
                "lex.mll",
                "lex.ml",
                "p.mly",
                "p.mli",
                "sub/x.cmx",
                "sub/y.ml.depends",
            ],
            &["", "sub"],
        );
        let r = check(&p, &|_| false);
        assert!(r.failed());
        let text = r.render(Some(Path::new("/tmp/hy/_build/sanitize.sh")));
        let expected = "\
SANITIZE: a total of 8 files that should probably not be in your source tree
  has been found. A script shell file \"/tmp/hy/_build/sanitize.sh\" is being
  created. Check this script and run it to remove unwanted files or use other
  options (such as defining hygiene exceptions or using the -no-hygiene
  option).
IMPORTANT: I cannot work with leftover compiled files.
ERROR: Leftover dependency files:
  File y.ml.depends in sub has suffix .ml.depends
ERROR: Leftover OCaml compilation files:
  File x.cmx in sub has suffix .cmx
ERROR: Leftover ocamllex-generated files:
  Files lex.mll and lex.ml should not be together in .
ERROR: Leftover ocamlyacc-generated files:
  Files p.mly and p.mli should not be together in .
ERROR: Leftover object files:
  File b.o in . has suffix .o
Warning: Leftover OCaml type annotation files:
  File c.annot in . has suffix .annot
ERROR: Leftover OCaml compilation files:
  File a.cmo in . has suffix .cmo
  File a.cmi in . has suffix .cmi
Exiting due to hygiene violations.
";
        assert_eq!(text, expected);
        let script = r.sanitize_script(
            Path::new("/tmp/hy"),
            Path::new("/tmp/hy/_build/sanitize.sh"),
        );
        assert!(script.contains("rm -f a.cmi\nrm -f a.cmo\nrm -f b.o\nrm -f c.annot\nrm -f lex.ml\nrm -f p.mli\nrm -f sub/x.cmx\nrm -f sub/y.ml.depends\n"));
    }

    #[test]
    fn warnings_alone_do_not_fail() {
        let p = project(&["a.ml", "c.annot"], &[""]);
        let r = check(&p, &|_| false);
        assert!(!r.failed());
        assert!(!r.is_clean());
        assert!(!r.render(None).contains("Exiting"));
    }

    #[test]
    fn exempt_paths_and_subtrees_are_skipped() {
        let p = project(&["a.cmi", "vendor/b.o"], &["", "vendor"]);
        let r = check(&p, &|p| p == "a.cmi" || p == "vendor");
        assert!(r.is_clean());
    }
}
