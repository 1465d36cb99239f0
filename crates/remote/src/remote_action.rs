//! `RemoteAction`: an engine action described to REAPI, the `Action` and
//! `Command` messages, its input root and the files to upload.
//!
//! The description is exact: the command's arguments are the action's
//! argv; its environment is the action's, sorted, plus the local `PATH`
//! when the action sets none (a worker is expected to have the same tools
//! at the same places, which the platform properties promise); its output
//! paths are the declared outputs and side outputs, minus the file that
//! standard output is redirected to (that one is written locally from the
//! captured standard output); the input root holds the declared inputs and
//! nothing else (`Exists` inputs as empty files) and the parent directories
//! of the outputs. The engine's salt (the toolchain's identity, the
//! packages' digests) becomes the `Action`'s salt. The digest of the
//! `Action` message keys the remote action cache and the HTTP cache alike.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bazel_remote_apis::build::bazel::remote::execution::v2 as re;
use engine::{Action, Command, Input, Target};
use sha2::{Digest as _, Sha256};

use crate::blob_digest::BlobDigest;
use crate::error::{Error, Result};
use crate::input_hashes::InputHashes;
use crate::merkle::{InputTree, TreeFile};

/// Bump when anything about how an action is described changes, so that
/// old remote entries are no longer found.
pub const REMOTE_SCHEME_VERSION: u32 = 1;

/// An action as a REAPI server sees it.
#[derive(Clone, Debug)]
pub struct RemoteAction {
    /// The digest of the `Action` message: the key of its result.
    pub digest: BlobDigest,
    /// The `Action`, the `Command` and every `Directory` of the input root.
    pub blobs: Vec<(BlobDigest, Vec<u8>)>,
    /// The input files, each digest once, with a file holding it.
    pub input_files: Vec<(BlobDigest, PathBuf)>,
    /// The outputs a result must hold: the declared outputs, minus the
    /// standard output's file.
    pub outputs: Vec<Target>,
    /// Files a result may hold besides the outputs.
    pub side_outputs: Vec<Target>,
    /// Where standard output goes, when redirected.
    pub stdout_to: Option<Target>,
}

impl RemoteAction {
    /// Whether `path` is a file the result may write into the build dir.
    pub fn may_write(&self, path: &str) -> bool {
        self.outputs.iter().any(|t| t.as_str() == path)
            || self.side_outputs.iter().any(|t| t.as_str() == path)
    }
}

/// Describes engine actions to REAPI.
pub struct ActionDescriber {
    platform: re::Platform,
    hashes: Arc<InputHashes>,
    path_env: Option<String>,
}

impl ActionDescriber {
    /// A describer putting `platform` in every action and taking input
    /// digests from `hashes`.
    pub fn new(platform: &[(String, String)], hashes: Arc<InputHashes>) -> ActionDescriber {
        let mut properties: Vec<re::platform::Property> = platform
            .iter()
            .map(|(name, value)| re::platform::Property {
                name: name.clone(),
                value: value.clone(),
            })
            .collect();
        properties.sort_by(|a, b| (&a.name, &a.value).cmp(&(&b.name, &b.value)));
        ActionDescriber {
            platform: re::Platform { properties },
            hashes,
            path_env: std::env::var("PATH").ok(),
        }
    }

    /// The memo of input digests.
    pub fn hashes(&self) -> &Arc<InputHashes> {
        &self.hashes
    }

    /// Describes `action`, whose files are in `build_dir`. Reads (or finds
    /// in the memo) the SHA-256 of every input.
    pub fn describe(&self, build_dir: &Path, action: &Action) -> Result<RemoteAction> {
        let (argv, stdout_to) = match &action.command {
            Command::Process { argv, stdout } => (argv, stdout.clone()),
            Command::Internal { .. } => {
                return Err(Error::NotRemotable {
                    why: "it runs inside caravan".into(),
                });
            }
        };
        let mut files: BTreeMap<String, TreeFile> = BTreeMap::new();
        let mut exists: Vec<&Target> = Vec::new();
        let mut add = |t: &Target, known| -> Result<()> {
            let f = self
                .hashes
                .file(build_dir, t, known)
                .map_err(|e| Error::io(build_dir.join(t.as_str()), e))?;
            files.insert(t.as_str().to_string(), f);
            Ok(())
        };
        for input in &action.inputs {
            match input {
                Input::File(t) => add(t, None)?,
                Input::Exists(t) => exists.push(t),
                Input::Group(g) => {
                    for (t, d) in g.flatten() {
                        add(&t, Some(d))?;
                    }
                }
            }
        }
        let empty = TreeFile {
            digest: BlobDigest::of_bytes(b""),
            executable: false,
        };
        for t in exists {
            files.entry(t.as_str().to_string()).or_insert(empty);
        }
        let outputs: Vec<Target> = action
            .outputs
            .iter()
            .filter(|t| Some(*t) != stdout_to.as_ref())
            .cloned()
            .collect();
        let side_outputs: Vec<Target> = action
            .side_outputs
            .iter()
            .filter(|t| Some(*t) != stdout_to.as_ref() && !outputs.contains(t))
            .cloned()
            .collect();
        let output_paths: Vec<String> = outputs
            .iter()
            .chain(&side_outputs)
            .map(|t| t.as_str().to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let output_dirs: BTreeSet<&str> = outputs
            .iter()
            .chain(&side_outputs)
            .chain(stdout_to.as_ref())
            .map(|t| t.dir())
            .collect();
        let tree = InputTree::build(
            files.iter().map(|(p, f)| (p.as_str(), *f)),
            output_dirs.iter().copied(),
        )?;

        let (argv, set_in_shell) = in_worker_dir(argv.clone(), &action.env);
        let mut env: BTreeMap<&str, &str> = BTreeMap::new();
        for (k, v) in &action.env {
            if !set_in_shell.contains(k) {
                env.insert(k, v);
            }
        }
        if let Some(path) = &self.path_env {
            env.entry("PATH").or_insert(path);
        }
        // `output_files` and the command's platform are deprecated since
        // REAPI 2.1 and 2.2, but older servers read only them.
        #[allow(deprecated)]
        let command = re::Command {
            arguments: argv.clone(),
            environment_variables: env
                .into_iter()
                .map(|(name, value)| re::command::EnvironmentVariable {
                    name: name.to_string(),
                    value: value.to_string(),
                })
                .collect(),
            output_files: output_paths.clone(),
            output_paths,
            platform: Some(self.platform.clone()),
            ..Default::default()
        };
        let (command_digest, command_bytes) = BlobDigest::of_message(&command);
        let mut salt = Sha256::new();
        salt.update(format!("caravan-remote-{REMOTE_SCHEME_VERSION}\0"));
        for s in &action.salt {
            salt.update((s.len() as u64).to_le_bytes());
            salt.update(s.as_bytes());
        }
        let message = re::Action {
            command_digest: Some(command_digest.to_proto()),
            input_root_digest: Some(tree.root.to_proto()),
            do_not_cache: false,
            salt: salt.finalize().to_vec(),
            platform: Some(self.platform.clone()),
            ..Default::default()
        };
        let (digest, action_bytes) = BlobDigest::of_message(&message);

        let mut blobs = vec![(digest, action_bytes), (command_digest, command_bytes)];
        blobs.extend(tree.directories);
        let mut seen = BTreeSet::new();
        let input_files = files
            .iter()
            .filter(|(_, f)| seen.insert(f.digest))
            .map(|(p, f)| (f.digest, build_dir.join(p)))
            .collect();
        Ok(RemoteAction {
            digest,
            blobs,
            input_files,
            outputs,
            side_outputs,
            stdout_to,
        })
    }
}

/// The command as a worker runs it when environment values name the build
/// directory ([`engine::BUILD_DIR_PLACEHOLDER`]): the worker's directory is
/// known only there, so a shell sets those variables from `$PWD` and then
/// runs the command, and the description stays the same on every worker.
/// Returns the arguments and the names of the variables the shell sets.
fn in_worker_dir(argv: Vec<String>, env: &[(String, String)]) -> (Vec<String>, Vec<String>) {
    let placed: Vec<&(String, String)> = env
        .iter()
        .filter(|(_, v)| v.contains(engine::BUILD_DIR_PLACEHOLDER))
        .collect();
    if placed.is_empty() {
        return (argv, Vec::new());
    }
    let mut script = String::new();
    for (name, value) in &placed {
        let quoted: Vec<String> = value
            .split(engine::BUILD_DIR_PLACEHOLDER)
            .map(|part| format!("'{}'", part.replace('\'', "'\\''")))
            .collect();
        script.push_str(&format!(
            "{name}={}; export {name}; ",
            quoted.join("\"$PWD\"")
        ));
    }
    script.push_str("exec \"$@\"");
    let mut wrapped = vec![
        "/bin/sh".to_string(),
        "-c".to_string(),
        script,
        "caravan-worker".to_string(),
    ];
    wrapped.extend(argv);
    (wrapped, placed.iter().map(|(k, _)| k.clone()).collect())
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;

    fn describer() -> ActionDescriber {
        ActionDescriber::new(
            &[
                ("caravan-ocaml-version".into(), "5.2.0".into()),
                ("OSFamily".into(), "linux".into()),
            ],
            Arc::new(InputHashes::new()),
        )
    }

    fn blob<M: Message + Default>(r: &RemoteAction, d: &re::Digest) -> M {
        let d = BlobDigest::from_proto(d).unwrap();
        let (_, bytes) = r.blobs.iter().find(|(x, _)| *x == d).unwrap();
        M::decode(bytes.as_slice()).unwrap()
    }

    fn sample(dir: &Path) -> Action {
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("src/a.ml"), "let x = 1").unwrap();
        let mut a = Action::process(vec!["ocamlc".into(), "-c".into(), "src/a.ml".into()]);
        a.env = vec![("Z".into(), "1".into()), ("A".into(), "2".into())];
        a.inputs.push(Input::File(Target::new("src/a.ml")));
        a.inputs.push(Input::Exists(Target::new("src/a.mli")));
        a.outputs = vec![Target::new("src/a.cmo"), Target::new("src/a.cmi")];
        a.side_outputs = vec![Target::new("src/a.cmt")];
        a
    }

    #[test]
    fn a_variable_naming_the_build_dir_is_set_by_a_shell_in_the_worker() {
        let env = vec![
            ("A".to_string(), "1".to_string()),
            (
                "MAP".to_string(),
                format!("/b={}", engine::BUILD_DIR_PLACEHOLDER),
            ),
        ];
        let (argv, set) = in_worker_dir(vec!["ocamlc".into(), "-c".into()], &env);
        assert_eq!(set, ["MAP"]);
        assert_eq!(argv[..2], ["/bin/sh", "-c"]);
        assert_eq!(argv[2], "MAP='/b='\"$PWD\"''; export MAP; exec \"$@\"");
        assert_eq!(argv[3..], ["caravan-worker", "ocamlc", "-c"]);
        let out = std::process::Command::new(&argv[0])
            .args(&argv[1..3])
            .arg("x")
            .arg("sh")
            .arg("-c")
            .arg("echo \"$MAP\"")
            .current_dir("/tmp")
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "/b=/tmp\n");
    }

    #[test]
    #[allow(deprecated)]
    fn describes_command_platform_and_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let a = sample(dir.path());
        let r = describer().describe(dir.path(), &a).unwrap();
        let action: re::Action = blob(&r, &r.digest.to_proto());
        let command: re::Command = blob(&r, action.command_digest.as_ref().unwrap());
        assert_eq!(command.arguments, ["ocamlc", "-c", "src/a.ml"]);
        let names: Vec<&str> = command
            .environment_variables
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert!(names.is_sorted(), "{names:?}");
        assert_eq!(
            command.output_paths,
            ["src/a.cmi", "src/a.cmo", "src/a.cmt"]
        );
        assert_eq!(command.output_files, command.output_paths);
        let props: Vec<&str> = action
            .platform
            .as_ref()
            .unwrap()
            .properties
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(props, ["OSFamily", "caravan-ocaml-version"]);
        assert_eq!(command.platform, action.platform);
        assert!(!action.do_not_cache);

        let root: re::Directory = blob(&r, action.input_root_digest.as_ref().unwrap());
        assert_eq!(root.directories[0].name, "src");
        let src: re::Directory = blob(&r, root.directories[0].digest.as_ref().unwrap());
        let files: Vec<(&str, u64)> = src
            .files
            .iter()
            .map(|f| {
                (
                    f.name.as_str(),
                    f.digest.as_ref().unwrap().size_bytes as u64,
                )
            })
            .collect();
        assert_eq!(files, [("a.ml", 9), ("a.mli", 0)]);
        assert_eq!(r.input_files.len(), 2);
    }

    #[test]
    fn the_digest_follows_inputs_salt_and_platform_only() {
        let dir = tempfile::tempdir().unwrap();
        let a = sample(dir.path());
        let d = describer();
        let first = d.describe(dir.path(), &a).unwrap().digest;
        assert_eq!(d.describe(dir.path(), &a).unwrap().digest, first);
        let mut salted = a.clone();
        salted.salt.push("ocamlc 5.2.0".into());
        assert_ne!(d.describe(dir.path(), &salted).unwrap().digest, first);
        std::fs::write(dir.path().join("src/a.ml"), "let x = 2").unwrap();
        assert_ne!(d.describe(dir.path(), &a).unwrap().digest, first);
        let other = ActionDescriber::new(&[], Arc::new(InputHashes::new()));
        assert_ne!(
            other.describe(dir.path(), &a).unwrap().digest,
            d.describe(dir.path(), &a).unwrap().digest
        );
    }

    #[test]
    fn the_stdout_file_is_not_an_output_path() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Action::process(vec!["ocamldep".into(), "a.ml".into()]);
        if let Command::Process { stdout, .. } = &mut a.command {
            *stdout = Some(Target::new("deps/a.ml.depends"));
        }
        a.outputs.push(Target::new("deps/a.ml.depends"));
        let r = describer().describe(dir.path(), &a).unwrap();
        assert!(r.outputs.is_empty());
        assert_eq!(r.stdout_to, Some(Target::new("deps/a.ml.depends")));
        let action: re::Action = blob(&r, &r.digest.to_proto());
        let command: re::Command = blob(&r, action.command_digest.as_ref().unwrap());
        assert!(command.output_paths.is_empty());
        // The redirect's directory exists in the input root.
        let root: re::Directory = blob(&r, action.input_root_digest.as_ref().unwrap());
        assert_eq!(root.directories[0].name, "deps");
    }

    #[test]
    fn an_input_shared_by_many_actions_is_hashed_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("shared.cmi"), "cmi").unwrap();
        std::fs::write(dir.path().join("x.ml"), "let x = 1").unwrap();
        let group = Arc::new(engine::InputGroup::new(
            vec![(Target::new("shared.cmi"), engine::Digest::of_bytes(b"cmi"))],
            vec![],
        ));
        let d = describer();
        for i in 0..1000 {
            let mut a = Action::process(vec!["ocamlc".into(), format!("m{i}.ml")]);
            a.inputs.push(Input::Group(group.clone()));
            a.inputs.push(Input::File(Target::new("x.ml")));
            d.describe(dir.path(), &a).unwrap();
        }
        assert_eq!(d.hashes().files_hashed(), 2);
    }

    #[test]
    fn internal_steps_and_missing_inputs_are_not_remotable() {
        let dir = tempfile::tempdir().unwrap();
        let a = Action::internal("scan", vec![], "scan", |_| Ok(Vec::new()));
        assert!(
            !describer()
                .describe(dir.path(), &a)
                .unwrap_err()
                .is_server_fault()
        );
        let mut b = Action::process(vec!["cat".into(), "x".into()]);
        b.inputs.push(Input::File(Target::new("x")));
        assert!(
            !describer()
                .describe(dir.path(), &b)
                .unwrap_err()
                .is_server_fault()
        );
    }
}
