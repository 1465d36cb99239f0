//! Integration tests of the remote client against real servers: BuildGrid
//! (REAPI v2, with test workers) and nginx (the Bazel HTTP cache protocol),
//! as `scripts/remote-server.sh start` sets them up and announces them in
//! `CARAVAN_TEST_REAPI` and `CARAVAN_TEST_HTTP_CACHE`. Without them, each
//! test says it is skipped and passes. No server is faked.

mod support;

mod connect;
mod http_cache;
mod remote_cache;
mod remote_executor;
