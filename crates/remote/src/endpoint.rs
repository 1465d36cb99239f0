//! `Endpoint` and `RemoteOptions`: where the remote is and how to talk to
//! it, as the user wrote it on the command line.
//!
//! URLs are `grpc://HOST:PORT` (REAPI v2 over plain HTTP/2),
//! `grpcs://HOST:PORT` (REAPI over TLS, optionally with a CA file), and
//! `http://HOST[:PORT]/PREFIX` (the Bazel HTTP cache protocol: `GET`/`PUT`
//! of `PREFIX/ac/<sha256>` and `PREFIX/cas/<sha256>`).

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::error::{Error, Result};

/// How long connecting may take before the server counts as down.
pub const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// A remote's address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A REAPI v2 server (cache, and possibly execution).
    Grpc {
        /// Host name or address (IPv6 addresses without brackets).
        host: String,
        /// Port.
        port: u16,
        /// Whether the connection uses TLS (`grpcs://`).
        tls: bool,
    },
    /// A Bazel HTTP cache.
    Http {
        /// Host name or address (IPv6 addresses without brackets).
        host: String,
        /// Port (80 when the URL gives none).
        port: u16,
        /// The path under which `ac/` and `cas/` live, without a trailing
        /// slash (`""` for the root, else starting with `/`).
        prefix: String,
    },
}

impl Endpoint {
    /// Parses a remote URL.
    pub fn parse(url: &str) -> Result<Endpoint> {
        let bad = |why: &str| Error::BadUrl {
            url: url.to_string(),
            why: why.to_string(),
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("expected grpc://, grpcs:// or http://"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(bad(
                "user names in URLs are not supported (use -remote-header)",
            ));
        }
        let (host, port) = split_host_port(authority).map_err(&bad)?;
        match scheme {
            "grpc" | "grpcs" => {
                if !path.is_empty() && path != "/" {
                    return Err(bad(
                        "a gRPC URL has no path (use -remote-instance for an instance name)",
                    ));
                }
                let port = port.ok_or_else(|| bad("a gRPC URL needs a port"))?;
                Ok(Endpoint::Grpc {
                    host,
                    port,
                    tls: scheme == "grpcs",
                })
            }
            "http" => {
                if path.contains(['?', '#']) {
                    return Err(bad("an HTTP cache URL has no query or fragment"));
                }
                let prefix = path.trim_end_matches('/').to_string();
                Ok(Endpoint::Http {
                    host,
                    port: port.unwrap_or(80),
                    prefix,
                })
            }
            "https" => Err(bad(
                "HTTPS caches are not supported yet (use http:// or grpcs://)",
            )),
            _ => Err(bad("expected grpc://, grpcs:// or http://")),
        }
    }

    /// Whether this is an HTTP cache (no remote execution).
    pub fn is_http(&self) -> bool {
        matches!(self, Endpoint::Http { .. })
    }

    /// `host:port`, with brackets around an IPv6 address.
    pub fn authority(&self) -> String {
        let (host, port) = match self {
            Endpoint::Grpc { host, port, .. } | Endpoint::Http { host, port, .. } => (host, port),
        };
        if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        }
    }
}

/// Splits `host:port` (`[v6]:port`); the port is optional.
fn split_host_port(authority: &str) -> std::result::Result<(String, Option<u16>), &'static str> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or("unclosed '[' in the host")?;
        match after {
            "" => (host, None),
            p => (
                host,
                Some(p.strip_prefix(':').ok_or("expected ':' after ']'")?),
            ),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("no host");
    }
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => Some(n),
            _ => return Err("the port is not a number from 1 to 65535"),
        },
    };
    Ok((host.to_string(), port))
}

impl FromStr for Endpoint {
    type Err = Error;
    fn from_str(s: &str) -> Result<Endpoint> {
        Endpoint::parse(s)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Grpc { tls, .. } => {
                let scheme = if *tls { "grpcs" } else { "grpc" };
                write!(f, "{scheme}://{}", self.authority())
            }
            Endpoint::Http { prefix, .. } => write!(f, "http://{}{prefix}", self.authority()),
        }
    }
}

/// Everything needed to reach a remote and describe actions to it.
#[derive(Clone, Debug)]
pub struct RemoteOptions {
    /// Where the remote is.
    pub endpoint: Endpoint,
    /// The REAPI instance name (`-remote-instance`; `""` by default).
    pub instance_name: String,
    /// Headers sent with every call (gRPC metadata or HTTP headers), such
    /// as an authorisation token (`-remote-header K=V`).
    pub headers: Vec<(String, String)>,
    /// A PEM file of certificate authorities for `grpcs://`.
    pub ca_file: Option<PathBuf>,
    /// Platform properties put in every action: they say which machine
    /// and toolchain may run it or serve its result (`OSFamily`,
    /// `caravan-ocaml-version`, `caravan-ocaml-config`).
    pub platform: Vec<(String, String)>,
}

impl RemoteOptions {
    /// Options for `endpoint` with no instance name, header, CA file or
    /// platform property.
    pub fn new(endpoint: Endpoint) -> RemoteOptions {
        RemoteOptions {
            endpoint,
            instance_name: String::new(),
            headers: Vec::new(),
            ca_file: None,
            platform: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_grpc_and_grpcs() {
        assert_eq!(
            Endpoint::parse("grpc://127.0.0.1:50071").unwrap(),
            Endpoint::Grpc {
                host: "127.0.0.1".into(),
                port: 50071,
                tls: false
            }
        );
        let e = Endpoint::parse("grpcs://build.example.com:443/").unwrap();
        assert_eq!(e.to_string(), "grpcs://build.example.com:443");
        assert!(!e.is_http());
    }

    #[test]
    fn parses_http_with_a_prefix() {
        let e = Endpoint::parse("http://127.0.0.1:8089/cache/").unwrap();
        assert_eq!(
            e,
            Endpoint::Http {
                host: "127.0.0.1".into(),
                port: 8089,
                prefix: "/cache".into()
            }
        );
        assert_eq!(e.to_string(), "http://127.0.0.1:8089/cache");
        let root = Endpoint::parse("http://cache.local").unwrap();
        assert_eq!(root.to_string(), "http://cache.local:80");
        assert!(root.is_http());
    }

    #[test]
    fn parses_ipv6_hosts() {
        let e = Endpoint::parse("grpc://[::1]:9000").unwrap();
        assert_eq!(e.authority(), "[::1]:9000");
    }

    #[test]
    fn refuses_what_it_does_not_understand() {
        for url in [
            "127.0.0.1:50071",
            "ftp://host:1",
            "grpc://host",
            "grpc://host:0",
            "grpc://host:99999",
            "grpc://host:1/instance",
            "grpc://:1",
            "http://u@host/x",
            "https://host/x",
        ] {
            assert!(
                matches!(Endpoint::parse(url), Err(Error::BadUrl { .. })),
                "{url}"
            );
        }
    }
}
