//! Integration tests of the tags crate.
