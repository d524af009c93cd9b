//! What TLS termination with the lab CA costs: minting a leaf (ECDSA P-256 key and
//! signature), a full handshake with a cached leaf, a first handshake that mints, and the
//! per-connection configuration of a client without SNI.
//!
//! Run with `cargo bench -p vpclab-dataplane --bench tls`; it prints p50/p99/mean.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt, duplex};
use tokio_rustls::{TlsAcceptor, TlsConnector};
use vpclab_dataplane::tls::LocalCa;

const MINTS: usize = 2_000;
const HANDSHAKES: usize = 1_000;

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "{what:<48} n={:<5} p50={:>8.1?} p99={:>8.1?} mean={:>8.1?}",
        samples.len(),
        at(0.5),
        at(0.99),
        mean
    );
}

fn connector(ca: &LocalCa) -> TlsConnector {
    let mut roots = RootCertStore::empty();
    roots.add(ca.ca_der().clone()).expect("root");
    let mut config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    // Every handshake full: no resumption from the client's side.
    config.resumption = rustls::client::Resumption::disabled();
    TlsConnector::from(Arc::new(config))
}

/// One handshake (client and server CPU both count: they share this thread) and one byte
/// each way.
async fn handshake(acceptor: TlsAcceptor, connector: &TlsConnector, host: String) {
    let (client_io, server_io) = duplex(64 * 1024);
    let server = async move {
        let mut tls = acceptor.accept(server_io).await.expect("accept");
        let mut b = [0u8; 1];
        tls.read_exact(&mut b).await.expect("read");
        tls.write_all(&b).await.expect("write");
        tls.flush().await.expect("flush");
    };
    let client = async {
        let name = ServerName::try_from(host).expect("name");
        let mut tls = connector.connect(name, client_io).await.expect("connect");
        tls.write_all(b"x").await.expect("write");
        let mut b = [0u8; 1];
        tls.read_exact(&mut b).await.expect("read");
    };
    tokio::join!(server, client);
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let ca = LocalCa::load_or_create(dir.path()).expect("create CA");
    println!(
        "create the CA (key, certificate, files, self-check): {:.1?}",
        started.elapsed()
    );
    let started = Instant::now();
    let ca = LocalCa::load_or_create(dir.path())
        .map(|_| ca)
        .expect("load CA");
    println!("load the CA (files, self-check): {:.1?}", started.elapsed());

    let mints = (0..MINTS)
        .map(|i| {
            let name = format!("bucket-{i}.s3.us-east-1.amazonaws.com");
            let t = Instant::now();
            black_box(ca.mint(&name).expect("mint"));
            t.elapsed()
        })
        .collect();
    report("mint a leaf (P-256 key + signature)", mints);

    let cached = (0..MINTS)
        .map(|_| {
            let t = Instant::now();
            black_box(ca.leaf("s3.us-east-1.amazonaws.com").expect("leaf"));
            t.elapsed()
        })
        .collect();
    report("look up a cached leaf", cached);

    let configs = (0..MINTS)
        .map(|_| {
            let t = Instant::now();
            black_box(ca.acceptor_for("10.0.1.5"));
            t.elapsed()
        })
        .collect();
    report("acceptor_for (config for a client without SNI)", configs);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let connector = connector(&ca);
    let acceptor = TlsAcceptor::from(ca.server_config());
    runtime.block_on(async {
        // Warm the cache for the name used below.
        handshake(
            acceptor.clone(),
            &connector,
            "s3.us-east-1.amazonaws.com".into(),
        )
        .await;
        let mut warm = Vec::with_capacity(HANDSHAKES);
        for _ in 0..HANDSHAKES {
            let t = Instant::now();
            handshake(
                acceptor.clone(),
                &connector,
                "s3.us-east-1.amazonaws.com".into(),
            )
            .await;
            warm.push(t.elapsed());
        }
        report("full TLS 1.3 handshake, cached leaf", warm);

        let mut first = Vec::with_capacity(HANDSHAKES);
        for i in 0..HANDSHAKES {
            let host = format!("new-{i}.s3.us-west-2.amazonaws.com");
            let t = Instant::now();
            handshake(acceptor.clone(), &connector, host).await;
            first.push(t.elapsed());
        }
        report("first handshake for a name (mints)", first);
    });
}
