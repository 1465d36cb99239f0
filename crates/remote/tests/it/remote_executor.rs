//! `RemoteExecutor` on BuildGrid's test workers: commands run in a fresh
//! directory holding their declared inputs only.

use std::sync::Arc;

use engine::{Event, EventSink, Executor, Sharing};

use crate::support::*;

async fn executor(url: &str, events: Arc<dyn EventSink>, verbose: bool) -> Arc<dyn Executor> {
    let remote = remote::connect(options(url)).await.unwrap();
    remote.executor(local(), events, verbose).unwrap()
}

fn text(nonce: &str) -> String {
    format!("input {nonce}\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_action_runs_on_a_worker() {
    let Some(url) = reapi_url() else { return };
    let nonce = nonce();
    let content = text(&nonce);
    let p = Project::new(&[("a", content.as_str())]);
    let events = Arc::new(Recorder::default());
    let mut step = Step::new(
        "pwd > where; mkdir -p out; tr a-z A-Z < a > out/b; echo to-stdout; echo to-stderr >&2",
        &["a"],
        &["out/b", "where"],
    );
    step.exists = vec!["a"];
    p.build(
        &[step],
        &["out/b"],
        executor(&url, events.clone(), true).await,
        None,
        events.clone(),
    )
    .await
    .unwrap();
    assert_eq!(p.built("out/b"), content.to_uppercase());
    let ran_in = p.built("where");
    assert!(!ran_in.is_empty());
    assert_ne!(
        std::path::Path::new(ran_in.trim()),
        p.build_dir().canonicalize().unwrap(),
        "the command ran in the build dir, not on a worker"
    );
    assert_eq!(
        events.lines("finished"),
        ["finished to-stdout\nto-stderr\n"]
    );
    assert!(
        events.lines("notice").is_empty(),
        "{:?}",
        events.lines("notice")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_undeclared_input_makes_the_action_fail_as_on_a_farm() {
    let Some(url) = reapi_url() else { return };
    let nonce = nonce();
    let content = text(&nonce);
    let p = Project::new(&[("a", content.as_str())]);
    std::fs::create_dir_all(p.build_dir()).unwrap();
    std::fs::write(p.build_dir().join("undeclared"), "here locally").unwrap();
    let events = Arc::new(Recorder::default());
    let step = Step::new("cat a undeclared > b", &["a"], &["b"]);
    let r = p
        .build(
            &[step],
            &["b"],
            executor(&url, events.clone(), false).await,
            None,
            events.clone(),
        )
        .await;
    assert!(r.is_err());
    let failed = events.lines("failed");
    assert_eq!(failed.len(), 1, "{:?}", events.lines(""));
    assert!(failed[0].contains("undeclared"), "{failed:?}");
    assert!(
        events.lines("notice").is_empty(),
        "{:?}",
        events.lines("notice")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn standard_output_goes_to_its_file() {
    let Some(url) = reapi_url() else { return };
    let nonce = nonce();
    let mut step = Step::new(
        &format!("echo {nonce}; echo warning >&2"),
        &[],
        &["deps/x.depends"],
    );
    step.stdout = Some("deps/x.depends");
    let p = Project::new(&[]);
    let events = Arc::new(Recorder::default());
    p.build(
        &[step],
        &["deps/x.depends"],
        executor(&url, events.clone(), false).await,
        None,
        events.clone(),
    )
    .await
    .unwrap();
    assert_eq!(p.built("deps/x.depends"), format!("{nonce}\n"));
    assert_eq!(events.lines("finished"), ["finished warning\n"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn large_blobs_go_through_bytestream() {
    let Some(url) = reapi_url() else { return };
    let nonce = nonce();
    let big = format!("{nonce}\n").repeat(3 << 20 >> 4);
    assert!(big.len() > 2 << 20);
    let p = Project::new(&[("big", big.as_str())]);
    let step = Step::new("cat big big > double", &["big"], &["double"]);
    let events = Arc::new(Recorder::default());
    p.build(
        &[step],
        &["double"],
        executor(&url, events.clone(), false).await,
        None,
        events.clone(),
    )
    .await
    .unwrap();
    assert_eq!(p.built("double"), big.repeat(2));
    assert!(
        events.lines("notice").is_empty(),
        "{:?}",
        events.lines("notice")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn local_only_actions_run_here_and_say_why_once() {
    let Some(url) = reapi_url() else { return };
    let mut one = Step::new("pwd > one", &[], &["one"]);
    one.sharing = Sharing::LocalOnly("links with the local C linker");
    let mut two = Step::new("pwd > two", &["one"], &["two"]);
    two.sharing = Sharing::LocalOnly("links with the local C linker");
    let p = Project::new(&[]);
    let events = Arc::new(Recorder::default());
    p.build(
        &[one, two],
        &["two"],
        executor(&url, events.clone(), true).await,
        None,
        events.clone(),
    )
    .await
    .unwrap();
    let here = p.build_dir().canonicalize().unwrap();
    assert_eq!(std::path::Path::new(p.built("two").trim()), here);
    let notices = events.lines("notice");
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("links with the local C linker"));
}

/// Records events and cuts a relay once the first action finished.
struct CutAfterFirst {
    inner: Recorder,
    cutter: Cutter,
}

impl EventSink for CutAfterFirst {
    fn event(&self, event: &Event<'_>) {
        if let Event::ActionFinished { .. } = event {
            self.cutter.cut();
        }
        self.inner.event(event);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_gone_mid_build_falls_back_to_local_execution_once() {
    let Some(url) = reapi_url() else { return };
    let relay = Relay::start(authority(&url)).await;
    let nonce = nonce();
    let content = text(&nonce);
    let p = Project::new(&[("a", content.as_str())]);
    let events = Arc::new(CutAfterFirst {
        inner: Recorder::default(),
        cutter: relay.cutter(),
    });
    let rules = [
        Step::new("pwd > w1; cp a b", &["a"], &["b", "w1"]),
        Step::new("pwd > w2; cp b c", &["b"], &["c", "w2"]),
        Step::new("pwd > w3; cp c d", &["c"], &["d", "w3"]),
    ];
    let exec = executor(&format!("grpc://{}", relay.addr), events.clone(), false).await;
    p.build(&rules, &["d"], exec, None, events.clone())
        .await
        .unwrap();
    assert_eq!(p.built("d"), content);
    let here = p.build_dir().canonicalize().unwrap();
    assert_ne!(
        std::path::Path::new(p.built("w1").trim()),
        here,
        "ran remotely"
    );
    assert_eq!(
        std::path::Path::new(p.built("w2").trim()),
        here,
        "ran locally"
    );
    assert_eq!(
        std::path::Path::new(p.built("w3").trim()),
        here,
        "ran locally"
    );
    let notices = events.inner.lines("notice");
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].contains("remote execution at grpc://")
            && notices[0].contains("running actions locally"),
        "{notices:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_execution_stream_is_resumed_with_wait_execution() {
    let Some(url) = reapi_url() else { return };
    let relay = Relay::start(authority(&url)).await;
    let nonce = nonce();
    let content = text(&nonce);
    let p = Project::new(&[("a", content.as_str())]);
    let events = Arc::new(Recorder::default());
    let exec = executor(&format!("grpc://{}", relay.addr), events.clone(), false).await;
    let step = Step::new("sleep 1.5; pwd > w; cp a b", &["a"], &["b", "w"]);
    let cutter = relay.cutter();
    let cut = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        cutter.drop_connections();
    });
    p.build(&[step], &["b"], exec, None, events.clone())
        .await
        .unwrap();
    cut.await.unwrap();
    assert_eq!(p.built("b"), content);
    let here = p.build_dir().canonicalize().unwrap();
    assert_ne!(
        std::path::Path::new(p.built("w").trim()),
        here,
        "ran remotely"
    );
    assert!(
        events.lines("notice").is_empty(),
        "{:?}",
        events.lines("notice")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ocaml_modules_compile_on_a_worker_and_link_here() {
    let Some(url) = reapi_url() else { return };
    if std::process::Command::new("ocamlc")
        .arg("-version")
        .output()
        .is_err()
    {
        println!("skipped: no ocamlc");
        return;
    }
    let nonce = nonce();
    let a_ml = format!("let greeting = \"hello {nonce}\"\n");
    let p = Project::new(&[
        ("a.ml", a_ml.as_str()),
        ("b.ml", "let () = print_endline A.greeting\n"),
    ]);
    let mut a = Step::new("ocamlc -bin-annot -c a.ml", &["a.ml"], &["a.cmo", "a.cmi"]);
    a.side_outputs = vec!["a.cmt"];
    let mut b = Step::new("ocamlc -c b.ml", &["b.ml", "a.cmi"], &["b.cmo", "b.cmi"]);
    b.exists = vec!["a.ml"];
    let mut link = Step::new("ocamlc a.cmo b.cmo -o prog", &["a.cmo", "b.cmo"], &["prog"]);
    link.sharing = Sharing::LocalOnly("links with the local C linker");
    let events = Arc::new(Recorder::default());
    p.build(
        &[a, b, link],
        &["prog"],
        executor(&url, events.clone(), false).await,
        None,
        events.clone(),
    )
    .await
    .unwrap();
    assert!(
        p.build_dir().join("a.cmt").exists(),
        "the side output came back"
    );
    let out = std::process::Command::new(p.build_dir().join("prog"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("hello {nonce}\n")
    );
    assert!(
        events.lines("notice").is_empty(),
        "{:?}",
        events.lines("notice")
    );
}

/// Kills the real server in the middle of a build. It stops the server
/// for every other test, so it runs only when asked, alone and last:
/// `CARAVAN_TEST_REAPI_PIDFILE=$STATE/bgd.pid cargo test -p remote --test it
/// -- --ignored a_killed_server`, then `scripts/remote-server.sh stop`.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "kills the test server: run alone, then restart it"]
async fn a_killed_server_mid_build_falls_back_to_local_execution_once() {
    let Some(url) = reapi_url() else { return };
    let Ok(pidfile) = std::env::var("CARAVAN_TEST_REAPI_PIDFILE") else {
        println!("skipped: CARAVAN_TEST_REAPI_PIDFILE not set (the server's bgd.pid)");
        return;
    };
    let remote = remote::connect(options(&url)).await.unwrap();
    let nonce = nonce();
    let content = text(&nonce);
    let names = ["a", "b", "c", "d", "e", "f", "g"];
    let rules: Vec<Step> = names
        .windows(2)
        .map(|w| {
            Step::new(
                &format!("sleep 0.4; cp {} {}", w[0], w[1]),
                &[w[0]],
                &[w[1]],
            )
        })
        .collect();
    let events = Arc::new(Recorder::default());
    let exec = remote.executor(local(), events.clone(), false).unwrap();
    let killer = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let pid = std::fs::read_to_string(&pidfile).unwrap();
        let killed = std::process::Command::new("kill")
            .args(["-9", pid.trim()])
            .status()
            .unwrap();
        assert!(killed.success());
    });
    let p = Project::new(&[("a", content.as_str())]);
    p.build(&rules, &["g"], exec, None, events.clone())
        .await
        .unwrap();
    killer.await.unwrap();
    assert_eq!(p.built("g"), content);
    assert_eq!(events.lines("finished").len(), 6);
    let notices = events.lines("notice");
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].contains("running actions locally"),
        "{notices:?}"
    );
}
