//! Folder patterns in a plugin's `define_context` declarations, expanded
//! with the traversed folders: `d/**` stands for every folder under `d`,
//! `d/*` for its direct sub-folders. `build_rules.ml`'s
//! `shared_namespace_dir` and `include_subdirs` (`plugin/caravan_layer.ml`)
//! declare them, so that the folders are the tree's when the rules are made,
//! never a list the plugin read once (a replayed plugin session would keep
//! it while folders come and go).
//!
//! A context whose folder is `d/**` applies to each folder under `d`, which
//! comes first in its own list (a folder's own modules first, as ocamlbuild
//! orders a context).

/// The contexts with their patterns replaced; `dirs` are the traversed
/// folders (`""` for the root).
pub fn expand(contexts: &[(String, Vec<String>)], dirs: &[String]) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for (dir, list) in contexts {
        let expanded = expand_list(list, dirs);
        match dir.strip_suffix("/**") {
            Some(base) => {
                for d in under(base, dirs, true) {
                    let mut own = vec![d.to_string()];
                    own.extend(expanded.iter().filter(|x| *x != d).cloned());
                    out.push((d.to_string(), own));
                }
            }
            None => out.push((dir.clone(), expanded)),
        }
    }
    out
}

fn expand_list(list: &[String], dirs: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |d: &str| {
        if !out.iter().any(|x| x == d) {
            out.push(d.to_string());
        }
    };
    for entry in list {
        if let Some(base) = entry.strip_suffix("/**") {
            under(base, dirs, true).into_iter().for_each(&mut push);
        } else if let Some(base) = entry.strip_suffix("/*") {
            under(base, dirs, false).into_iter().for_each(&mut push);
        } else {
            push(entry);
        }
    }
    out
}

/// The folders strictly under `base` (all, or only direct children), in
/// the traversal's order.
fn under<'a>(base: &str, dirs: &'a [String], deep: bool) -> Vec<&'a str> {
    let base = if base == "." { "" } else { base };
    dirs.iter()
        .filter_map(|d| {
            let rest = if base.is_empty() {
                (!d.is_empty()).then_some(d.as_str())?
            } else {
                d.strip_prefix(base)?.strip_prefix('/')?
            };
            (deep || !rest.contains('/')).then_some(d.as_str())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn shared_and_included_folders_are_the_trees() {
        let dirs = s(&["", "lib", "lib/a", "lib/a/b", "lib/c", "libx", "other"]);
        let contexts = vec![
            ("lib".to_string(), s(&["lib", "lib/**", "."])),
            ("lib/**".to_string(), s(&["lib", "lib/**", "."])),
            ("other".to_string(), s(&["other", "other/*", "lib/*"])),
        ];
        let got = expand(&contexts, &dirs);
        assert_eq!(
            got,
            vec![
                (
                    "lib".to_string(),
                    s(&["lib", "lib/a", "lib/a/b", "lib/c", "."])
                ),
                (
                    "lib/a".to_string(),
                    s(&["lib/a", "lib", "lib/a/b", "lib/c", "."])
                ),
                (
                    "lib/a/b".to_string(),
                    s(&["lib/a/b", "lib", "lib/a", "lib/c", "."])
                ),
                (
                    "lib/c".to_string(),
                    s(&["lib/c", "lib", "lib/a", "lib/a/b", "."])
                ),
                ("other".to_string(), s(&["other", "lib/a", "lib/c"])),
            ]
        );
    }
}
