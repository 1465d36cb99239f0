//! `.depends` files: the output format of `ocamldep -modules`.
//!
//! One line per source, `path: Mod1 Mod2 ...`. caravan writes this format
//! from its in-process scanner, so `caravan x.ml.depends` gives the file
//! ocamlbuild would give, and reads it back (from either writer).

/// Renders the modules of `path` as `ocamldep -modules` prints them.
pub fn render<'a>(path: &str, modules: impl IntoIterator<Item = &'a String>) -> String {
    let mut out = String::with_capacity(path.len() + 64);
    out.push_str(path);
    out.push(':');
    for m in modules {
        out.push(' ');
        out.push_str(m);
    }
    out.push('\n');
    out
}

/// The modules listed in a `.depends` file for `path`; `Err` describes a
/// malformed file in ocamlbuild's words.
pub fn parse(path: &str, text: &str) -> Result<Vec<String>, String> {
    let mut modules = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((file, mods)) = line.split_once(':') else {
            return Err(format!("Ocamldep.ocamldep: bad output ({line})"));
        };
        if crate::module_name::of_path(file.trim()) != crate::module_name::of_path(path) {
            return Err(format!(
                "Ocamldep.ocamldep: multiple files in ocamldep output ({} not expected)",
                file.trim()
            ));
        }
        modules.extend(mods.split_whitespace().map(str::to_string));
    }
    Ok(modules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mods = vec!["List".to_string(), "Util".to_string()];
        let text = render("src/a.ml", &mods);
        assert_eq!(text, "src/a.ml: List Util\n");
        assert_eq!(parse("src/a.ml", &text).unwrap(), mods);
        assert_eq!(parse("a.ml", "a.ml:\n").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn rejects_other_files() {
        assert!(
            parse("a.ml", "b.ml: X\n")
                .unwrap_err()
                .contains("multiple files")
        );
    }
}
