//! The install root of the seed's code bases (its `mlstatelibs`): where
//! `-install -` puts their libraries and where `build_libs` finds external
//! ones. The user gives it with `-mlstatelibs DIR`, else `$MLSTATELIBS`.

/// The environment variable naming the install root, as in the seed.
pub const INSTALL_ROOT_VARIABLE: &str = "MLSTATELIBS";

/// The install root the user gave: `option` (`-mlstatelibs`), else the
/// variable; `None` when neither is given or both are empty.
pub fn given(option: Option<&str>) -> Option<String> {
    option
        .map(str::to_string)
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var(INSTALL_ROOT_VARIABLE).ok())
        .filter(|s| !s.is_empty())
}
