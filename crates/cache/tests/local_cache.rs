//! The local cache under a real engine: builds in one folder restore in
//! another, damaged contents are found, private actions stay out, trimming
//! keeps the newest entries.

use std::path::Path;
use std::sync::{Arc, Mutex};

use cache::LocalCache;
use engine::*;
use futures::future::BoxFuture;

/// `X.upper` from source `X` with `tr`; `X.private` the same, but private.
struct Upper;
struct UpperTask {
    src: Target,
    out: Target,
    private: bool,
}

impl Rules for Upper {
    fn producer(&self, t: &Target) -> Option<Producer> {
        let (src, private) = match t.as_str().strip_suffix(".upper") {
            Some(s) => (s, false),
            None => (t.as_str().strip_suffix(".private")?, true),
        };
        Some(Producer {
            key: t.clone(),
            task: Arc::new(UpperTask {
                src: Target::new(src),
                out: t.clone(),
                private,
            }),
        })
    }
}

impl Task for UpperTask {
    fn run(self: Arc<Self>, cx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            cx.need_one(&self.src).await?;
            let mut a = Action::process(vec![
                "sh".into(),
                "-c".into(),
                format!("echo said {0}; tr a-z A-Z < {0} > {1}", self.src, self.out),
            ]);
            a.inputs.push(Input::File(self.src.clone()));
            a.outputs.push(self.out.clone());
            if self.private {
                a.sharing = Sharing::Private("test");
            }
            Ok(TaskValue::files(cx.run(a).await?))
        })
    }
}

#[derive(Default)]
struct Seen {
    ran: Mutex<Vec<String>>,
    restored: Mutex<Vec<(String, String)>>,
    notices: Mutex<Vec<String>>,
}

impl EventSink for Seen {
    fn event(&self, e: &Event<'_>) {
        match e {
            Event::ActionStarted { action, .. } => {
                self.ran.lock().unwrap().push(action.outputs[0].to_string())
            }
            Event::ActionRestored { action, output, .. } => self
                .restored
                .lock()
                .unwrap()
                .push((action.outputs[0].to_string(), output.to_string())),
            Event::Notice { message, .. } => self.notices.lock().unwrap().push(message.to_string()),
            _ => {}
        }
    }
}

fn build(root: &Path, cache: &Arc<LocalCache>, targets: &[&str]) -> Arc<Seen> {
    let seen = Arc::new(Seen::default());
    let engine = Engine::open(EngineConfig {
        build_dir: root.join("_build"),
        sources: SourceTree::new(root, ["a".to_string(), "b".to_string()]),
        rules: Arc::new(Upper),
        executor: Arc::new(LocalExecutor),
        cache: Some(cache.clone()),
        command_env: Vec::new(),
        events: seen.clone(),
        jobs: 2,
        forbid_runs: false,
        keep_going: false,
        graph: None,
    })
    .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let targets: Vec<Target> = targets.iter().map(|t| Target::new(t)).collect();
    for r in rt.block_on(engine.build(&targets)) {
        r.unwrap();
    }
    engine.finish().unwrap();
    seen
}

fn project(parent: &Path, name: &str) -> std::path::PathBuf {
    let root = parent.join(name);
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("a"), "alpha\n").unwrap();
    std::fs::write(root.join("b"), "beta\n").unwrap();
    root
}

#[test]
fn a_second_folder_restores_what_the_first_built() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Arc::new(LocalCache::new(&dir.path().join("cache"), 1 << 30));
    let one = project(dir.path(), "one");
    let first = build(&one, &cache, &["a.upper", "b.upper"]);
    assert_eq!(first.ran.lock().unwrap().len(), 2);

    let two = project(dir.path(), "two");
    let second = build(&two, &cache, &["a.upper", "b.upper"]);
    assert!(second.ran.lock().unwrap().is_empty(), "nothing runs");
    let mut restored = second.restored.lock().unwrap().clone();
    restored.sort();
    assert_eq!(
        restored,
        [
            ("a.upper".to_string(), "said a\n".to_string()),
            ("b.upper".to_string(), "said b\n".to_string())
        ]
    );
    assert_eq!(
        std::fs::read_to_string(two.join("_build/a.upper")).unwrap(),
        "ALPHA\n"
    );
    // The restored folder is then up to date by its own traces.
    let third = build(&two, &cache, &["a.upper", "b.upper"]);
    assert!(third.ran.lock().unwrap().is_empty());
    assert!(third.restored.lock().unwrap().is_empty());

    // An edit misses, then the edit undone in another folder hits.
    std::fs::write(two.join("a"), "gamma\n").unwrap();
    let edited = build(&two, &cache, &["a.upper"]);
    assert_eq!(*edited.ran.lock().unwrap(), ["a.upper"]);
    let stats = cache::trim::stats(cache.root()).unwrap();
    assert_eq!(stats.entries, 3);
}

#[test]
fn a_damaged_content_is_refused_deleted_and_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Arc::new(LocalCache::new(&dir.path().join("cache"), 1 << 30));
    let one = project(dir.path(), "one");
    build(&one, &cache, &["a.upper", "b.upper"]);
    // Damage every stored content (as a disk error or a hand edit would).
    let cas = dir.path().join("cache/cas");
    let mut damaged = 0;
    for sub in std::fs::read_dir(&cas).unwrap() {
        for f in std::fs::read_dir(sub.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            std::fs::remove_file(&p).unwrap();
            std::fs::write(&p, "DAMAGED\n").unwrap();
            damaged += 1;
        }
    }
    assert_eq!(damaged, 2);
    let two = project(dir.path(), "two");
    let seen = build(&two, &cache, &["a.upper", "b.upper"]);
    assert_eq!(seen.ran.lock().unwrap().len(), 2, "both run again");
    assert!(seen.restored.lock().unwrap().is_empty());
    let notices = seen.notices.lock().unwrap().clone();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("damaged"), "{notices:?}");
    assert_eq!(
        std::fs::read_to_string(two.join("_build/a.upper")).unwrap(),
        "ALPHA\n"
    );
    // The runs stored good contents again: a third folder restores.
    let three = project(dir.path(), "three");
    let seen = build(&three, &cache, &["a.upper", "b.upper"]);
    assert!(seen.ran.lock().unwrap().is_empty());
    assert!(seen.notices.lock().unwrap().is_empty());
}

#[test]
fn a_private_action_is_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Arc::new(LocalCache::new(&dir.path().join("cache"), 1 << 30));
    let one = project(dir.path(), "one");
    build(&one, &cache, &["a.private"]);
    assert_eq!(cache::trim::stats(cache.root()).unwrap().entries, 0);
    let two = project(dir.path(), "two");
    let seen = build(&two, &cache, &["a.private"]);
    assert_eq!(*seen.ran.lock().unwrap(), ["a.private"]);
}

#[test]
fn restored_outputs_are_read_only_copies_that_a_rebuild_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Arc::new(LocalCache::new(&dir.path().join("cache"), 1 << 30));
    let one = project(dir.path(), "one");
    build(&one, &cache, &["a.upper"]);
    let two = project(dir.path(), "two");
    build(&two, &cache, &["a.upper"]);
    use std::os::unix::fs::PermissionsExt;
    let out = two.join("_build/a.upper");
    let mode = std::fs::metadata(&out).unwrap().permissions().mode();
    assert_eq!(mode & 0o222, 0, "read-only: {mode:o}");
    // A rebuild after an edit deletes the file and writes a new one: the
    // stored content stays as it was.
    std::fs::write(two.join("a"), "delta\n").unwrap();
    build(&two, &cache, &["a.upper"]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "DELTA\n");
    let three = project(dir.path(), "three");
    build(&three, &cache, &["a.upper"]);
    assert_eq!(
        std::fs::read_to_string(three.join("_build/a.upper")).unwrap(),
        "ALPHA\n"
    );
}

#[test]
fn trimming_keeps_the_entries_used_last() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("cache");
    let cache = Arc::new(LocalCache::new(&root, 1 << 30));
    let one = project(dir.path(), "one");
    build(&one, &cache, &["a.upper"]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    build(&one, &cache, &["b.upper"]);
    let before = cache::trim::stats(&root).unwrap();
    assert_eq!(before.entries, 2);
    // Use a's entry again: it becomes the newest.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let two = project(dir.path(), "two");
    let seen = build(&two, &cache, &["a.upper"]);
    assert_eq!(seen.restored.lock().unwrap().len(), 1);
    // Room for one entry and its content only.
    let one_entry = before.bytes / 2 + 1;
    let report = cache::trim::trim(&root, one_entry).unwrap();
    assert_eq!(report.entries_removed, 1);
    assert_eq!(cache::trim::stats(&root).unwrap().entries, 1);
    let three = project(dir.path(), "three");
    let seen = build(&three, &cache, &["a.upper", "b.upper"]);
    assert_eq!(
        *seen.ran.lock().unwrap(),
        ["b.upper"],
        "b was trimmed, a kept"
    );
}

#[test]
fn builds_at_once_on_one_cache_never_see_a_partial_entry() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Arc::new(LocalCache::new(&dir.path().join("cache"), 1 << 30));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let cache = cache.clone();
            let root = project(dir.path(), &format!("p{i}"));
            std::thread::spawn(move || {
                let seen = build(&root, &cache, &["a.upper", "b.upper"]);
                assert!(seen.notices.lock().unwrap().is_empty());
                assert_eq!(
                    std::fs::read_to_string(root.join("_build/b.upper")).unwrap(),
                    "BETA\n"
                );
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(cache::trim::stats(cache.root()).unwrap().entries, 2);
}

#[test]
fn past_its_limit_the_cache_trims_itself_when_a_build_ends() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("cache");
    let roomy = Arc::new(LocalCache::new(&root, 1 << 30));
    let one = project(dir.path(), "one");
    build(&one, &roomy, &["a.upper"]);
    assert_eq!(cache::trim::stats(&root).unwrap().entries, 1);
    // The same folder with a limit below what it holds: the next build's
    // end trims it (to three quarters of the limit: nothing here).
    let tight = Arc::new(LocalCache::new(&root, 10));
    build(&one, &tight, &["b.upper"]);
    assert_eq!(cache::trim::stats(&root).unwrap().entries, 0);
    let two = project(dir.path(), "two");
    let seen = build(&two, &roomy, &["a.upper", "b.upper"]);
    assert_eq!(seen.ran.lock().unwrap().len(), 2, "both were trimmed away");
}
