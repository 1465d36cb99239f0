//! The project's declaration files: `build_libs` (the libraries a code
//! base builds and the ones it uses from elsewhere) and `build_tools` (the
//! programs its build compiles and then runs, and the ones it runs from
//! elsewhere), as the large ocamlbuild code bases of the seed wrote them.
//!
//! This crate only reads the files: it knows their grammar and checks what
//! can be checked without the file system. What a declaration *means* to a
//! build (tags, flags, dependencies, installation) is the session's.
//!
//! ```
//! let libs = declare::BuildLibs::parse("build_libs", "internal base\nexternal zip +zip\n").unwrap();
//! assert_eq!(libs.get("base").unwrap().dir, "base");
//! let tools = declare::BuildTools::parse("build_tools", "internal gen gen/gen.native\n").unwrap();
//! assert_eq!(tools.get("gen").unwrap().path, "gen/gen.native");
//! ```

#![deny(missing_docs)]

mod build_libs;
mod build_tools;
mod error;
mod line;
mod tool_reference;

pub use build_libs::{BuildLibs, Library, LibraryKind};
pub use build_tools::{BuildTools, Tool, ToolKind};
pub use error::{Error, Place};
pub use tool_reference::{ToolReference, references, substitute};

use std::path::Path;

/// The name of the file declaring libraries, at the project's root.
pub const BUILD_LIBS: &str = "build_libs";
/// The name of the file declaring tools, at the project's root.
pub const BUILD_TOOLS: &str = "build_tools";

/// Both declaration files of a project, each absent when the project has
/// none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declarations {
    /// `build_libs`, if the project has one.
    pub libs: Option<BuildLibs>,
    /// `build_tools`, if the project has one.
    pub tools: Option<BuildTools>,
}

impl Declarations {
    /// Reads `build_libs` and `build_tools` at `root`.
    pub fn read(root: &Path) -> Result<Declarations, Error> {
        let libs = read_file(root, BUILD_LIBS)?
            .map(|text| BuildLibs::parse(BUILD_LIBS, &text))
            .transpose()?;
        let tools = read_file(root, BUILD_TOOLS)?
            .map(|text| BuildTools::parse(BUILD_TOOLS, &text))
            .transpose()?;
        Ok(Declarations { libs, tools })
    }

    /// Whether the project declares nothing.
    pub fn is_empty(&self) -> bool {
        self.libs.is_none() && self.tools.is_none()
    }
}

/// The text of `root/name`, `None` if there is no such file.
fn read_file(root: &Path, name: &str) -> Result<Option<String>, Error> {
    let path = root.join(name);
    match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| Error::NotUtf8 {
                file: name.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Read {
            file: name.to_string(),
            source: std::sync::Arc::new(source),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_root_holds() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Declarations::read(dir.path()).unwrap().is_empty());
        std::fs::write(dir.path().join(BUILD_TOOLS), "external sh /bin/sh\n").unwrap();
        let d = Declarations::read(dir.path()).unwrap();
        assert!(d.libs.is_none());
        assert_eq!(d.tools.unwrap().tools.len(), 1);
        std::fs::write(dir.path().join(BUILD_LIBS), [0xff, 0xfe]).unwrap();
        let e = Declarations::read(dir.path()).unwrap_err().to_string();
        assert!(e.contains("not UTF-8"), "{e}");
    }
}
