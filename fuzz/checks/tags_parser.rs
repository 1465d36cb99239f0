//! `_tags` text: `tags::parse` never panics, and what it accepts survives a
//! print-and-reparse; the same text read from a subdirectory's `_tags` is
//! accepted or rejected alike, and its patterns stay inside that directory.
//!
//! Shared by the fuzz target `fuzz/fuzz_targets/tags_parser.rs` and the test that
//! replays `fuzz/regressions/tags_parser/` in the owning crate.

use tags::{Configuration, Error, Line, Source, parse};

/// Paths every accepted configuration is asked about.
const PATHS: [&str; 6] = ["a.ml", "b.mli", "d/c.ml", "d", "", "x/y/z"];

/// Writes `lines` back as `_tags` text. Patterns are written as they were
/// read; every tag gets an explicit sign, as a tag may itself begin with
/// `-` or `+`.
fn print(lines: &[Line]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in lines {
        out.extend_from_slice(line.pattern.text().as_bytes());
        out.push(b':');
        let signed = line
            .add
            .iter()
            .map(|t| (b'+', t))
            .chain(line.remove.iter().map(|t| (b'-', t)));
        for (i, (sign, tag)) in signed.enumerate() {
            out.extend_from_slice(if i == 0 { b" " } else { b", " });
            out.push(sign);
            out.extend_from_slice(tag.tag.as_str().as_bytes());
        }
        out.push(b'\n');
    }
    out
}

/// The lines without their locations.
fn shape(lines: &[Line]) -> Vec<(String, Vec<String>, Vec<String>)> {
    lines
        .iter()
        .map(|l| {
            let names =
                |v: &[tags::LocatedTag]| v.iter().map(|t| t.tag.as_str().to_owned()).collect();
            (l.pattern.text(), names(&l.add), names(&l.remove))
        })
        .collect()
}

fn check_error(e: &Error) {
    let text = e.to_string();
    assert!(text.starts_with("File \"_tags\", line"), "{text}");
    assert_eq!(e.exit_code(), 8);
    if let Error::Lexing { location, .. } = e {
        assert!(location.start_line >= 1);
        assert!(location.start_column <= location.end_column, "{text}");
    }
}

/// Runs `data` through the parser and checks the invariants above; panics
/// when one does not hold.
pub fn check(data: &[u8]) {
    let root = parse(Source::file("_tags"), data, None);
    let scoped = parse(Source::file("_tags"), data, Some("d"));
    assert_eq!(root.is_ok(), scoped.is_ok());
    let lines = match root {
        Ok(lines) => lines,
        Err(e) => {
            check_error(&e);
            return;
        }
    };

    // Print, read again: the same patterns and tags. A pattern is only
    // known through its text as UTF-8, so patterns with other bytes (inside
    // a class or a quoted path) cannot be written back.
    if !lines.iter().any(|l| l.pattern.text().contains('\u{FFFD}')) {
        let printed = print(&lines);
        match parse(Source::file("_tags"), &printed, None) {
            Ok(again) => assert_eq!(shape(&lines), shape(&again)),
            Err(e) => panic!(
                "printed form rejected: {e}\n{}",
                String::from_utf8_lossy(&printed)
            ),
        }
    }

    // Scoped patterns hold for `d` and below only.
    if let Ok(scoped) = scoped {
        for line in &scoped {
            assert_eq!(line.pattern.scope(), Some("d"));
            for path in ["a.ml", "dx/a.ml", "e/d/a.ml", ""] {
                assert!(!line.pattern.matches(path), "{path}");
            }
        }
    }

    let mut config = Configuration::new();
    if let Err(e) = config.add_tags_file("", data) {
        panic!("parse accepted what the configuration rejects: {e}");
    }
    for path in PATHS {
        let _ = config.tags_of(path).to_string();
    }
    for line in &lines {
        for path in PATHS {
            let _ = line.pattern.matches(path);
        }
    }
}
