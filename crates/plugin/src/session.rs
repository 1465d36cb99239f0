//! The configuration session: running the plugin's hooks in ocamlbuild's
//! order, and caching what they said.
//!
//! A session is a conversation: caravan sends a request, the plugin
//! answers with declarations and questions until it is done. caravan
//! records the whole conversation (the *transcript*) and saves it under a
//! key made of the plugin binary's digest, its arguments, the environment
//! and the stat of every regular file at the project root that is not an
//! OCaml or C source (`setup.data`, `_tags`, `VERSION`...), in
//! `_build/.caravan/plugin/session`. The next run with the same key
//! *replays* the transcript instead of starting the plugin: every message
//! caravan would send — hooks, answers to the plugin's questions (tags of
//! paths, computed from the current `_tags`), the parameters to instantiate
//! — must equal the recorded one, and the recorded answers stand for the
//! plugin's. The first difference makes the transcript stale and the
//! session runs live. So a null build starts no plugin at all.
//!
//! What the key cannot see: sources, and files below the root, read by a
//! hook through OCaml's own I/O, and the output of commands the hooks run
//! (`run_and_read`). Editing such a file at the root (or removing
//! `_build/.caravan/plugin/session`) makes caravan ask the plugin again.

use std::path::{Path, PathBuf};

use engine::{DigestBuilder, FileStat};

use super::options::PluginOptions;
use super::process::{Launch, PluginProcess};
use super::protocol::{Declaration, FromPlugin, Instance, Phase, Query, ToPlugin, VERSION};
use super::wire::Sexp;
use super::{PluginError, raised_error};

/// One message of a transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// caravan to the plugin.
    Sent(Sexp),
    /// The plugin to caravan.
    Received(Sexp),
}

/// A recorded conversation and the digest of its saved form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transcript {
    /// The messages, in order.
    pub entries: Vec<Entry>,
    /// The digest of their saved form (the same live and replayed).
    pub digest: String,
}

impl Transcript {
    fn of(entries: Vec<Entry>) -> Transcript {
        let digest = engine::Digest::of_bytes(&encode_entries(&entries)).to_hex();
        Transcript { entries, digest }
    }
}

/// Why a session stopped.
#[derive(Debug)]
pub enum SessionError {
    /// The replayed transcript does not fit this run: run live.
    Stale,
    /// The plugin failed (or could not run).
    Failed(PluginError),
}

impl From<PluginError> for SessionError {
    fn from(e: PluginError) -> SessionError {
        SessionError::Failed(e)
    }
}

/// What the configuration does with the plugin's declarations and
/// questions.
pub trait Host {
    /// A declaration, in order.
    fn declare(&mut self, d: Declaration) -> Result<(), PluginError>;
    /// The answer to a question.
    fn answer(&mut self, q: &Query) -> Sexp;
}

enum Conversation {
    Live(PluginProcess),
    Replay {
        entries: std::vec::IntoIter<Entry>,
        digest: String,
    },
}

/// A conversation with the plugin, live or replayed.
pub struct Session {
    conversation: Conversation,
    /// What a live session said (a replayed one has its transcript).
    transcript: Vec<Entry>,
}

impl Session {
    /// Starts the plugin.
    pub fn live(launch: &Launch) -> Result<Session, PluginError> {
        let process = PluginProcess::spawn(launch)?;
        let mut s = Session {
            conversation: Conversation::Live(process),
            transcript: Vec::new(),
        };
        s.hello().map_err(|e| match e {
            SessionError::Failed(e) => e,
            SessionError::Stale => PluginError::new(3, "Internal error: stale live session".into()),
        })?;
        Ok(s)
    }

    /// Replays a recorded conversation.
    pub fn replay(t: Transcript) -> Result<Session, SessionError> {
        let mut s = Session {
            conversation: Conversation::Replay {
                entries: t.entries.into_iter(),
                digest: t.digest,
            },
            transcript: Vec::new(),
        };
        s.hello()?;
        Ok(s)
    }

    /// Whether the plugin is running.
    pub fn is_live(&self) -> bool {
        matches!(self.conversation, Conversation::Live(_))
    }

    fn hello(&mut self) -> Result<(), SessionError> {
        match self.receive()? {
            FromPlugin::Hello(v) if v == VERSION => Ok(()),
            FromPlugin::Hello(v) => Err(SessionError::Failed(PluginError::new(
                3,
                format!(
                    "Internal error: the plugin speaks protocol {v}, caravan {VERSION}; \
                     delete _build/myocamlbuild and try again."
                ),
            ))),
            other => Err(unexpected(&other)),
        }
    }

    fn send(&mut self, msg: &ToPlugin) -> Result<(), SessionError> {
        match &mut self.conversation {
            Conversation::Live(p) => {
                let raw = p.send(msg)?;
                self.transcript.push(Entry::Sent(raw));
                Ok(())
            }
            Conversation::Replay { entries, .. } => match entries.next() {
                Some(Entry::Sent(r)) if r == msg.encode() => Ok(()),
                _ => Err(SessionError::Stale),
            },
        }
    }

    fn receive(&mut self) -> Result<FromPlugin, SessionError> {
        match &mut self.conversation {
            Conversation::Live(p) => {
                let (msg, raw) = p.receive()?;
                self.transcript.push(Entry::Received(raw));
                Ok(msg)
            }
            Conversation::Replay { entries, .. } => match entries.next() {
                Some(Entry::Received(r)) => FromPlugin::decode(&r).ok_or(SessionError::Stale),
                _ => Err(SessionError::Stale),
            },
        }
    }

    /// Runs the messages of one request until the plugin is done with it;
    /// returns the final message.
    fn converse(&mut self, host: &mut dyn Host, step: &str) -> Result<FromPlugin, SessionError> {
        loop {
            match self.receive()? {
                FromPlugin::Declaration(d) => host.declare(d)?,
                FromPlugin::Query(id, q) => {
                    let a = host.answer(&q);
                    self.send(&ToPlugin::Reply(id, a))?;
                }
                FromPlugin::Error(e) => return Err(SessionError::Failed(raised_error(step, &e))),
                other @ (FromPlugin::Done(_) | FromPlugin::Instances(_)) => return Ok(other),
                other => return Err(unexpected(&other)),
            }
        }
    }

    /// Runs a hook; returns the options after it.
    pub fn hook(
        &mut self,
        phase: Phase,
        include_dirs: Option<Vec<String>>,
        host: &mut dyn Host,
    ) -> Result<PluginOptions, SessionError> {
        self.send(&ToPlugin::Hook(phase, include_dirs))?;
        match self.converse(host, &hook_name(phase))? {
            FromPlugin::Done(o) => PluginOptions::decode(&o).ok_or_else(|| {
                SessionError::Failed(PluginError::new(
                    3,
                    format!("Internal error: the plugin's options cannot be read: {o:?}"),
                ))
            }),
            other => Err(unexpected(&other)),
        }
    }

    /// Calls parametrised declarations' functions.
    pub fn instantiate(
        &mut self,
        pairs: Vec<(String, String)>,
        host: &mut dyn Host,
    ) -> Result<Vec<Instance>, SessionError> {
        if pairs.is_empty() {
            return Ok(Vec::new());
        }
        self.send(&ToPlugin::Instantiate(pairs))?;
        match self.converse(host, "parametrised flags")? {
            FromPlugin::Instances(i) => Ok(i),
            other => Err(unexpected(&other)),
        }
    }

    /// Ends the session: the plugin (if live) and the transcript's digest
    /// (with the transcript, to save, when live).
    pub fn finish(self) -> (Option<PluginProcess>, Option<Transcript>, String) {
        match self.conversation {
            Conversation::Live(p) => {
                let t = Transcript::of(self.transcript);
                let digest = t.digest.clone();
                (Some(p), Some(t), digest)
            }
            Conversation::Replay { digest, .. } => (None, None, digest),
        }
    }
}

/// ocamlbuild's name of a hook (`After_rules`).
pub fn hook_name(phase: Phase) -> String {
    let mut out = String::new();
    for (i, word) in phase.name().split('-').enumerate() {
        if i > 0 {
            out.push('_');
        }
        let mut c = word.chars();
        if let Some(f) = c.next() {
            if i == 0 {
                out.push(f.to_ascii_uppercase());
            } else {
                out.push(f);
            }
            out.push_str(c.as_str());
        }
    }
    format!("its {out} hook")
}

fn unexpected(m: &FromPlugin) -> SessionError {
    SessionError::Failed(PluginError::new(
        3,
        format!("Internal error: unexpected message from the plugin: {m:?}"),
    ))
}

/// Environment variables that change between shells without meaning
/// anything to a plugin.
const VOLATILE_ENV: &[&str] = &[
    "_",
    "OLDPWD",
    "PWD",
    "SHLVL",
    "TERM",
    "COLUMNS",
    "LINES",
    "CARAVAN_STATS",
];

/// Extensions of the sources caravan's rules read (left out of the key).
const RULE_SOURCES: &[&str] = &[
    "ml", "mli", "mll", "mly", "mlpack", "mllib", "mldylib", "odocl", "itarget", "clib", "mltop",
    "mlypack", "c", "h",
];

/// The key a transcript is saved under.
pub fn cache_key(binary_digest: &engine::Digest, args: &[String], root: &Path) -> String {
    let mut k = DigestBuilder::new("plugin-session");
    k.str(VERSION).str(env!("CARGO_PKG_VERSION"));
    k.digest(binary_digest);
    k.u64(args.len() as u64);
    for a in args {
        k.str(a);
    }
    let mut env: Vec<(String, String)> = std::env::vars_os()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        })
        .filter(|(k, _)| !VOLATILE_ENV.contains(&k.as_str()))
        .collect();
    env.sort();
    k.u64(env.len() as u64);
    for (name, value) in &env {
        k.str(name).str(value);
    }
    // Regular files only: directories (the build directory) and links
    // (to built programs) change with every build. Sources that rules read
    // are left out too: editing a module must not rerun the plugin.
    let mut files: Vec<(String, Option<FileStat>)> = match std::fs::read_dir(root) {
        Ok(entries) => entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                let ext = name.rsplit_once('.').map(|(_, x)| x).unwrap_or("");
                !RULE_SOURCES.contains(&ext)
            })
            .map(|e| {
                let stat = e.metadata().ok().map(|m| FileStat::of_metadata(&m));
                (e.file_name().to_string_lossy().into_owned(), stat)
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, stat) in &files {
        k.str(name);
        if let Some(s) = stat {
            k.u64(s.size).u64(s.mtime_ns as u64).u64(s.inode);
        }
    }
    k.finish().to_hex()
}

const MAGIC: &str = "caravan-plugin-session 1";

fn transcript_path(build_dir: &Path) -> PathBuf {
    engine::state_dir(build_dir).join("plugin").join("session")
}

/// The saved form of a transcript: `((s MSG)|(r MSG)...)`.
fn encode_entries(entries: &[Entry]) -> Vec<u8> {
    let mut out = vec![b'('];
    for e in entries {
        let (tag, m) = match e {
            Entry::Sent(m) => (b's', m),
            Entry::Received(m) => (b'r', m),
        };
        out.extend_from_slice(b"(1:");
        out.push(tag);
        out.extend(m.encode());
        out.push(b')');
    }
    out.push(b')');
    out
}

/// Saves a live session's transcript.
pub fn save(build_dir: &Path, key: &str, t: &Transcript) {
    let mut bytes = format!("{MAGIC}\n{key}\n").into_bytes();
    bytes.extend(encode_entries(&t.entries));
    let p = transcript_path(build_dir);
    if let Some(dir) = p.parent()
        && std::fs::create_dir_all(dir).is_ok()
    {
        // Without a transcript the next run asks the plugin again.
        let _ = engine::write_atomic(&p, &bytes, 0);
    }
}

/// The saved transcript, if it was saved under `key`.
pub fn load(build_dir: &Path, key: &str) -> Option<Transcript> {
    let bytes = std::fs::read(transcript_path(build_dir)).ok()?;
    let header = format!("{MAGIC}\n{key}\n");
    let body = bytes.strip_prefix(header.as_bytes())?;
    let digest = engine::Digest::of_bytes(body).to_hex();
    let (list, _) = Sexp::decode(body).ok()?;
    let Sexp::List(items) = list else {
        return None;
    };
    let entries = items
        .into_iter()
        .map(|e| match e {
            Sexp::List(mut pair) if pair.len() == 2 => {
                let m = pair.pop()?;
                match pair.pop()? {
                    t if t.is("s") => Some(Entry::Sent(m)),
                    t if t.is("r") => Some(Entry::Received(m)),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect::<Option<Vec<Entry>>>()?;
    Some(Transcript { entries, digest })
}

/// Forgets the saved transcript (a failed session must not be replayed).
pub fn forget(build_dir: &Path) {
    let _ = std::fs::remove_file(transcript_path(build_dir));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_names_are_ocamlbuilds() {
        assert_eq!(hook_name(Phase::AfterRules), "its After_rules hook");
        assert_eq!(hook_name(Phase::BeforeOptions), "its Before_options hook");
    }

    #[test]
    fn transcripts_round_trip_under_their_key() {
        let dir = tempfile::tempdir().unwrap();
        let entries = vec![
            Entry::Received(Sexp::atoms(["hello", "1"])),
            Entry::Sent(Sexp::atoms(["hook", "before-options"])),
        ];
        let t = Transcript::of(entries);
        save(dir.path(), "k1", &t);
        assert_eq!(load(dir.path(), "k1"), Some(t));
        assert_eq!(load(dir.path(), "k2"), None);
    }

    #[test]
    fn a_replay_that_diverges_is_stale() {
        let entries = vec![
            Entry::Received(Sexp::atoms(["hello", "1"])),
            Entry::Sent(Sexp::atoms(["hook", "before-options"])),
            Entry::Received(Sexp::List(vec![Sexp::atom("done"), Sexp::List(vec![])])),
        ];
        struct NoHost;
        impl Host for NoHost {
            fn declare(&mut self, _: Declaration) -> Result<(), PluginError> {
                Ok(())
            }
            fn answer(&mut self, _: &Query) -> Sexp {
                Sexp::List(vec![])
            }
        }
        let mut s = Session::replay(Transcript::of(entries.clone())).unwrap();
        assert!(s.hook(Phase::BeforeOptions, None, &mut NoHost).is_ok());
        let mut s = Session::replay(Transcript::of(entries)).unwrap();
        assert!(matches!(
            s.hook(Phase::AfterOptions, None, &mut NoHost),
            Err(SessionError::Stale)
        ));
    }
}
