//! Test support: the servers the tests run against (from the environment
//! `scripts/remote-server.sh start` writes), toy shell rules for a real
//! engine build, an event recorder, and a TCP relay that can cut a real
//! server away in the middle of a build.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use engine::{
    Action, ActionCache, Command, Engine, EngineConfig, Event, EventSink, Executor, Input,
    LocalExecutor, Producer, Rules, Sharing, SourceTree, Target, Task, TaskCx, TaskValue,
};
use futures::future::BoxFuture;
use remote::{Endpoint, RemoteOptions};
use sha2::{Digest as _, Sha256};

/// The REAPI server's URL, or `None` after saying why the test is skipped.
pub fn reapi_url() -> Option<String> {
    server_url("CARAVAN_TEST_REAPI")
}

/// The HTTP cache's URL, or `None` after saying why the test is skipped.
pub fn http_cache_url() -> Option<String> {
    server_url("CARAVAN_TEST_HTTP_CACHE")
}

fn server_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            println!("skipped: {var} not set (scripts/remote-server.sh start)");
            None
        }
    }
}

/// The platform properties the session passes (and the test workers
/// advertise): the OS and the OCaml toolchain's identity.
pub fn platform() -> Vec<(String, String)> {
    let mut props = vec![("OSFamily".to_string(), "linux".to_string())];
    let run = |arg: &str| {
        std::process::Command::new("ocamlc")
            .arg(arg)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| o.stdout)
    };
    if let (Some(version), Some(config)) = (run("-version"), run("-config")) {
        props.push((
            "caravan-ocaml-version".into(),
            String::from_utf8_lossy(&version).trim().to_string(),
        ));
        let hash: String = Sha256::digest(&config)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        props.push(("caravan-ocaml-config".into(), hash));
    }
    props
}

/// Options for `url` with the session's platform properties.
pub fn options(url: &str) -> RemoteOptions {
    let mut o = RemoteOptions::new(Endpoint::parse(url).expect("a valid test URL"));
    o.platform = platform();
    o
}

/// A string no earlier test run used, so that the server's caches start
/// cold for the actions that hold it.
pub fn nonce() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}-{now}", std::process::id())
}

/// One shell step: `sh -c script`, with its declared files.
#[derive(Clone)]
pub struct Step {
    /// The script.
    pub script: String,
    /// Inputs whose content matters.
    pub inputs: Vec<&'static str>,
    /// Inputs whose presence only matters.
    pub exists: Vec<&'static str>,
    /// Outputs (the first is the task's key).
    pub outputs: Vec<&'static str>,
    /// Side outputs.
    pub side_outputs: Vec<&'static str>,
    /// The file standard output goes to.
    pub stdout: Option<&'static str>,
    /// Where it may run.
    pub sharing: Sharing,
}

impl Step {
    /// A step running `script` that writes `outputs`.
    pub fn new(script: &str, inputs: &[&'static str], outputs: &[&'static str]) -> Step {
        Step {
            script: script.to_string(),
            inputs: inputs.to_vec(),
            exists: Vec::new(),
            outputs: outputs.to_vec(),
            side_outputs: Vec::new(),
            stdout: None,
            sharing: Sharing::Anywhere,
        }
    }

    fn action(&self) -> Action {
        let mut a = Action::process(vec!["sh".into(), "-c".into(), self.script.clone()]);
        if let Command::Process { stdout, .. } = &mut a.command {
            *stdout = self.stdout.map(Target::new);
        }
        a.inputs = self
            .inputs
            .iter()
            .map(|t| Input::File(Target::new(t)))
            .chain(self.exists.iter().map(|t| Input::Exists(Target::new(t))))
            .collect();
        a.outputs = self.outputs.iter().map(|t| Target::new(t)).collect();
        a.side_outputs = self.side_outputs.iter().map(|t| Target::new(t)).collect();
        a.sharing = self.sharing;
        a
    }
}

/// Rules made of shell steps.
pub struct ShellRules(pub Vec<Step>);

struct StepTask(Step);

impl Rules for ShellRules {
    fn producer(&self, t: &Target) -> Option<Producer> {
        let step = self.0.iter().find(|s| s.outputs.contains(&t.as_str()))?;
        Some(Producer {
            key: Target::new(step.outputs[0]),
            task: Arc::new(StepTask(step.clone())),
        })
    }
}

impl Task for StepTask {
    fn run(self: Arc<Self>, cx: Arc<TaskCx>) -> BoxFuture<'static, engine::Result<TaskValue>> {
        Box::pin(async move {
            let needed: Vec<Target> = self
                .0
                .inputs
                .iter()
                .chain(&self.0.exists)
                .map(|t| Target::new(t))
                .collect();
            cx.need(&needed).await?;
            Ok(TaskValue::files(cx.run(self.0.action()).await?))
        })
    }
}

/// What happened during builds, as lines.
#[derive(Default)]
pub struct Recorder(pub Mutex<Vec<String>>);

impl Recorder {
    /// The lines starting with `prefix`.
    pub fn lines(&self, prefix: &str) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.starts_with(prefix))
            .cloned()
            .collect()
    }
}

impl EventSink for Recorder {
    fn event(&self, event: &Event<'_>) {
        let line = match event {
            Event::ActionStarted { action, .. } => format!("started {action}"),
            Event::ActionFinished { output, .. } => format!("finished {output}"),
            Event::ActionFailed { failure, .. } => format!("failed {}", failure.output),
            Event::ActionRestored { origin, output, .. } => format!("restored {origin} {output}"),
            Event::Notice { message, .. } => format!("notice {message}"),
            _ => return,
        };
        self.0.lock().unwrap().push(line);
    }
}

/// A project: a source folder and its build dir.
pub struct Project {
    /// Holds the files.
    pub dir: tempfile::TempDir,
}

impl Project {
    /// A project holding `sources` (name, content).
    pub fn new(sources: &[(&str, &str)]) -> Project {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in sources {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, content).unwrap();
        }
        Project { dir }
    }

    /// The build directory.
    pub fn build_dir(&self) -> PathBuf {
        self.dir.path().join("_build")
    }

    /// A file of the build directory.
    pub fn built(&self, name: &str) -> String {
        std::fs::read_to_string(self.build_dir().join(name)).unwrap_or_default()
    }

    /// Builds `targets` with `rules` on this machine with `cache`, which
    /// must succeed; what happened.
    pub async fn build_cached(
        &self,
        rules: &[Step],
        targets: &[&str],
        cache: Arc<dyn ActionCache>,
    ) -> Arc<Recorder> {
        let events = Arc::new(Recorder::default());
        self.build(rules, targets, local(), Some(cache), events.clone())
            .await
            .unwrap();
        events
    }

    /// Builds `targets` with `rules`, an executor, a cache; `Ok` when every
    /// target was built.
    pub async fn build(
        &self,
        rules: &[Step],
        targets: &[&str],
        executor: Arc<dyn Executor>,
        cache: Option<Arc<dyn ActionCache>>,
        events: Arc<dyn EventSink>,
    ) -> Result<(), String> {
        let sources: Vec<String> = walk(self.dir.path());
        let engine = Engine::open(EngineConfig {
            build_dir: self.build_dir(),
            sources: SourceTree::new(self.dir.path(), sources),
            rules: Arc::new(ShellRules(rules.to_vec())),
            executor,
            cache,
            command_env: Vec::new(),
            events,
            jobs: 2,
            forbid_runs: false,
            keep_going: false,
            graph: None,
        })
        .map_err(|e| e.to_string())?;
        let targets: Vec<Target> = targets.iter().map(|t| Target::new(t)).collect();
        let results = engine.build(&targets).await;
        for r in results {
            r.map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

/// The files of a project, relative, without the build dir.
fn walk(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if p.file_name().is_some_and(|n| n == "_build") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out
}

/// The local executor.
pub fn local() -> Arc<dyn Executor> {
    Arc::new(LocalExecutor)
}

/// A TCP relay in front of a real server, whose connections can be cut
/// (the server seems to drop them) and which can be shut (the server seems
/// gone).
pub struct Relay {
    /// The relay's address, `127.0.0.1:PORT`.
    pub addr: String,
    cutter: Cutter,
}

type Handles = Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>;

impl Relay {
    /// A relay to `target` (`host:port`).
    pub async fn start(target: String) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let conns: Handles = Arc::default();
        let accepted = conns.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let h = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                accepted.lock().unwrap().push(h);
            }
        });
        Relay {
            addr,
            cutter: Cutter {
                accept: Arc::new(Mutex::new(vec![accept])),
                conns,
            },
        }
    }

    /// A handle on the relay (usable from an event sink).
    pub fn cutter(&self) -> Cutter {
        self.cutter.clone()
    }
}

/// Cuts a [`Relay`].
#[derive(Clone)]
pub struct Cutter {
    accept: Handles,
    conns: Handles,
}

impl Cutter {
    /// Closes every open connection; new ones are still relayed.
    pub fn drop_connections(&self) {
        for t in self.conns.lock().unwrap().drain(..) {
            t.abort();
        }
    }

    /// Closes the listener and every connection.
    pub fn cut(&self) {
        for t in self.accept.lock().unwrap().drain(..) {
            t.abort();
        }
        self.drop_connections();
    }
}

/// The `host:port` of a URL.
pub fn authority(url: &str) -> String {
    Endpoint::parse(url).unwrap().authority()
}

/// Records events and cuts a relay once the first action finished.
pub struct CutAfterFirst {
    pub inner: Recorder,
    pub cutter: Cutter,
}

impl engine::EventSink for CutAfterFirst {
    fn event(&self, event: &engine::Event<'_>) {
        if let engine::Event::ActionFinished { .. } = event {
            self.cutter.cut();
        }
        self.inner.event(event);
    }
}

/// Builds three copies in a row with the cache of the server at `url`
/// (`scheme://host:port...`) reached through a relay that is cut once the
/// first copy ran: the build must finish, every copy run, and the cache
/// say so once. Returns that notice.
pub async fn build_with_a_cache_cut_mid_build(scheme: &str, url: &str) -> String {
    let relay = Relay::start(authority(url)).await;
    let remote = remote::connect(options(&format!("{scheme}://{}", relay.addr)))
        .await
        .unwrap();
    let content = format!("{}\n", nonce());
    let rules = [
        Step::new("cp a b", &["a"], &["b"]),
        Step::new("cp b c", &["b"], &["c"]),
        Step::new("cp c d", &["c"], &["d"]),
    ];
    let events = Arc::new(CutAfterFirst {
        inner: Recorder::default(),
        cutter: relay.cutter(),
    });
    let p = Project::new(&[("a", content.as_str())]);
    p.build(
        &rules,
        &["d"],
        local(),
        Some(remote.cache()),
        events.clone(),
    )
    .await
    .unwrap();
    assert_eq!(p.built("d"), content);
    assert_eq!(events.inner.lines("started").len(), 3);
    let notices = events.inner.lines("notice");
    assert_eq!(notices.len(), 1, "{notices:?}");
    notices[0].clone()
}
