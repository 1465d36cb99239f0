//! `RemoteCache` on a REAPI server: what one build directory stores,
//! another restores without running.

use std::sync::Arc;

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_second_build_dir_restores_outputs_without_running() {
    let Some(url) = reapi_url() else { return };
    let remote = remote::connect(options(&url)).await.unwrap();
    let nonce = nonce();
    let sources = [("hello", format!("hello {nonce}\n"))];
    let sources: Vec<(&str, &str)> = sources.iter().map(|(n, c)| (*n, c.as_str())).collect();
    let mut upper = Step::new(
        "tr a-z A-Z < hello > hello.upper; echo side > hello.side; echo said; echo warned >&2",
        &["hello"],
        &["hello.upper"],
    );
    upper.side_outputs = vec!["hello.side", "hello.absent"];
    let mut count = Step::new("wc -c < hello.upper", &["hello.upper"], &["hello.count"]);
    count.stdout = Some("hello.count");
    let rules = [upper, count];

    let first = Project::new(&sources);
    let events = first
        .build_cached(&rules, &["hello.count"], remote.cache())
        .await;
    assert_eq!(events.lines("started").len(), 2);
    assert!(
        events.lines("notice").is_empty(),
        "{:?}",
        events.lines("notice")
    );

    let second = Project::new(&sources);
    let events = second
        .build_cached(&rules, &["hello.count"], remote.cache())
        .await;
    assert!(events.lines("started").is_empty(), "{:?}", events.lines(""));
    let restored = events.lines("restored remote cache");
    assert_eq!(restored.len(), 2, "{:?}", events.lines(""));
    assert!(
        restored.contains(&"restored remote cache said\nwarned\n".to_string()),
        "{restored:?}"
    );
    assert_eq!(
        second.built("hello.upper"),
        format!("HELLO {}\n", nonce.to_uppercase())
    );
    assert_eq!(second.built("hello.side"), "side\n");
    assert_eq!(second.built("hello.count"), first.built("hello.count"));
    assert!(!second.build_dir().join("hello.absent").exists());
    assert!(events.lines("notice").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn another_platform_never_gets_the_result() {
    let Some(url) = reapi_url() else { return };
    let nonce = nonce();
    let sources = [("a", format!("{nonce}\n"))];
    let sources: Vec<(&str, &str)> = sources.iter().map(|(n, c)| (*n, c.as_str())).collect();
    let rules = [Step::new("cp a b", &["a"], &["b"])];
    let remote = remote::connect(options(&url)).await.unwrap();
    let p = Project::new(&sources);
    let events = Arc::new(Recorder::default());
    p.build(&rules, &["b"], local(), Some(remote.cache()), events)
        .await
        .unwrap();

    let mut other = options(&url);
    other.platform = vec![
        ("OSFamily".into(), "linux".into()),
        ("caravan-ocaml-version".into(), "0.0.0-other".into()),
    ];
    let other = remote::connect(other).await.unwrap();
    let q = Project::new(&sources);
    let events = Arc::new(Recorder::default());
    q.build(&rules, &["b"], local(), Some(other.cache()), events.clone())
        .await
        .unwrap();
    assert_eq!(events.lines("started").len(), 1);
    assert!(events.lines("restored").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_gone_mid_build_is_said_once_and_the_build_finishes() {
    let Some(url) = reapi_url() else { return };
    let notice = build_with_a_cache_cut_mid_build("grpc", &url).await;
    assert!(notice.contains("remote cache at grpc://"), "{notice}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_result_of_remote_execution_serves_the_cache() {
    let Some(url) = reapi_url() else { return };
    let remote = remote::connect(options(&url)).await.unwrap();
    let nonce = nonce();
    let sources = [("a", format!("{nonce}\n"))];
    let sources: Vec<(&str, &str)> = sources.iter().map(|(n, c)| (*n, c.as_str())).collect();
    let rules = [Step::new("cp a b; echo copied", &["a"], &["b"])];
    let events = Arc::new(Recorder::default());
    let exec = remote.executor(local(), events.clone(), false).unwrap();
    Project::new(&sources)
        .build(&rules, &["b"], exec, None, events)
        .await
        .unwrap();

    let q = Project::new(&sources);
    let events = Arc::new(Recorder::default());
    q.build(
        &rules,
        &["b"],
        local(),
        Some(remote.cache()),
        events.clone(),
    )
    .await
    .unwrap();
    assert!(events.lines("started").is_empty(), "{:?}", events.lines(""));
    assert_eq!(events.lines("restored"), ["restored remote cache copied\n"]);
    assert_eq!(q.built("b"), format!("{nonce}\n"));
}
