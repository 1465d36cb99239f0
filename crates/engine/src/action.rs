//! `Action`: one unit of work with exactly declared inputs and outputs.
//!
//! An action is either an external command (argv, run in the build
//! directory, never through a shell) or an internal step run in-process (a
//! named function with arguments). Its [key](Action::key) hashes everything
//! that can change what it writes: the command, the environment it reads, the
//! digest of every input and the names of its outputs. The same description
//! feeds the trace store and, later, the caches.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::digest::{Digest, DigestBuilder};
use crate::error::Result;
use crate::sharing::Sharing;
use crate::target::Target;

/// Bump when anything about how an action key is computed changes, so that
/// every recorded trace becomes stale instead of wrongly matching.
pub const ACTION_KEY_VERSION: u64 = 1;

/// Stands, in an action's environment values, for the absolute path of the
/// directory the command runs in. The key hashes the placeholder, not the
/// path, so that an action keeps its key (and its cached result) wherever
/// the build directory is; each executor puts its own directory in
/// ([`expand_build_dir`]). It serves `BUILD_PATH_PREFIX_MAP`, with which
/// compilers record a fixed name instead of the directory they ran in.
pub const BUILD_DIR_PLACEHOLDER: &str = "%{build_dir}";

/// `value` with [`BUILD_DIR_PLACEHOLDER`] replaced by `dir`, encoded as
/// the reproducible-builds path-prefix-map format wants a path (`%`, `=`
/// and `:` as `%25`, `%3D`, `%3A`).
pub fn expand_build_dir(value: &str, dir: &Path) -> String {
    if !value.contains(BUILD_DIR_PLACEHOLDER) {
        return value.to_string();
    }
    let encoded = dir
        .to_string_lossy()
        .replace('%', "%25")
        .replace('=', "%3D")
        .replace(':', "%3A");
    value.replace(BUILD_DIR_PLACEHOLDER, &encoded)
}

/// What an action runs.
#[derive(Clone)]
pub enum Command {
    /// An external program, run with the build directory as working directory.
    Process {
        /// Program and arguments; `argv[0]` is the program.
        argv: Vec<String>,
        /// When set, standard output is written to this file instead of being
        /// shown (the way `ocamldep ... > x.ml.depends` works).
        stdout: Option<Target>,
    },
    /// A step that runs inside caravan.
    Internal {
        /// The step's name and version, part of the key (bump the version when
        /// the step's behaviour changes).
        name: String,
        /// Arguments hashed in the key.
        args: Vec<String>,
        /// How the step is shown in the log and the display.
        display: String,
        /// The step itself; it receives the build directory, writes the
        /// action's outputs there, and returns a small value that the trace
        /// keeps (so that a cached run gets it without reading the outputs).
        run: InternalStep,
    },
}

/// The function of an internal step: receives the build directory.
pub type InternalStep = Arc<dyn Fn(&Path) -> Result<Vec<u8>> + Send + Sync>;

/// A file an action reads, or a precomputed group of files.
#[derive(Clone, Debug)]
pub enum Input {
    /// One file of the build directory; the task must have asked for it.
    File(Target),
    /// A file whose presence matters but not its content (the compiler
    /// checks that `x.mli` exists before reading `x.cmi`): the key hashes
    /// its name only, so editing it does not rerun the action.
    Exists(Target),
    /// A group of files whose combined digest is known (for example the
    /// transitive interfaces a compiler may read).
    Group(Arc<InputGroup>),
}

/// A set of input files with a combined digest, built as a DAG so that large
/// transitive closures are shared instead of copied.
#[derive(Debug)]
pub struct InputGroup {
    /// Files of this node, with their digests.
    pub files: Vec<(Target, Digest)>,
    /// Sub-groups.
    pub children: Vec<Arc<InputGroup>>,
    /// Digest of the files and children digests, computed by [`InputGroup::new`].
    pub digest: Digest,
}

impl InputGroup {
    /// A group with its digest computed from its files and children.
    pub fn new(files: Vec<(Target, Digest)>, children: Vec<Arc<InputGroup>>) -> InputGroup {
        let mut b = DigestBuilder::new("input-group");
        for (t, d) in &files {
            b.str(t.as_str()).digest(d);
        }
        for c in &children {
            b.digest(&c.digest);
        }
        let digest = b.finish();
        InputGroup {
            files,
            children,
            digest,
        }
    }

    /// Every file of the group and its sub-groups, each once.
    pub fn flatten(&self) -> Vec<(Target, Digest)> {
        let mut seen_groups = std::collections::HashSet::new();
        let mut seen_files = std::collections::HashSet::new();
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(g) = stack.pop() {
            if !seen_groups.insert(g as *const InputGroup) {
                continue;
            }
            for (t, d) in &g.files {
                if seen_files.insert(t.clone()) {
                    out.push((t.clone(), *d));
                }
            }
            for c in &g.children {
                stack.push(c);
            }
        }
        out
    }
}

/// A step the rebuilder takes before an action's command, after removing
/// its old outputs (ocamlbuild's `rm -rf D; mkdir -p D` before a command
/// that fills a directory). Shown as the shell command it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prepare {
    /// `rm -rf <path>`: a file, or a directory with everything in it.
    RemoveAll(Target),
    /// `mkdir -p <path>`.
    CreateDir(Target),
}

impl Prepare {
    /// The path the step is about.
    pub fn target(&self) -> &Target {
        match self {
            Prepare::RemoveAll(t) | Prepare::CreateDir(t) => t,
        }
    }

    /// Performs the step in `build_dir`.
    pub fn perform(&self, build_dir: &Path) -> Result<()> {
        let path = build_dir.join(self.target().as_str());
        match self {
            Prepare::RemoveAll(_) => match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => std::fs::remove_dir_all(&path),
                Ok(_) => std::fs::remove_file(&path),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e),
            },
            Prepare::CreateDir(_) => std::fs::create_dir_all(&path),
        }
        .map_err(|e| crate::error::Error::io(&path, e))
    }
}

impl fmt::Display for Prepare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Prepare::RemoveAll(t) => write!(f, "rm -rf {}", shell_quote(t.as_str())),
            Prepare::CreateDir(t) => write!(f, "mkdir -p {}", shell_quote(t.as_str())),
        }
    }
}

/// How an action appears in the build log and the display.
#[derive(Clone, Debug, Default)]
pub struct LogInfo {
    /// The "target" shown in the log header (ocamlbuild shows the output file
    /// for compilers, the source for generators).
    pub target: String,
    /// The tag set of the command, for the log header.
    pub tags: LazyText,
}

/// A text computed only if someone reads it (the log's tag sets cost more
/// to render than a null build spends on the action itself).
#[derive(Clone, Default)]
pub struct LazyText(Option<Arc<dyn Fn() -> String + Send + Sync>>);

impl LazyText {
    /// A text produced by `f` on demand.
    pub fn new(f: impl Fn() -> String + Send + Sync + 'static) -> LazyText {
        LazyText(Some(Arc::new(f)))
    }

    /// The text (empty when none was given).
    pub fn render(&self) -> String {
        self.0.as_ref().map(|f| f()).unwrap_or_default()
    }
}

impl fmt::Debug for LazyText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LazyText")
    }
}

/// One unit of work.
#[derive(Clone)]
pub struct Action {
    /// What runs.
    pub command: Command,
    /// Environment variables passed to the command (all others are inherited
    /// as they are and must not change its outputs).
    pub env: Vec<(String, String)>,
    /// Everything it reads from the build directory.
    pub inputs: Vec<Input>,
    /// Everything it writes; none may be written by another action.
    pub outputs: Vec<Target>,
    /// Extra values that change the outputs without being files (for example
    /// the identity of the compiler binary).
    pub salt: Vec<String>,
    /// Log header information.
    pub log: LogInfo,
    /// Steps taken before the command, in order (part of the key).
    pub prepare: Vec<Prepare>,
    /// A declared output that the rebuilder writes once the command has
    /// succeeded, holding the action's key in hex: a stamp (ocamlbuild's
    /// `~stamp`) for a command whose real outputs are not known in advance,
    /// such as a directory of documentation pages.
    pub stamp: Option<Target>,
    /// Files the command may write besides its outputs, which are not
    /// targets of this action (another action may declare them: both
    /// compilers write a module's `.cmt`). A cache stores and restores
    /// those that exist; they are not part of the key.
    pub side_outputs: Vec<Target>,
    /// Whether the result may be cached and the command run remotely.
    pub sharing: Sharing,
}

impl Action {
    /// An external command.
    pub fn process(argv: Vec<String>) -> Action {
        Action {
            command: Command::Process { argv, stdout: None },
            env: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            salt: Vec::new(),
            log: LogInfo::default(),
            prepare: Vec::new(),
            stamp: None,
            side_outputs: Vec::new(),
            sharing: Sharing::Anywhere,
        }
    }

    /// An internal step.
    pub fn internal(
        name: impl Into<String>,
        args: Vec<String>,
        display: impl Into<String>,
        run: impl Fn(&Path) -> Result<Vec<u8>> + Send + Sync + 'static,
    ) -> Action {
        Action {
            command: Command::Internal {
                name: name.into(),
                args,
                display: display.into(),
                run: Arc::new(run),
            },
            env: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            salt: Vec::new(),
            log: LogInfo::default(),
            prepare: Vec::new(),
            stamp: None,
            side_outputs: Vec::new(),
            sharing: Sharing::Private("runs inside caravan"),
        }
    }

    /// The key of this action given the digests of its file inputs, in the
    /// order of `inputs` (groups carry their own digest).
    pub fn key(&self, input_digest: impl Fn(&Target) -> Option<Digest>) -> Option<Digest> {
        let mut b = DigestBuilder::new("action");
        b.u64(ACTION_KEY_VERSION);
        match &self.command {
            Command::Process { argv, stdout } => {
                b.str("process").u64(argv.len() as u64);
                for a in argv {
                    b.str(a);
                }
                b.str(stdout.as_ref().map(|t| t.as_str()).unwrap_or(""));
            }
            Command::Internal { name, args, .. } => {
                b.str("internal").str(name).u64(args.len() as u64);
                for a in args {
                    b.str(a);
                }
            }
        }
        b.u64(self.env.len() as u64);
        for (k, v) in &self.env {
            b.str(k).str(v);
        }
        b.u64(self.salt.len() as u64);
        for s in &self.salt {
            b.str(s);
        }
        b.u64(self.inputs.len() as u64);
        for input in &self.inputs {
            match input {
                Input::File(t) => {
                    b.str(t.as_str()).digest(&input_digest(t)?);
                }
                Input::Exists(t) => {
                    b.str("exists").str(t.as_str());
                }
                Input::Group(g) => {
                    b.str("group").digest(&g.digest);
                }
            }
        }
        b.u64(self.outputs.len() as u64);
        for o in &self.outputs {
            b.str(o.as_str());
        }
        // Only when used, so that the keys of other actions stay the same.
        if !self.prepare.is_empty() || self.stamp.is_some() {
            b.str("prepare").u64(self.prepare.len() as u64);
            for p in &self.prepare {
                b.str(&p.to_string());
            }
            b.str(self.stamp.as_ref().map(|t| t.as_str()).unwrap_or(""));
        }
        Some(b.finish())
    }

    /// The primary output: the first declared one.
    pub fn primary_output(&self) -> Option<&Target> {
        self.outputs.first()
    }
}

impl fmt::Display for Action {
    /// The command as a shell would read it, quoting like ocamlbuild.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.command {
            Command::Process { argv, stdout } => {
                let words: Vec<String> = argv.iter().map(|a| shell_quote(a)).collect();
                f.write_str(&words.join(" "))?;
                if let Some(out) = stdout {
                    write!(f, " > {}", shell_quote(out.as_str()))?;
                }
                Ok(())
            }
            Command::Internal { display, .. } => f.write_str(display),
        }
    }
}

/// Quotes a word the way ocamlbuild shows commands: words made only of
/// `[A-Za-z0-9./_:@+,-]` stay bare, others are single-quoted.
pub fn shell_quote(word: &str) -> String {
    let bare = !word.is_empty()
        && word
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"./_:@+,-".contains(&c));
    if bare {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_ocamlbuild() {
        assert_eq!(shell_quote("-I"), "-I");
        assert_eq!(shell_quote("src/a.ml"), "src/a.ml");
        assert_eq!(shell_quote("-w +a"), "'-w +a'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn key_changes_with_input_digest() {
        let mut a = Action::process(vec!["cc".into(), "x.c".into()]);
        a.inputs.push(Input::File(Target::new("x.c")));
        a.outputs.push(Target::new("x.o"));
        let d1 = Digest::of_bytes(b"1");
        let d2 = Digest::of_bytes(b"2");
        let k1 = a.key(|_| Some(d1)).unwrap();
        let k2 = a.key(|_| Some(d2)).unwrap();
        assert_ne!(k1, k2);
        assert_eq!(k1, a.key(|_| Some(d1)).unwrap());
    }

    #[test]
    fn preparation_steps_show_as_shell_commands_and_change_the_key() {
        let mut a = Action::process(vec!["doc".into()]);
        a.outputs.push(Target::new("d/index.html"));
        let plain = a.key(|_| None).unwrap();
        a.prepare = vec![
            Prepare::RemoveAll(Target::new("d")),
            Prepare::CreateDir(Target::new("d")),
        ];
        assert_eq!(a.prepare[0].to_string(), "rm -rf d");
        assert_eq!(a.prepare[1].to_string(), "mkdir -p d");
        let prepared = a.key(|_| None).unwrap();
        assert_ne!(plain, prepared);
        a.stamp = Some(Target::new("d/html.stamp"));
        assert_ne!(a.key(|_| None).unwrap(), prepared);
    }

    #[test]
    fn group_flattening_visits_shared_nodes_once() {
        let leaf = Arc::new(InputGroup::new(
            vec![(Target::new("c.cmi"), Digest::of_bytes(b"c"))],
            vec![],
        ));
        let b = Arc::new(InputGroup::new(
            vec![(Target::new("b.cmi"), Digest::of_bytes(b"b"))],
            vec![leaf.clone()],
        ));
        let a = InputGroup::new(vec![], vec![b, leaf]);
        let mut names: Vec<String> = a
            .flatten()
            .into_iter()
            .map(|(t, _)| t.to_string())
            .collect();
        names.sort();
        assert_eq!(names, ["b.cmi", "c.cmi"]);
    }
}
