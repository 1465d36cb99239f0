//! Where a run works: the project root (the current folder), the build
//! folder (`_build`, or `-build-dir`) and whether targets are linked at the
//! root; checked before anything is written.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::request::Request;

/// The folders of a run.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The project root.
    pub root: PathBuf,
    /// The build folder.
    pub build_dir: PathBuf,
    /// Whether built targets are linked at the root (not with `-no-links`
    /// or `-build-dir`).
    pub make_links: bool,
}

impl Layout {
    /// The layout of `request` run from the current folder.
    pub fn of(request: &Request) -> Result<Layout, Error> {
        let root = std::env::current_dir()
            .map_err(|e| Error::System(format!("Error: cannot read the current directory: {e}")))?;
        Layout::at(root, request)
    }

    /// The layout of `request` run from `root`.
    pub fn at(root: PathBuf, request: &Request) -> Result<Layout, Error> {
        for (option, dirs) in [("-I", &request.include_dirs), ("-X", &request.exclude_dirs)] {
            if let Some(d) = dirs.iter().find(|d| Path::new(d).is_absolute()) {
                return Err(Error::refused(format!(
                    "Error: {option} {d}: include and exclude directories must be relative to \
                     the project root."
                )));
            }
        }
        let build_dir = match &request.build_dir {
            Some(d) => root.join(d),
            None => root.join("_build"),
        };
        Ok(Layout {
            root,
            build_dir,
            make_links: links_made(request),
        })
    }
}

/// Whether `request` links its targets at the root.
pub fn links_made(request: &Request) -> bool {
    !request.no_links && request.build_dir.is_none()
}
