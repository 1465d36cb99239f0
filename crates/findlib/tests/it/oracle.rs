//! The installed `ocamlfind`, run as the reference the crate is compared to.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The output of one ocamlfind command: its arguments or its error text.
pub type Answer = Result<Output, String>;

/// What ocamlfind printed for a successful command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The compiler arguments (`-only-show`) or query answers.
    pub lines: Vec<String>,
    /// `ocamlfind: [WARNING] Package ...` lines, without the prefix.
    pub warnings: Vec<String>,
}

/// The placeholder for the temporary findlib initialization file.
pub const INIT_FILE: &str = "<findlib-init>";

/// The names in backquotes (`` `name' ``) of an ocamlfind error message.
pub fn quoted_names(message: &str) -> Vec<&str> {
    message
        .split('`')
        .skip(1)
        .filter_map(|s| s.split('\'').next())
        .collect()
}

/// Whether two answers agree: the same output, or both an error and the
/// crate's naming every package ocamlfind's names.
pub fn agree(theirs: &Answer, ours: &Answer) -> bool {
    match (theirs, ours) {
        (Ok(a), Ok(b)) => a == b,
        (Err(a), Err(b)) => quoted_names(a)
            .iter()
            .all(|n| b.contains(&format!("`{n}'"))),
        _ => false,
    }
}

/// Whether `ocamlfind` can be run.
pub fn available() -> bool {
    Command::new("ocamlfind")
        .arg("printconf")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Result<(String, String), String> {
    let mut cmd = Command::new("ocamlfind");
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run ocamlfind: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        Ok((stdout, stderr))
    } else {
        Err(stderr.trim().to_string())
    }
}

fn package_warnings(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("ocamlfind: [WARNING] "))
        .filter(|l| l.starts_with("Package `"))
        .map(str::to_string)
        .collect()
}

/// Undoes OCaml's `String.escaped`.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            let c = b[i + 1];
            match c {
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'r' => out.push(b'\r'),
                b'b' => out.push(8),
                b'0'..=b'9' if i + 3 < b.len() + 1 => {
                    let n: u32 = s[i + 1..(i + 4).min(s.len())].parse().unwrap_or(0);
                    out.push(n as u8);
                    i += 4;
                    continue;
                }
                other => out.push(other),
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits the command line `-only-show` prints: arguments separated by one
/// space, those containing a space double-quoted and escaped.
pub fn split_command_line(line: &str) -> Vec<String> {
    let b = line.as_bytes();
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        if i < b.len() && b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            args.push(unescape(&line[i + 1..j.min(b.len())]));
            i = j + 1;
        } else {
            let j = line[i.min(line.len())..]
                .find(' ')
                .map_or(line.len(), |k| k + i);
            args.push(line[i.min(line.len())..j].to_string());
            i = j;
        }
        if i >= b.len() {
            break;
        }
        i += 1; // the separating space
    }
    args
}

fn is_init_file(arg: &str) -> bool {
    Path::new(arg)
        .file_name()
        .map(|n| n.to_string_lossy())
        .is_some_and(|n| n.starts_with("findlib_initl") && n.ends_with(".ml"))
}

/// `ocamlfind COMPILER -only-show OPTIONS [-package PKG] [-linkpkg] x.ml`: the
/// arguments after the command name, the init file replaced by
/// [`INIT_FILE`].
pub fn only_show(compiler: &str, options: &[&str], package: &str, linkpkg: bool) -> Answer {
    only_show_in(compiler, options, package, linkpkg, &[])
}

/// [`only_show`] with extra environment variables (`OCAMLFIND_CONF` for a
/// private findlib site).
pub fn only_show_in(
    compiler: &str,
    options: &[&str],
    package: &str,
    linkpkg: bool,
    env: &[(&str, &str)],
) -> Answer {
    let mut args = vec![compiler, "-only-show"];
    args.extend_from_slice(options);
    if !package.is_empty() {
        args.extend_from_slice(&["-package", package]);
    }
    if linkpkg {
        args.push("-linkpkg");
    }
    args.push("x.ml");
    let (stdout, stderr) = run(&args, env)?;
    let line = stdout.lines().next().unwrap_or("");
    let mut lines = split_command_line(line);
    if !lines.is_empty() {
        lines.remove(0);
    }
    for a in &mut lines {
        if is_init_file(a) {
            *a = INIT_FILE.to_string();
        }
    }
    Ok(Output {
        lines,
        warnings: package_warnings(&stderr),
    })
}

/// Separates answers of [`query`] (a character no META value contains).
pub const SEPARATOR: &str = "\u{1e}";

/// `ocamlfind query [-r] -predicates PREDS -format FORMAT PKG`.
pub fn query(package: &str, recursive: bool, predicates: &str, format: &str) -> Answer {
    let mut args = vec!["query"];
    if recursive {
        args.push("-r");
    }
    args.extend_from_slice(&[
        "-predicates",
        predicates,
        "-format",
        format,
        "-separator",
        SEPARATOR,
        "-suffix",
        "",
        package,
    ]);
    let (stdout, stderr) = run(&args, &[])?;
    let lines = if stdout.is_empty() {
        Vec::new()
    } else {
        stdout.split(SEPARATOR).map(str::to_string).collect()
    };
    Ok(Output {
        lines,
        warnings: package_warnings(&stderr),
    })
}

/// `ocamlfind printconf path`.
pub fn search_path() -> Vec<PathBuf> {
    run(&["printconf", "path"], &[])
        .map(|(o, _)| o.lines().map(PathBuf::from).collect())
        .unwrap_or_default()
}

fn parse_list(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// How the package list was obtained.
pub struct PackageList {
    /// The names, sorted as ocamlfind sorts them.
    pub names: Vec<String>,
    /// Set when plain `ocamlfind list` failed and the list was taken with
    /// a search path that leaves out directories with dotted names (see
    /// [`list`]): the error ocamlfind gave.
    pub workaround_for: Option<String>,
}

/// `ocamlfind list`.
///
/// ocamlfind 1.9.6 aborts `list` with `Fl_topo.Inconsistent_ordering` when
/// a directory named like a sub-package (`visitors.ppx/META`, shipped by
/// Debian's visitors package next to `visitors/META`, which defines
/// `visitors.ppx` itself) is read before the main package's directory: it
/// then registers `visitors.ppx` twice. Whether it happens depends on the
/// file system's directory order. In that case the list is taken again
/// with a copy of the search path made of symbolic links that leaves such
/// dotted directories out (they can never be looked up by name anyway:
/// `a.b` always means sub-package `b` of `a`).
pub fn list(scratch: &Path) -> Result<PackageList, String> {
    match run(&["list"], &[]) {
        Ok((stdout, _)) => Ok(PackageList {
            names: parse_list(&stdout),
            workaround_for: None,
        }),
        Err(e) => {
            let mut dirs = Vec::new();
            for (k, dir) in search_path().iter().enumerate() {
                let farm = scratch.join(format!("path{k}"));
                std::fs::create_dir_all(&farm).map_err(|e| e.to_string())?;
                if let Ok(entries) = std::fs::read_dir(dir) {
                    for entry in entries.flatten() {
                        let name = entry.file_name().to_string_lossy().into_owned();
                        let dotted_dir = name.contains('.') && entry.path().join("META").exists();
                        let dotted_meta = name.starts_with("META.") && name[5..].contains('.');
                        if !dotted_dir && !dotted_meta {
                            std::os::unix::fs::symlink(entry.path(), farm.join(&name))
                                .map_err(|e| e.to_string())?;
                        }
                    }
                }
                dirs.push(farm.to_string_lossy().into_owned());
            }
            let conf = scratch.join("findlib.conf");
            std::fs::write(&conf, format!("path = \"{}\"\n", dirs.join(":")))
                .map_err(|e| e.to_string())?;
            let conf = conf.to_string_lossy().into_owned();
            let (stdout, _) = run(&["list"], &[("OCAMLFIND_CONF", &conf)])?;
            Ok(PackageList {
                names: parse_list(&stdout),
                workaround_for: Some(e),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_are_split_like_ocamlfind_prints_them() {
        assert_eq!(
            split_command_line(r#"ocamlopt -I /a -ppx "/p/./ppx --as-ppx \"q\"" x.ml"#),
            vec![
                "ocamlopt",
                "-I",
                "/a",
                "-ppx",
                "/p/./ppx --as-ppx \"q\"",
                "x.ml"
            ]
        );
        assert_eq!(split_command_line("a  b"), vec!["a", "", "b"]);
        assert_eq!(unescape(r"a\\b\n\065"), "a\\b\nA");
    }
}
