//! Why an action runs: a closed set of reasons, decided by the rebuilder
//! from the previous trace and rendered by the binary (`-verbose` shows
//! them).

use std::collections::HashMap;
use std::fmt;

use crate::trace::TraceDetail;

/// The reason an action was not up to date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// No trace of a previous run.
    NoTrace,
    /// The command line (or internal step) differs.
    CommandChanged,
    /// The environment given to the command differs.
    EnvironmentChanged,
    /// An input's content changed.
    InputChanged(String),
    /// An input was added or removed.
    InputsChanged,
    /// Something else in the key changed (a transitive input, the
    /// toolchain).
    KeyChanged,
    /// An output recorded by the last run is missing.
    OutputMissing(String),
    /// An output was modified since the last run.
    OutputModified(String),
}

/// The first difference between the previous run and the new one.
pub fn diff(old: &TraceDetail, new: &TraceDetail) -> Reason {
    if old.command != new.command {
        return Reason::CommandChanged;
    }
    if old.env != new.env {
        return Reason::EnvironmentChanged;
    }
    let before: HashMap<&str, _> = old
        .inputs
        .iter()
        .map(|i| (i.path.as_str(), i.digest))
        .collect();
    if before.len() != new.inputs.len() {
        return Reason::InputsChanged;
    }
    for i in &new.inputs {
        match before.get(i.path.as_str()) {
            None => return Reason::InputsChanged,
            Some(d) if *d != i.digest => return Reason::InputChanged(i.path.clone()),
            Some(_) => {}
        }
    }
    Reason::KeyChanged
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NoTrace => f.write_str("never built"),
            Reason::CommandChanged => f.write_str("its command line changed"),
            Reason::EnvironmentChanged => f.write_str("its environment changed"),
            Reason::InputChanged(p) => write!(f, "{p} changed"),
            Reason::InputsChanged => f.write_str("its set of inputs changed"),
            Reason::KeyChanged => f.write_str("a transitive input or the toolchain changed"),
            Reason::OutputMissing(p) => write!(f, "output {p} is missing"),
            Reason::OutputModified(p) => write!(f, "output {p} was modified"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Digest;
    use crate::trace::InputRecord;

    fn trace(cmd: &str, inputs: &[(&str, &[u8])]) -> TraceDetail {
        TraceDetail {
            command: vec![cmd.into()],
            env: vec![],
            inputs: inputs
                .iter()
                .map(|(p, c)| InputRecord {
                    path: p.to_string(),
                    digest: Some(Digest::of_bytes(c)),
                })
                .collect(),
            groups: vec![],
        }
    }

    #[test]
    fn names_the_first_difference() {
        let old = trace("cc", &[("a", b"1"), ("b", b"1")]);
        assert_eq!(
            diff(&old, &trace("cc -g", &[("a", b"1"), ("b", b"1")])),
            Reason::CommandChanged
        );
        assert_eq!(
            diff(&old, &trace("cc", &[("a", b"1"), ("b", b"2")])),
            Reason::InputChanged("b".into())
        );
        assert_eq!(
            diff(&old, &trace("cc", &[("a", b"1")])),
            Reason::InputsChanged
        );
        assert_eq!(
            diff(&old, &trace("cc", &[("a", b"1"), ("b", b"1")])),
            Reason::KeyChanged
        );
    }
}
