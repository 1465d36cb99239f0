//! The ppx drivers asked for so far ([`Drivers`]), by the folder of each
//! under [`DRIVER_DIR`]: a rewrite registers the driver of its rewriters,
//! and the rules find the driver's task from its target (see
//! `rules::ppx` for the pipeline).

use std::sync::Mutex;

use engine::{DigestBuilder, Target};
use rustc_hash::FxHashMap;

/// The folder of the drivers, in the build directory.
pub const DRIVER_DIR: &str = ".caravan/ppx";

/// The drivers asked for so far, by the name of their folder under
/// [`DRIVER_DIR`] (a hash of their packages).
#[derive(Default)]
pub struct Drivers(Mutex<FxHashMap<String, Vec<String>>>);

impl Drivers {
    /// The driver of `rewriters` (registered, so that the rules find its
    /// task).
    pub fn target(&self, rewriters: &[String]) -> Target {
        let mut d = DigestBuilder::new("ppx-driver");
        for r in rewriters {
            d.str(r);
        }
        let hex = d.finish().to_hex();
        let name = hex.get(..16).unwrap_or(&hex).to_string();
        let target = Target::new(&format!("{DRIVER_DIR}/{name}/ppx.exe"));
        if let Ok(mut map) = self.0.lock() {
            map.entry(name).or_insert_with(|| rewriters.to_vec());
        }
        target
    }

    /// The rewriters of the driver at `target`, when it was registered.
    pub fn rewriters_of(&self, target: &str) -> Option<Vec<String>> {
        let name = target
            .strip_prefix(DRIVER_DIR)?
            .strip_prefix('/')?
            .strip_suffix("/ppx.exe")?;
        self.0.lock().ok()?.get(name).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_driver_is_found_by_its_target_once_registered() {
        let drivers = Drivers::default();
        let rewriters = vec!["ppx_deriving.show".to_string()];
        let target = drivers.target(&rewriters);
        assert!(target.as_str().starts_with(".caravan/ppx/"));
        assert!(target.as_str().ends_with("/ppx.exe"));
        assert_eq!(
            drivers.rewriters_of(target.as_str()),
            Some(rewriters.clone())
        );
        assert_eq!(drivers.target(&rewriters), target);
        assert_ne!(drivers.target(&["other".to_string()]), target);
        assert_eq!(drivers.rewriters_of(".caravan/ppx/0/ppx.exe"), None);
    }
}
