//! The rules' task data as the engine's persistent graph stores it: what
//! a dependency scan found ([`ModuleRefs`]), what a compilation or a pack
//! made ([`Compiled`]: the interface closure and the native closure, as
//! input groups), the rewriters of a ppx driver ([`Rewritten`]) and the
//! members of a library ([`LibraryInfo`]). One enum of every kind, encoded
//! with postcard; groups are named by their digests through the engine's
//! writer and reader, so equal data encodes to equal bytes.

use std::any::Any;
use std::collections::BTreeSet;
use std::sync::Arc;

use engine::{DataReader, DataWriter, Digest, Target};
use serde::{Deserialize, Serialize};

use super::compile::{Compiled, InterfaceInfo};
use super::libraries::LibraryInfo;
use super::ppx::Rewritten;
use crate::module_refs::ModuleRefs;

/// Every kind of task data, as stored.
#[derive(Serialize, Deserialize)]
enum Stored {
    Refs {
        modules: Vec<String>,
        paths: Vec<(String, String)>,
        whole: Vec<String>,
        precise: bool,
    },
    Compiled {
        interface: Option<StoredInterface>,
        native: Option<Digest>,
    },
    Rewritten {
        rewriters: Vec<String>,
    },
    Library {
        members: Vec<String>,
        stubs: Vec<String>,
    },
}

#[derive(Serialize, Deserialize)]
struct StoredInterface {
    closure: Digest,
    dirs: Vec<String>,
    opaque: bool,
}

/// Encodes `data`; `None` for a type these rules do not make.
pub fn encode(data: &(dyn Any + Send + Sync), out: &mut DataWriter) -> Option<Vec<u8>> {
    let stored = if let Some(r) = data.downcast_ref::<ModuleRefs>() {
        Stored::Refs {
            modules: r.modules.clone(),
            paths: r.paths.clone(),
            whole: r.whole.clone(),
            precise: r.precise,
        }
    } else if let Some(c) = data.downcast_ref::<Compiled>() {
        Stored::Compiled {
            interface: c.interface.as_ref().map(|i| StoredInterface {
                closure: out.group(&i.closure),
                dirs: i.dirs.iter().cloned().collect(),
                opaque: i.opaque,
            }),
            native: c.native.as_ref().map(|g| out.group(g)),
        }
    } else if let Some(r) = data.downcast_ref::<Rewritten>() {
        Stored::Rewritten {
            rewriters: r.rewriters.clone(),
        }
    } else if let Some(l) = data.downcast_ref::<LibraryInfo>() {
        Stored::Library {
            members: l.members.clone(),
            stubs: l.stubs.iter().map(|t| t.as_str().to_string()).collect(),
        }
    } else {
        return None;
    };
    postcard::to_stdvec(&stored).ok()
}

/// Decodes what [`encode`] wrote; `None` when it cannot.
pub fn decode(bytes: &[u8], groups: &DataReader) -> Option<Arc<dyn Any + Send + Sync>> {
    let stored: Stored = postcard::from_bytes(bytes).ok()?;
    Some(match stored {
        Stored::Refs {
            modules,
            paths,
            whole,
            precise,
        } => Arc::new(ModuleRefs {
            modules,
            paths,
            whole,
            precise,
        }),
        Stored::Compiled { interface, native } => {
            let interface = match interface {
                Some(i) => Some(InterfaceInfo {
                    closure: groups.group(&i.closure)?,
                    dirs: Arc::new(i.dirs.into_iter().collect::<BTreeSet<String>>()),
                    opaque: i.opaque,
                }),
                None => None,
            };
            let native = match native {
                Some(d) => Some(groups.group(&d)?),
                None => None,
            };
            Arc::new(Compiled { interface, native })
        }
        Stored::Rewritten { rewriters } => Arc::new(Rewritten { rewriters }),
        Stored::Library { members, stubs } => Arc::new(LibraryInfo {
            members,
            stubs: stubs.iter().map(|s| Target::new(s)).collect(),
        }),
    })
}
