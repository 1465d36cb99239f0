//! What a source refers to ([`ModuleRefs`]): the module names of its
//! `.depends` file and, from the in-process scanner, its qualified paths;
//! the value of a dependency scan's task.

/// The module names a source mentions, in the order of its `.depends` file,
/// and, from the in-process scanner, its qualified paths (for namespaced
/// libraries: see the `namespace` module).
#[derive(Debug, Clone, Default)]
pub struct ModuleRefs {
    /// The names, as `ocamldep -modules` prints them.
    pub modules: Vec<String>,
    /// `(A, B)` for each path `A.B...` ([`depscan::Scan::paths`]).
    pub paths: Vec<(String, String)>,
    /// Modules used as a whole ([`depscan::Scan::whole`]).
    pub whole: Vec<String>,
    /// Whether `paths` and `whole` are known (the in-process scanner ran);
    /// not when `ocamldep` did.
    pub precise: bool,
}

impl ModuleRefs {
    /// Names only, as `ocamldep` gives them: not precise.
    pub fn names(modules: Vec<String>) -> ModuleRefs {
        ModuleRefs {
            modules,
            ..ModuleRefs::default()
        }
    }

    /// The value an in-process scan keeps in its trace: the names, then
    /// `A.B` for each path and `A.` for each whole use, blank-separated;
    /// `!` first when the scanner could not read the file (`ocamldep`
    /// gave the names).
    pub(crate) fn decode(value: &[u8]) -> ModuleRefs {
        let text = String::from_utf8_lossy(value);
        let mut refs = ModuleRefs {
            precise: true,
            ..ModuleRefs::default()
        };
        for word in text.split_whitespace() {
            if word == "!" {
                refs.precise = false;
            } else if let Some(head) = word.strip_suffix('.') {
                refs.whole.push(head.to_string());
            } else if let Some((a, b)) = word.split_once('.') {
                refs.paths.push((a.to_string(), b.to_string()));
            } else {
                refs.modules.push(word.to_string());
            }
        }
        refs
    }
}
