//! Integration tests of the findlib crate: the installed ocamlfind as the
//! oracle for every installed package, and random META text for the parser.

mod installed;
mod oracle;
mod scenarios;
