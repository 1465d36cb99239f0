//! OCaml sources: `depscan::scan` never panics on any bytes, read as an
//! implementation or as an interface. The modules it reports are
//! capitalised OCaml identifiers; the errors it gives are located inside
//! the input.
//!
//! Shared by the fuzz target `fuzz/fuzz_targets/depscan.rs` and the test that
//! replays `fuzz/regressions/depscan/` in the owning crate.

use depscan::{ModuleSet, ScanError, SourceKind, scan};

/// An upper-case letter starting a module name (ASCII or Latin-1, as OCaml
/// 4.13 allows), given as the character `depscan` returns for the byte.
fn is_capital(c: char) -> bool {
    c.is_ascii_uppercase() || ('\u{C0}'..='\u{DE}').contains(&c) && c != '\u{D7}'
}

/// A character that may follow it in an identifier.
fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c == '_'
        || c == '\''
        || ('\u{C0}'..='\u{FF}').contains(&c) && c != '\u{D7}' && c != '\u{F7}'
}

fn check_result(data: &[u8], result: Result<ModuleSet, ScanError>) {
    match result {
        Ok(modules) => {
            for name in &modules {
                let mut chars = name.chars();
                assert!(chars.next().is_some_and(is_capital), "module {name:?}");
                assert!(chars.all(is_ident), "module {name:?}");
            }
        }
        Err(e) => {
            let at = e.location();
            let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
            assert!(at.line >= 1 && at.line as usize <= lines, "{e}");
            assert!(at.start <= at.end, "{e}");
            assert!(!e.to_string().is_empty());
        }
    }
}

/// Runs `data` through the parser and checks the invariants above; panics
/// when one does not hold.
pub fn check(data: &[u8]) {
    check_result(data, scan(data, SourceKind::Implementation));
    check_result(data, scan(data, SourceKind::Interface));
}
