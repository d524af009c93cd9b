//! TLS termination with the lab's own certificate authority.
//!
//! The lab has no real internet: every TLS connection a program in the lab makes to an
//! AWS service name (`s3.us-east-1.amazonaws.com`, `<bucket>.s3.<region>.amazonaws.com`,
//! `sts.<region>.amazonaws.com`, …) is terminated here, with a leaf certificate for
//! exactly that name signed by a CA kept in the data directory. `vpclab exec` points
//! `AWS_CA_BUNDLE`, `SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE` at
//! [`LocalCa::bundle_path`], so unmodified clients (`aws`, boto3, curl) trust it.
//!
//! The CA is created once and reloaded on later starts, so a client that trusted it keeps
//! trusting it. Leaf certificates (ECDSA P-256) are minted on first use per name and kept
//! in a bounded cache.

use std::collections::{HashMap, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::net::IpAddr;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, SanType,
};
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{RootCertStore, ServerConfig};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::server::TlsStream;
use tokio_rustls::{LazyConfigAcceptor, TlsAcceptor};

/// File name of the CA certificate (PEM) in the CA directory.
pub const CA_CERT_FILE: &str = "ca.pem";
/// File name of the CA private key (PKCS#8 PEM, mode 0600) in the CA directory.
pub const CA_KEY_FILE: &str = "ca-key.pem";
/// File name of the trust bundle handed to exec'd programs (the lab CA only).
pub const CA_BUNDLE_FILE: &str = "ca-bundle.pem";
const LOCK_FILE: &str = "ca.lock";

/// The CA's subject common name.
pub const CA_COMMON_NAME: &str = "vpclab local CA";
/// How many leaf certificates are kept; past it the oldest minted is dropped.
pub const LEAF_CACHE_CAPACITY: usize = 10_000;
/// The one application protocol offered: the lab's services speak HTTP/1.1 (hyper).
pub const ALPN_HTTP_1_1: &[u8] = b"http/1.1";

const CA_VALIDITY_DAYS: i64 = 3650;
// 397 days is the longest validity browsers and Apple accept for a leaf.
const LEAF_VALIDITY_DAYS: i64 = 397;
// A cached leaf is minted again well before it expires (a server may run for months).
const LEAF_RENEW_AFTER_DAYS: i64 = 300;
// Clocks in the lab and the client's may differ slightly.
const BACKDATE_DAYS: i64 = 1;
// X.509 upper bound for a common name; longer names (long bucket names) live in the SAN only.
const MAX_COMMON_NAME_LEN: usize = 64;
// A name that only the self-check at load time ever mints.
const SELF_CHECK_NAME: &str = "self-check.vpclab.invalid";

/// What can go wrong creating, loading or using the lab CA.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Reading or writing a file of the CA failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A CA file is not what it should be (not PEM, wrong key type, …).
    #[error("{}: {reason}; delete {CA_CERT_FILE} and {CA_KEY_FILE} in that directory to create a new lab CA (clients must then trust the new one)", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The CA certificate exists but its key does not.
    #[error("{} exists but its key {} is missing; delete {CA_CERT_FILE} to create a new lab CA (clients must then trust the new one)", cert.display(), key.display())]
    KeyMissing {
        /// The CA certificate.
        cert: PathBuf,
        /// The missing key.
        key: PathBuf,
    },
    /// The stored certificate and key do not make a working CA (they do not belong together,
    /// or the certificate expired): a leaf it signs does not verify against it.
    #[error("the lab CA in {} is unusable: a certificate it signs does not verify ({reason}); delete {CA_CERT_FILE} and {CA_KEY_FILE} there to create a new one (clients must then trust the new one)", dir.display())]
    Unusable {
        /// The CA directory.
        dir: PathBuf,
        /// Why verification failed.
        reason: String,
    },
    /// A certificate was asked for a name that is neither a DNS name nor an IP address.
    #[error("cannot certify {name:?}: not a DNS name or an IP address")]
    InvalidName {
        /// The name asked for.
        name: String,
    },
    /// A certificate could not be generated.
    #[error("cannot mint a certificate for {name:?}: {source}")]
    Mint {
        /// The name asked for.
        name: String,
        /// The generator's error.
        source: rcgen::Error,
    },
    /// rustls refused a key or configuration.
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
    /// The client's handshake failed (not TLS, no common protocol, closed, …).
    #[error("TLS handshake: {0}")]
    Handshake(io::Error),
}

/// The lab's certificate authority: mints and caches a leaf certificate per server name.
///
/// Cheap to clone (the CA and its cache are shared).
#[derive(Clone)]
pub struct LocalCa {
    inner: Arc<Inner>,
    // Presents the leaf for the SNI name; per-connection configs are clones of it with
    // another resolver (a clone shares its session store and provider).
    sni_config: Arc<ServerConfig>,
}

struct Inner {
    dir: PathBuf,
    ca_pem_path: PathBuf,
    bundle_path: PathBuf,
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
    provider: Arc<CryptoProvider>,
    leaves: Mutex<LeafCache>,
}

impl std::fmt::Debug for LocalCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalCa")
            .field("dir", &self.inner.dir)
            .finish_non_exhaustive()
    }
}

impl LocalCa {
    /// Loads the CA from `dir` (`ca.pem`, `ca-key.pem`), creating it there the first time.
    ///
    /// Creation writes the key (mode 0600) then the certificate, each durably (temporary
    /// file, fsync, rename, directory fsync); concurrent starts are serialized by a lock
    /// file. Also (re)writes `ca-bundle.pem` when it is missing or stale. A loaded CA is
    /// checked by signing and verifying a leaf, so a key that does not belong to the
    /// certificate, or an expired CA, is reported here rather than at a client.
    ///
    /// Blocking file I/O: call it at startup or from `spawn_blocking`.
    pub fn load_or_create(dir: &Path) -> Result<LocalCa, TlsError> {
        fs::create_dir_all(dir).map_err(io_at(dir))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&lock_path)
            .map_err(io_at(&lock_path))?;
        lock.lock().map_err(io_at(&lock_path))?;

        let cert_path = dir.join(CA_CERT_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        let (ca_pem, key) = match (exists(&cert_path)?, exists(&key_path)?) {
            (true, true) => load(&cert_path, &key_path)?,
            (true, false) => {
                return Err(TlsError::KeyMissing {
                    cert: cert_path,
                    key: key_path,
                });
            }
            // A key without a certificate is a creation cut short before the certificate
            // was written: no client can have trusted it, so start over.
            (false, _) => create(dir, &cert_path, &key_path)?,
        };
        let ca_der =
            CertificateDer::from_pem_slice(ca_pem.as_bytes()).map_err(|e| TlsError::BadFile {
                path: cert_path.clone(),
                reason: format!("not a PEM certificate ({e})"),
            })?;

        let bundle_path = dir.join(CA_BUNDLE_FILE);
        if fs::read_to_string(&bundle_path).ok().as_deref() != Some(ca_pem.as_str()) {
            write_durable(&bundle_path, ca_pem.as_bytes(), 0o644)?;
            sync_dir(dir)?;
        }
        drop(lock);

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let inner = Arc::new(Inner {
            dir: dir.to_path_buf(),
            ca_pem_path: cert_path,
            bundle_path,
            ca_pem,
            ca_der,
            issuer: Issuer::new(ca_params(&key), key),
            provider: provider.clone(),
            leaves: Mutex::new(LeafCache::with_capacity(LEAF_CACHE_CAPACITY)),
        });
        let mut sni_config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(LeafResolver {
                ca: inner.clone(),
                fallback: None,
            }));
        sni_config.alpn_protocols = vec![ALPN_HTTP_1_1.to_vec()];
        let ca = LocalCa {
            inner,
            sni_config: Arc::new(sni_config),
        };
        ca.self_check()?;
        Ok(ca)
    }

    /// The CA certificate (PEM), `dir/ca.pem`.
    pub fn ca_pem_path(&self) -> &Path {
        &self.inner.ca_pem_path
    }

    /// The trust bundle for exec'd programs (`AWS_CA_BUNDLE`, `SSL_CERT_FILE`,
    /// `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`), `dir/ca-bundle.pem`: the lab CA only, since
    /// every TLS connection in the lab is terminated by the lab.
    pub fn bundle_path(&self) -> &Path {
        &self.inner.bundle_path
    }

    /// The CA certificate as PEM text.
    pub fn ca_pem(&self) -> &str {
        &self.inner.ca_pem
    }

    /// The CA certificate as DER (for a client's root store).
    pub fn ca_der(&self) -> &CertificateDer<'static> {
        &self.inner.ca_der
    }

    /// A server configuration that presents, for each SNI name, a leaf for that name
    /// (minted on first use, then cached), offering ALPN `http/1.1`. A client that sends
    /// no SNI is refused; use [`LocalCa::acceptor_for`] or [`LocalCa::accept`] to serve it.
    pub fn server_config(&self) -> Arc<ServerConfig> {
        self.sni_config.clone()
    }

    /// An acceptor that presents a leaf for the client's SNI name, or, when the client
    /// sent none (it connected to an address), for `fallback_name`: the host name or IP
    /// address the proxy knows the client asked for (`10.0.0.5`, `[::1]` or a name).
    ///
    /// Clones a small configuration per call; [`LocalCa::accept`] clones only for a
    /// client without SNI.
    pub fn acceptor_for(&self, fallback_name: &str) -> TlsAcceptor {
        TlsAcceptor::from(self.config_with(Arc::new(LeafResolver {
            ca: self.inner.clone(),
            fallback: Some(unbracket(fallback_name).to_owned()),
        })))
    }

    /// Terminates TLS on `io`: reads the ClientHello, presents a leaf for its SNI name (or
    /// for `fallback_name` when it has none, as in [`LocalCa::acceptor_for`]) and completes
    /// the handshake. Returns the stream and the name the certificate was for, which is the
    /// host the client means (for S3, the bucket of a virtual-hosted request).
    ///
    /// The lab certifies whatever name the client sends: compare the returned name with
    /// the destination the proxy decided on if they must agree. A first connection for a
    /// name mints its leaf on the calling thread (about 0.1 ms). No timeout of its own:
    /// wrap it in one.
    pub async fn accept<IO>(
        &self,
        io: IO,
        fallback_name: &str,
    ) -> Result<(TlsStream<IO>, String), TlsError>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
    {
        let start = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), io)
            .await
            .map_err(TlsError::Handshake)?;
        let sni = start.client_hello().server_name().map(str::to_owned);
        // Minted before the handshake so that a name that cannot be certified is reported
        // as such, not as a bare handshake failure.
        let (name, config) = match sni {
            Some(name) => {
                self.leaf(&name)?;
                (name, self.server_config())
            }
            None => {
                let name = unbracket(fallback_name).to_owned();
                let leaf = self.leaf(&name)?;
                (name, self.config_with(Arc::new(FixedLeaf(leaf))))
            }
        };
        let stream = start
            .into_stream(config)
            .await
            .map_err(TlsError::Handshake)?;
        Ok((stream, name))
    }

    /// The leaf certificate and key for `name` (a DNS name or an IP address), minted and
    /// cached on first use.
    pub fn leaf(&self, name: &str) -> Result<Arc<CertifiedKey>, TlsError> {
        self.inner.leaf(name)
    }

    /// Mints a fresh leaf for `name`, bypassing the cache (for benchmarks).
    pub fn mint(&self, name: &str) -> Result<Arc<CertifiedKey>, TlsError> {
        self.inner.mint(name).map(|leaf| leaf.key)
    }

    fn config_with(&self, resolver: Arc<dyn ResolvesServerCert>) -> Arc<ServerConfig> {
        let mut config = (*self.sni_config).clone();
        config.cert_resolver = resolver;
        Arc::new(config)
    }

    /// Signs a leaf and verifies it against the stored certificate, as a client would.
    fn self_check(&self) -> Result<(), TlsError> {
        let leaf = self.inner.mint(SELF_CHECK_NAME)?;
        let unusable = |reason: String| TlsError::Unusable {
            dir: self.inner.dir.clone(),
            reason,
        };
        let mut roots = RootCertStore::empty();
        roots
            .add(self.inner.ca_der.clone())
            .map_err(|e| unusable(e.to_string()))?;
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            self.inner.provider.clone(),
        )
        .build()
        .map_err(|e| unusable(e.to_string()))?;
        let name = ServerName::try_from(SELF_CHECK_NAME).map_err(|e| unusable(e.to_string()))?;
        let end_entity = leaf.key.end_entity_cert().map_err(TlsError::Config)?;
        verifier
            .verify_server_cert(end_entity, &[], &name, &[], UnixTime::now())
            .map_err(|e| unusable(e.to_string()))?;
        Ok(())
    }
}

impl Inner {
    fn leaf(&self, name: &str) -> Result<Arc<CertifiedKey>, TlsError> {
        let name = unbracket(name);
        let now = SystemTime::now();
        if let Some(key) = self.cache().get(name, now) {
            return Ok(key);
        }
        // Minted outside the lock: other handshakes go on meanwhile. Two handshakes for
        // the same new name may both mint; the first inserted wins.
        let leaf = self.mint(name)?;
        Ok(self.cache().insert(name, leaf, now))
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, LeafCache> {
        self.leaves.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn mint(&self, name: &str) -> Result<Leaf, TlsError> {
        let mint_err = |source| TlsError::Mint {
            name: name.to_owned(),
            source,
        };
        let mut params = CertificateParams::default();
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::days(BACKDATE_DAYS);
        params.not_after = now + time::Duration::days(LEAF_VALIDITY_DAYS);
        params.subject_alt_names = vec![match ServerName::try_from(name) {
            Ok(ServerName::IpAddress(ip)) => SanType::IpAddress(IpAddr::from(ip)),
            Ok(ServerName::DnsName(_)) => SanType::DnsName(name.try_into().map_err(mint_err)?),
            Ok(_) | Err(_) => {
                return Err(TlsError::InvalidName {
                    name: name.to_owned(),
                });
            }
        }];
        let mut dn = DistinguishedName::new();
        if name.len() <= MAX_COMMON_NAME_LEN {
            dn.push(DnType::CommonName, name);
        } else {
            dn.push(DnType::CommonName, "vpclab lab service");
        }
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        // OpenSSL's strict mode (Python 3.13's default) wants the authority key identifier.
        params.use_authority_key_identifier_extension = true;

        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(mint_err)?;
        let cert = params.signed_by(&key, &self.issuer).map_err(mint_err)?;
        let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let signing_key = self.provider.key_provider.load_private_key(der)?;
        Ok(Leaf {
            key: Arc::new(CertifiedKey::new(vec![cert.der().clone()], signing_key)),
            renew_at: SystemTime::from(now + time::Duration::days(LEAF_RENEW_AFTER_DAYS)),
        })
    }
}

/// One minted leaf and when to mint it again.
struct Leaf {
    key: Arc<CertifiedKey>,
    renew_at: SystemTime,
}

/// Leaves by name, bounded; the oldest minted name is dropped first.
struct LeafCache {
    by_name: HashMap<String, Leaf>,
    order: VecDeque<String>,
    capacity: usize,
}

impl LeafCache {
    fn with_capacity(capacity: usize) -> Self {
        LeafCache {
            by_name: HashMap::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    fn get(&self, name: &str, now: SystemTime) -> Option<Arc<CertifiedKey>> {
        self.by_name
            .get(name)
            .filter(|leaf| now < leaf.renew_at)
            .map(|leaf| leaf.key.clone())
    }

    fn insert(&mut self, name: &str, leaf: Leaf, now: SystemTime) -> Arc<CertifiedKey> {
        if let Some(current) = self.get(name, now) {
            return current;
        }
        let key = leaf.key.clone();
        // A renewed name keeps its place in `order`.
        if self.by_name.insert(name.to_owned(), leaf).is_none() {
            self.order.push_back(name.to_owned());
            while self.order.len() > self.capacity {
                if let Some(oldest) = self.order.pop_front() {
                    self.by_name.remove(&oldest);
                }
            }
        }
        key
    }
}

/// Presents a leaf for the SNI name, or for `fallback` when the client sent none.
struct LeafResolver {
    ca: Arc<Inner>,
    fallback: Option<String>,
}

impl std::fmt::Debug for LeafResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeafResolver")
            .field("fallback", &self.fallback)
            .finish_non_exhaustive()
    }
}

impl ResolvesServerCert for LeafResolver {
    fn resolve(&self, client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let name = client_hello.server_name().or(self.fallback.as_deref())?;
        // None aborts the handshake; `LocalCa::accept` reports mint errors itself.
        self.ca.leaf(name).ok()
    }
}

/// Presents one leaf whatever the client asks (a client without SNI).
#[derive(Debug)]
struct FixedLeaf(Arc<CertifiedKey>);

impl ResolvesServerCert for FixedLeaf {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// The CA's parameters. Loading rebuilds the issuer from these and the stored key
/// (subject, key identifier method, key usages), so they must not change once CAs exist on
/// disk; the self-check at load catches a mismatch.
///
/// The subject carries the start of the key's identifier, so that two labs' CAs (two data
/// directories) have different names and a client told to trust one rejects the other's
/// leaves as from an unknown issuer.
fn ca_params(key: &KeyPair) -> CertificateParams {
    let mut params = CertificateParams::default();
    let id: String = params
        .key_identifier(key)
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, CA_COMMON_NAME);
    dn.push(DnType::OrganizationName, "vpclab");
    dn.push(DnType::OrganizationalUnitName, format!("lab {id}"));
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

fn create(dir: &Path, cert_path: &Path, key_path: &Path) -> Result<(String, KeyPair), TlsError> {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(|source| TlsError::Mint {
        name: CA_COMMON_NAME.to_owned(),
        source,
    })?;
    let mut params = ca_params(&key);
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(BACKDATE_DAYS);
    params.not_after = now + time::Duration::days(CA_VALIDITY_DAYS);
    let cert = params.self_signed(&key).map_err(|source| TlsError::Mint {
        name: CA_COMMON_NAME.to_owned(),
        source,
    })?;
    // Key first: a certificate on disk always has its key beside it.
    write_durable(key_path, key.serialize_pem().as_bytes(), 0o600)?;
    let pem = cert.pem();
    write_durable(cert_path, pem.as_bytes(), 0o644)?;
    sync_dir(dir)?;
    Ok((pem, key))
}

fn load(cert_path: &Path, key_path: &Path) -> Result<(String, KeyPair), TlsError> {
    let pem = fs::read_to_string(cert_path).map_err(io_at(cert_path))?;
    // The key must stay private even if something loosened its mode.
    let mode = fs::metadata(key_path)
        .map_err(io_at(key_path))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        fs::set_permissions(key_path, fs::Permissions::from_mode(0o600))
            .map_err(io_at(key_path))?;
    }
    let key_pem = fs::read_to_string(key_path).map_err(io_at(key_path))?;
    let key = KeyPair::from_pem(&key_pem).map_err(|e| TlsError::BadFile {
        path: key_path.to_path_buf(),
        reason: format!("not a PEM private key ({e})"),
    })?;
    Ok((pem, key))
}

/// Writes `path` so that it holds either its old contents or all of `contents`, even
/// after a crash: a temporary file, fsync, rename. The caller syncs the directory.
fn write_durable(path: &Path, contents: &[u8], mode: u32) -> Result<(), TlsError> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{file_name}.tmp-{}", std::process::id()));
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&tmp)
        .map_err(io_at(&tmp))?;
    // `mode` applies only when the file is new, and is filtered by the umask.
    file.set_permissions(fs::Permissions::from_mode(mode))
        .map_err(io_at(&tmp))?;
    file.write_all(contents).map_err(io_at(&tmp))?;
    file.sync_all().map_err(io_at(&tmp))?;
    drop(file);
    fs::rename(&tmp, path).map_err(io_at(path))
}

fn sync_dir(dir: &Path) -> Result<(), TlsError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_at(dir))
}

fn exists(path: &Path) -> Result<bool, TlsError> {
    path.try_exists().map_err(io_at(path))
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> TlsError + '_ {
    move |source| TlsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `[::1]` → `::1`: a proxy may hand over an IPv6 address in URL form.
fn unbracket(name: &str) -> &str {
    name.strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca() -> (tempfile::TempDir, LocalCa) {
        let dir = tempfile::tempdir().expect("temp dir");
        let ca = LocalCa::load_or_create(dir.path()).expect("CA");
        (dir, ca)
    }

    fn leaf(ca: &LocalCa, name: &str, renew_at: SystemTime) -> Leaf {
        Leaf {
            key: ca.mint(name).expect("mint"),
            renew_at,
        }
    }

    #[test]
    fn the_cache_drops_the_oldest_name_past_its_capacity() {
        let (_dir, ca) = ca();
        let now = SystemTime::now();
        let later = now + std::time::Duration::from_secs(3600);
        let mut cache = LeafCache::with_capacity(2);
        for name in ["a.example", "b.example", "c.example"] {
            cache.insert(name, leaf(&ca, name, later), now);
        }
        assert!(cache.get("a.example", now).is_none());
        assert!(cache.get("b.example", now).is_some());
        assert!(cache.get("c.example", now).is_some());
        assert_eq!(cache.by_name.len(), 2);
        assert_eq!(cache.order.len(), 2);
    }

    #[test]
    fn the_cache_keeps_the_first_leaf_minted_for_a_name() {
        let (_dir, ca) = ca();
        let now = SystemTime::now();
        let later = now + std::time::Duration::from_secs(3600);
        let mut cache = LeafCache::with_capacity(2);
        let first = cache.insert("a.example", leaf(&ca, "a.example", later), now);
        let second = cache.insert("a.example", leaf(&ca, "a.example", later), now);
        assert!(Arc::ptr_eq(&first, &second));
    }

    #[test]
    fn a_leaf_due_for_renewal_is_minted_again_in_place() {
        let (_dir, ca) = ca();
        let now = SystemTime::now();
        let mut cache = LeafCache::with_capacity(2);
        let old = cache.insert("a.example", leaf(&ca, "a.example", now), now);
        assert!(cache.get("a.example", now).is_none(), "due at `now`");
        let later = now + std::time::Duration::from_secs(3600);
        let new = cache.insert("a.example", leaf(&ca, "a.example", later), now);
        assert!(!Arc::ptr_eq(&old, &new));
        assert_eq!(cache.order.len(), 1, "a renewed name keeps its one place");
    }

    #[test]
    fn leaves_are_cached_per_name() {
        let (_dir, ca) = ca();
        let a = ca.leaf("s3.us-east-1.amazonaws.com").expect("leaf");
        let b = ca.leaf("s3.us-east-1.amazonaws.com").expect("leaf");
        let c = ca.leaf("sts.us-east-1.amazonaws.com").expect("leaf");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        // An IPv6 address in URL form and bare are one name.
        let d = ca.leaf("[fd00::1]").expect("leaf");
        let e = ca.leaf("fd00::1").expect("leaf");
        assert!(Arc::ptr_eq(&d, &e));
    }

    #[test]
    fn a_name_that_is_not_a_dns_name_is_refused_with_the_name() {
        let (_dir, ca) = ca();
        let err = ca.leaf("").expect_err("empty name");
        assert!(matches!(err, TlsError::InvalidName { .. }), "{err}");
        let err = ca.leaf("bad name.example").expect_err("space");
        assert!(err.to_string().contains("bad name.example"), "{err}");
    }

    #[test]
    fn unbracket_strips_only_a_pair_of_brackets() {
        assert_eq!(unbracket("[::1]"), "::1");
        assert_eq!(unbracket("::1"), "::1");
        assert_eq!(unbracket("[::1"), "[::1");
        assert_eq!(unbracket("s3.amazonaws.com"), "s3.amazonaws.com");
    }
}
