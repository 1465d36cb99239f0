//! Where the cache folder is: `CARAVAN_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/caravan/cache`, else `$HOME/.cache/caravan/cache`.

use std::path::PathBuf;

/// The cache folder chosen by the environment; `None` when neither
/// `CARAVAN_CACHE_DIR`, `XDG_CACHE_HOME` nor `HOME` is set.
pub fn from_env() -> Option<PathBuf> {
    resolve(|name| std::env::var_os(name).filter(|v| !v.is_empty()))
}

fn resolve(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    if let Some(dir) = var("CARAVAN_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(xdg) = var("XDG_CACHE_HOME") {
        return Some(PathBuf::from(xdg).join("caravan").join("cache"));
    }
    var("HOME").map(|home| {
        PathBuf::from(home)
            .join(".cache")
            .join("caravan")
            .join("cache")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<std::ffi::OsString> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.into())
    }

    #[test]
    fn the_variable_wins_then_xdg_then_home() {
        let all = env(&[
            ("CARAVAN_CACHE_DIR", "/c"),
            ("XDG_CACHE_HOME", "/x"),
            ("HOME", "/h"),
        ]);
        assert_eq!(resolve(all), Some(PathBuf::from("/c")));
        let xdg = env(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")]);
        assert_eq!(resolve(xdg), Some(PathBuf::from("/x/caravan/cache")));
        let home = env(&[("HOME", "/h")]);
        assert_eq!(
            resolve(home),
            Some(PathBuf::from("/h/.cache/caravan/cache"))
        );
        assert_eq!(resolve(env(&[])), None);
    }
}
