//! The lab CA: created once and reloaded, handshakes with a client that trusts only
//! `ca.pem` (rustls over an in-memory pipe, then curl and Python's `ssl` over TCP).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, duplex};
use tokio::net::TcpListener;
use tokio_rustls::{TlsAcceptor, TlsConnector};
use vpclab_dataplane::tls::{LocalCa, TlsError};

fn new_ca() -> (tempfile::TempDir, LocalCa) {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = LocalCa::load_or_create(dir.path()).expect("CA");
    (dir, ca)
}

/// A client that trusts only the certificates in `pem` and offers h2 and http/1.1.
fn client_trusting(pem: &Path) -> TlsConnector {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(pem).expect("pem file") {
        roots.add(cert.expect("certificate")).expect("root");
    }
    let mut config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    TlsConnector::from(Arc::new(config))
}

fn without_sni(connector: TlsConnector) -> TlsConnector {
    let mut config = (*connector.config().clone()).clone();
    config.enable_sni = false;
    TlsConnector::from(Arc::new(config))
}

fn name(s: &str) -> ServerName<'static> {
    ServerName::try_from(s.to_owned()).expect("server name")
}

/// The server side of an exchange: reads "ping", answers "pong".
async fn serve_pong<IO: AsyncRead + AsyncWrite + Unpin>(mut tls: IO) -> std::io::Result<()> {
    let mut buf = [0u8; 4];
    tls.read_exact(&mut buf).await?;
    assert_eq!(&buf, b"ping");
    tls.write_all(b"pong").await?;
    tls.shutdown().await
}

/// Connects `connector` to `acceptor` over an in-memory pipe as `server_name`, exchanges
/// bytes, and returns the ALPN protocol the client negotiated.
async fn exchange(
    acceptor: TlsAcceptor,
    connector: &TlsConnector,
    server_name: ServerName<'static>,
) -> Result<Option<Vec<u8>>, std::io::Error> {
    let (client_io, server_io) = duplex(16 * 1024);
    let server = tokio::spawn(async move {
        let tls = acceptor.accept(server_io).await?;
        serve_pong(tls).await
    });
    let client = async {
        let mut tls = connector.connect(server_name, client_io).await?;
        tls.write_all(b"ping").await?;
        let mut buf = Vec::new();
        tls.read_to_end(&mut buf).await?;
        assert_eq!(buf, b"pong");
        Ok(tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec))
    };
    let result = client.await;
    // A failed client leaves the server with a failed handshake; only its success matters
    // when the client succeeded.
    let served = server.await.expect("server task");
    if result.is_ok() {
        served?;
    }
    result
}

#[test]
fn load_or_create_creates_the_ca_once_then_reloads_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = LocalCa::load_or_create(dir.path()).expect("create");
    let cert = std::fs::read_to_string(dir.path().join("ca.pem")).expect("ca.pem");
    let key = std::fs::read(dir.path().join("ca-key.pem")).expect("ca-key.pem");
    assert!(cert.starts_with("-----BEGIN CERTIFICATE-----"), "{cert}");
    assert_eq!(first.ca_pem(), cert);
    assert_eq!(first.ca_pem_path(), dir.path().join("ca.pem"));
    assert_eq!(first.bundle_path(), dir.path().join("ca-bundle.pem"));
    assert_eq!(
        std::fs::read_to_string(first.bundle_path()).expect("bundle"),
        cert
    );

    let second = LocalCa::load_or_create(dir.path()).expect("reload");
    assert_eq!(second.ca_pem(), cert, "same CA after a restart");
    assert_eq!(
        std::fs::read(dir.path().join("ca-key.pem")).expect("key"),
        key
    );
    // No temporary files left behind.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["ca-bundle.pem", "ca-key.pem", "ca.lock", "ca.pem"]);
}

#[tokio::test]
async fn a_reloaded_ca_signs_leaves_that_clients_of_the_first_one_trust() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = LocalCa::load_or_create(dir.path()).expect("create");
    let connector = client_trusting(first.ca_pem_path());
    drop(first);
    let second = LocalCa::load_or_create(dir.path()).expect("reload");
    let acceptor = TlsAcceptor::from(second.server_config());
    exchange(acceptor, &connector, name("s3.us-east-1.amazonaws.com"))
        .await
        .expect("handshake");
}

#[test]
fn the_key_file_is_private_and_kept_private() {
    let (dir, _ca) = new_ca();
    let key = dir.path().join("ca-key.pem");
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&key), 0o600);
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    LocalCa::load_or_create(dir.path()).expect("reload");
    assert_eq!(mode(&key), 0o600);
}

#[tokio::test]
async fn a_client_trusting_only_ca_pem_reaches_aws_service_names() {
    let (_dir, ca) = new_ca();
    let connector = client_trusting(ca.ca_pem_path());
    for host in [
        "s3.us-east-1.amazonaws.com",
        "mybucket.s3.us-west-2.amazonaws.com",
        // A bucket with dots: the exact name is in the SAN, no wildcard needed.
        "my.bucket.s3.us-east-1.amazonaws.com",
        "sts.us-east-1.amazonaws.com",
        // Longer than a common name may be (64): the name lives in the SAN only.
        "a-bucket-name-of-sixty-three-characters-which-is-the-s3-maximum.s3.eu-central-1.amazonaws.com",
    ] {
        let alpn = exchange(
            TlsAcceptor::from(ca.server_config()),
            &connector,
            name(host),
        )
        .await
        .unwrap_or_else(|e| panic!("{host}: {e}"));
        assert_eq!(alpn.as_deref(), Some(&b"http/1.1"[..]), "{host}");
    }
}

#[tokio::test]
async fn the_bundle_is_a_trust_store_too() {
    let (_dir, ca) = new_ca();
    let connector = client_trusting(ca.bundle_path());
    exchange(
        TlsAcceptor::from(ca.server_config()),
        &connector,
        name("s3.amazonaws.com"),
    )
    .await
    .expect("handshake");
}

#[tokio::test]
async fn a_client_expecting_another_name_fails_verification() {
    let (_dir, ca) = new_ca();
    // No SNI, so the server presents its fallback, which is not what the client expects.
    let connector = without_sni(client_trusting(ca.ca_pem_path()));
    let err = exchange(
        ca.acceptor_for("s3.us-east-1.amazonaws.com"),
        &connector,
        name("sts.us-east-1.amazonaws.com"),
    )
    .await
    .expect_err("wrong name");
    assert!(err.to_string().contains("not valid for name"), "{err}");

    let connector = client_trusting(ca.ca_pem_path());
    let err = exchange(
        ca.acceptor_for("10.0.1.5"),
        &connector,
        ServerName::IpAddress(IpAddr::V4(Ipv4Addr::new(10, 0, 1, 9)).into()),
    )
    .await
    .expect_err("wrong address");
    assert!(err.to_string().contains("not valid for name"), "{err}");
}

#[tokio::test]
async fn a_client_trusting_another_ca_fails_verification() {
    let (_dir, ca) = new_ca();
    let (_other_dir, other) = new_ca();
    let connector = client_trusting(other.ca_pem_path());
    let err = exchange(
        TlsAcceptor::from(ca.server_config()),
        &connector,
        name("s3.us-east-1.amazonaws.com"),
    )
    .await
    .expect_err("unknown issuer");
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");
}

#[tokio::test]
async fn a_client_without_sni_gets_a_certificate_for_the_address_it_dialed() {
    let (_dir, ca) = new_ca();
    let connector = client_trusting(ca.ca_pem_path());
    // rustls sends no SNI for an IP address.
    exchange(
        ca.acceptor_for("10.0.1.5"),
        &connector,
        ServerName::IpAddress(IpAddr::V4(Ipv4Addr::new(10, 0, 1, 5)).into()),
    )
    .await
    .expect("IPv4 fallback");
    exchange(
        ca.acceptor_for("[fd00::5]"),
        &connector,
        ServerName::IpAddress(IpAddr::V6("fd00::5".parse::<Ipv6Addr>().expect("v6")).into()),
    )
    .await
    .expect("IPv6 fallback in URL form");
    // A host name as the fallback serves a client that sends no SNI on purpose.
    exchange(
        ca.acceptor_for("s3.us-east-1.amazonaws.com"),
        &without_sni(connector),
        name("s3.us-east-1.amazonaws.com"),
    )
    .await
    .expect("host name fallback");
}

#[tokio::test]
async fn the_shared_config_refuses_a_client_without_sni() {
    let (_dir, ca) = new_ca();
    let connector = client_trusting(ca.ca_pem_path());
    exchange(
        TlsAcceptor::from(ca.server_config()),
        &connector,
        ServerName::IpAddress(IpAddr::V4(Ipv4Addr::new(10, 0, 1, 5)).into()),
    )
    .await
    .expect_err("no certificate without SNI");
}

/// Runs `LocalCa::accept` against a client and returns the name it reports.
async fn accept_as(
    ca: &LocalCa,
    fallback: &str,
    connector: &TlsConnector,
    server_name: ServerName<'static>,
) -> String {
    let (client_io, server_io) = duplex(16 * 1024);
    let client = async {
        let mut tls = connector
            .connect(server_name, client_io)
            .await
            .expect("client handshake");
        tls.write_all(b"ping").await.expect("write");
        let mut buf = Vec::new();
        tls.read_to_end(&mut buf).await.expect("read");
        assert_eq!(buf, b"pong");
    };
    let server = async {
        let (tls, name) = ca.accept(server_io, fallback).await.expect("accept");
        serve_pong(tls).await.expect("serve");
        name
    };
    let ((), name) = tokio::join!(client, server);
    name
}

#[tokio::test]
async fn accept_reports_the_name_the_client_meant() {
    let (_dir, ca) = new_ca();
    let connector = client_trusting(ca.ca_pem_path());
    let sni = accept_as(
        &ca,
        "52.216.0.1",
        &connector,
        name("mybucket.s3.us-west-2.amazonaws.com"),
    )
    .await;
    assert_eq!(sni, "mybucket.s3.us-west-2.amazonaws.com");
    let ip = accept_as(
        &ca,
        "[fd00::5]",
        &connector,
        ServerName::IpAddress(IpAddr::V6("fd00::5".parse::<Ipv6Addr>().expect("v6")).into()),
    )
    .await;
    assert_eq!(ip, "fd00::5");
}

#[tokio::test]
async fn accept_refuses_a_fallback_that_is_no_name() {
    let (_dir, ca) = new_ca();
    let connector = client_trusting(ca.ca_pem_path());
    let (client_io, server_io) = duplex(16 * 1024);
    let client = tokio::spawn(async move {
        connector
            .connect(
                ServerName::IpAddress(IpAddr::V4(Ipv4Addr::new(10, 0, 1, 5)).into()),
                client_io,
            )
            .await
            .map(|_| ())
    });
    let err = ca
        .accept(server_io, "not a host")
        .await
        .expect_err("invalid fallback");
    assert!(matches!(err, TlsError::InvalidName { .. }), "{err}");
    client
        .await
        .expect("client task")
        .expect_err("no handshake");
}

#[test]
fn a_key_that_does_not_belong_to_the_certificate_is_refused() {
    let (dir, _ca) = new_ca();
    let (other, _other_ca) = new_ca();
    std::fs::copy(
        other.path().join("ca-key.pem"),
        dir.path().join("ca-key.pem"),
    )
    .expect("copy key");
    let err = LocalCa::load_or_create(dir.path()).expect_err("mismatch");
    assert!(matches!(err, TlsError::Unusable { .. }), "{err}");
    assert!(
        err.to_string().contains("delete ca.pem and ca-key.pem"),
        "{err}"
    );
}

#[test]
fn a_certificate_without_its_key_is_refused_and_a_key_alone_is_replaced() {
    let (dir, ca) = new_ca();
    let pem = ca.ca_pem().to_owned();
    std::fs::remove_file(dir.path().join("ca-key.pem")).expect("rm key");
    let err = LocalCa::load_or_create(dir.path()).expect_err("no key");
    assert!(matches!(err, TlsError::KeyMissing { .. }), "{err}");

    // A key without a certificate: creation was cut short; a new CA is made.
    std::fs::remove_file(dir.path().join("ca.pem")).expect("rm cert");
    std::fs::write(dir.path().join("ca-key.pem"), "stale").expect("key");
    let fresh = LocalCa::load_or_create(dir.path()).expect("recreate");
    assert_ne!(fresh.ca_pem(), pem);
}

#[test]
fn a_file_that_is_not_pem_is_named_in_the_error() {
    let (dir, _ca) = new_ca();
    std::fs::write(dir.path().join("ca-key.pem"), "garbage").expect("write");
    let err = LocalCa::load_or_create(dir.path()).expect_err("bad key");
    assert!(err.to_string().contains("ca-key.pem"), "{err}");
}

/// A TLS HTTP/1.1 server on 127.0.0.1 that answers every request with `hello`.
async fn https_server(ca: LocalCa) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let ca = ca.clone();
            tokio::spawn(async move {
                let Ok((mut tls, _name)) = ca.accept(tcp, "127.0.0.1").await else {
                    return;
                };
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let response =
                    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
                let _ = tls.write_all(response).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

fn tool_present(tool: &str) -> bool {
    let present = Command::new(tool).arg("--version").output().is_ok();
    if !present {
        eprintln!("note: `{tool}` not found; skipping its check");
    }
    present
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_trusts_the_lab_ca_and_refuses_another() {
    if !tool_present("curl") {
        return;
    }
    let (_dir, ca) = new_ca();
    let (_other_dir, other) = new_ca();
    let port = https_server(ca.clone()).await;
    let curl = move |cacert: &Path| {
        let cacert = cacert.to_path_buf();
        tokio::task::spawn_blocking(move || {
            Command::new("curl")
                .args(["-sS", "--noproxy", "*", "--max-time", "20", "--cacert"])
                .arg(&cacert)
                .arg("--resolve")
                .arg(format!("s3.us-east-1.amazonaws.com:{port}:127.0.0.1"))
                .arg(format!("https://s3.us-east-1.amazonaws.com:{port}/"))
                .output()
                .expect("run curl")
        })
    };
    let ok = curl(ca.ca_pem_path()).await.expect("curl task");
    assert!(
        ok.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(ok.stdout, b"hello");

    let refused = curl(other.ca_pem_path()).await.expect("curl task");
    // 60: the peer's certificate cannot be authenticated with the given CA certificates.
    assert_eq!(
        refused.status.code(),
        Some(60),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_ssl_trusts_the_lab_ca_even_in_strict_mode() {
    if !tool_present("python3") {
        return;
    }
    let (_dir, ca) = new_ca();
    let port = https_server(ca.clone()).await;
    // Strict X.509 checking is Python 3.13's default; this machine may run an older one.
    let script = r#"
import socket, ssl, sys
cafile, port, host, strict = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "strict"
ctx = ssl.create_default_context(cafile=cafile)
if strict:
    ctx.verify_flags |= ssl.VERIFY_X509_STRICT
ctx.set_alpn_protocols(["h2", "http/1.1"])
with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
    with ctx.wrap_socket(sock, server_hostname=host) as tls:
        assert tls.selected_alpn_protocol() == "http/1.1", tls.selected_alpn_protocol()
        tls.sendall(b"GET / HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = tls.recv(4096)
            if not chunk:
                break
            data += chunk
print(data.split(b"\r\n\r\n", 1)[1].decode())
"#;
    for (host, mode) in [
        ("s3.us-east-1.amazonaws.com", "default"),
        ("mybucket.s3.us-west-2.amazonaws.com", "strict"),
        ("my.bucket.s3.us-east-1.amazonaws.com", "strict"),
    ] {
        let cafile = ca.ca_pem_path().to_path_buf();
        let script = script.to_owned();
        let out = tokio::task::spawn_blocking(move || {
            Command::new("python3")
                .arg("-c")
                .arg(script)
                .arg(cafile)
                .arg(port.to_string())
                .arg(host)
                .arg(mode)
                .output()
                .expect("run python3")
        })
        .await
        .expect("python task");
        assert!(
            out.status.success(),
            "{host} ({mode}): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "hello");
    }
}
