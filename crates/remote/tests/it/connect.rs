//! Connecting: a typed error, quickly, when nothing listens; the
//! executor only where the server executes.

use std::time::{Duration, Instant};

use crate::support::*;

/// A local port nothing listens on.
fn unused_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn nothing_listening_is_a_quick_typed_error() {
    for url in [
        format!("grpc://127.0.0.1:{}", unused_port()),
        format!("http://127.0.0.1:{}/cache", unused_port()),
    ] {
        let started = Instant::now();
        let r = remote::connect(options(&url)).await;
        assert!(matches!(r, Err(remote::Error::Connect { .. })), "{url}");
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    // Accepts connections and says nothing.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let started = Instant::now();
    let r = remote::connect(options(&format!("http://127.0.0.1:{port}"))).await;
    assert!(matches!(r, Err(remote::Error::Connect { .. })));
    assert!(started.elapsed() < Duration::from_secs(4));
    drop(l);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_http_cache_has_no_executor() {
    let Some(url) = http_cache_url() else { return };
    let remote = remote::connect(options(&url)).await.unwrap();
    let events = std::sync::Arc::new(Recorder::default());
    assert!(matches!(
        remote.executor(local(), events, false),
        Err(remote::Error::NoExecution { .. })
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reapi_server_connects_and_executes() {
    let Some(url) = reapi_url() else { return };
    let remote = remote::connect(options(&url)).await.unwrap();
    assert_eq!(remote.endpoint().to_string(), url);
    let events = std::sync::Arc::new(Recorder::default());
    assert!(remote.executor(local(), events, false).is_ok());
}

#[tokio::test]
async fn tls_without_a_server_is_a_typed_error_not_a_panic() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let url = format!("grpcs://127.0.0.1:{port}");
    let started = Instant::now();
    let r = remote::connect(options(&url)).await;
    assert!(
        matches!(r, Err(remote::Error::Connect { .. })),
        "{:?}",
        r.err()
    );
    assert!(started.elapsed() < Duration::from_secs(4));

    let mut with_ca = options(&url);
    with_ca.ca_file = Some("/nonexistent/ca.pem".into());
    assert!(matches!(
        remote::connect(with_ca).await,
        Err(remote::Error::CaFile { .. })
    ));
    drop(l);
}

#[tokio::test]
async fn a_header_that_cannot_be_sent_is_refused() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    for url in [
        format!("grpc://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{port}"),
    ] {
        let mut o = options(&url);
        o.headers = vec![("bad header".into(), "x".into())];
        let r = remote::connect(o).await;
        assert!(
            matches!(
                r,
                Err(remote::Error::BadHeader { .. }) | Err(remote::Error::Connect { .. })
            ),
            "{url}"
        );
    }
    drop(l);
}

#[test]
fn a_remote_outlives_the_runtime_it_was_connected_on() {
    let Some(url) = reapi_url() else { return };
    let nonce = nonce();
    let content = format!("{nonce}\n");
    let rules = [Step::new("cp a b; pwd > w", &["a"], &["b", "w"])];
    let first = tokio::runtime::Runtime::new().unwrap();
    let remote = first.block_on(remote::connect(options(&url))).unwrap();
    let p = Project::new(&[("a", content.as_str())]);
    first
        .block_on(p.build(
            &rules,
            &["b"],
            local(),
            Some(remote.cache()),
            std::sync::Arc::new(Recorder::default()),
        ))
        .unwrap();
    drop(first);

    // Another build, on another runtime, as caravan's watch mode does.
    let second = tokio::runtime::Runtime::new().unwrap();
    let q = Project::new(&[("a", content.as_str())]);
    let events = std::sync::Arc::new(Recorder::default());
    second
        .block_on(q.build(
            &rules,
            &["b"],
            local(),
            Some(remote.cache()),
            events.clone(),
        ))
        .unwrap();
    assert_eq!(events.lines("restored").len(), 1, "{:?}", events.lines(""));
    drop(second);

    // And it executes on a third runtime too, the first long gone.
    let third = tokio::runtime::Runtime::new().unwrap();
    let r = Project::new(&[("a", "other\n")]);
    let events = std::sync::Arc::new(Recorder::default());
    let exec = remote.executor(local(), events.clone(), false).unwrap();
    third
        .block_on(r.build(&rules, &["b"], exec, None, events.clone()))
        .unwrap();
    assert_eq!(r.built("b"), "other\n");
    assert!(events.lines("notice").is_empty(), "{:?}", events.lines(""));
    drop(third);
    drop(remote);
}
