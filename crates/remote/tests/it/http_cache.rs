//! `HttpCache` on nginx serving the Bazel HTTP cache protocol.

use std::sync::Arc;

use sha2::{Digest as _, Sha256};

use crate::support::*;

fn rules() -> Vec<Step> {
    let mut upper = Step::new(
        "tr a-z A-Z < hello > hello.upper; echo done",
        &["hello"],
        &["hello.upper"],
    );
    upper.exists = vec!["hello.mli"];
    vec![upper]
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_build_dir_restores_outputs_without_running() {
    let Some(url) = http_cache_url() else { return };
    let remote = remote::connect(options(&url)).await.unwrap();
    let nonce = nonce();
    let content = format!("hello {nonce}\n");
    let sources = [("hello", content.as_str()), ("hello.mli", "anything")];

    let first = Project::new(&sources);
    let events = first
        .build_cached(&rules(), &["hello.upper"], remote.cache())
        .await;
    assert_eq!(events.lines("started").len(), 1);
    assert!(
        events.lines("notice").is_empty(),
        "{:?}",
        events.lines("notice")
    );

    // Only the presence of hello.mli matters: another content still hits.
    let second = Project::new(&[("hello", content.as_str()), ("hello.mli", "other")]);
    let events = second
        .build_cached(&rules(), &["hello.upper"], remote.cache())
        .await;
    assert!(events.lines("started").is_empty(), "{:?}", events.lines(""));
    assert_eq!(
        events.lines("restored remote cache"),
        ["restored remote cache done\n"]
    );
    assert_eq!(second.built("hello.upper"), content.to_uppercase());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_blob_with_the_wrong_digest_is_refused_and_said_once() {
    let Some(url) = http_cache_url() else { return };
    let remote = remote::connect(options(&url)).await.unwrap();
    let nonce = nonce();
    let content = format!("hello {nonce}\n");
    let sources = [("hello", content.as_str()), ("hello.mli", "")];
    let first = Project::new(&sources);
    first
        .build(
            &rules(),
            &["hello.upper"],
            local(),
            Some(remote.cache()),
            Arc::new(Recorder::default()),
        )
        .await
        .unwrap();

    // Corrupt the stored output on the server.
    let hash: String = Sha256::digest(content.to_uppercase().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let status = std::process::Command::new("curl")
        .args([
            "-sf",
            "-X",
            "PUT",
            "--data-binary",
            "corrupt",
            &format!("{url}/cas/{hash}"),
        ])
        .status()
        .expect("curl runs");
    assert!(status.success());

    let second = Project::new(&sources);
    let events = second
        .build_cached(&rules(), &["hello.upper"], remote.cache())
        .await;
    assert_eq!(events.lines("started").len(), 1, "{:?}", events.lines(""));
    assert!(events.lines("restored").is_empty());
    let notices = events.lines("notice");
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("refused"), "{notices:?}");
    assert_eq!(second.built("hello.upper"), content.to_uppercase());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cache_gone_mid_build_is_said_once_and_the_build_finishes() {
    let Some(url) = http_cache_url() else { return };
    let notice = build_with_a_cache_cut_mid_build("http", &url).await;
    assert!(notice.contains("remote cache at http://"), "{notice}");
}
