//! `vpclab demo`: the seed note's walkthrough, run for real. It starts a lab of its own
//! (or drives a running one), builds the note's world through the lab's public APIs as
//! two accounts would, sends real traffic through the data plane as the instances, and
//! narrates each step — what was tried, what happened, and for a refusal the
//! explanation — checking each outcome against what the note says happens.

mod report;
mod steps;

use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use vpclab_api::client::Client;
use vpclab_api::{ServeConfig, Server};
use vpclab_model::AccountId;
use vpclab_store::AccessKey;

use report::{Observed, Outcome, Record, Style};
use steps::{SECTIONS, STEPS, Who, World};

/// The provider's account in the demo's own lab.
const PROVIDER_ACCOUNT: &str = "111111111111";

/// `vpclab demo`'s arguments.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Drive this running lab (http://127.0.0.1:4566) instead of starting one; it must
    /// accept the provider's key (see --provider-access-key-id).
    #[arg(long, conflicts_with = "data_dir")]
    endpoint: Option<String>,
    /// Keep the demo's lab in DIR (for `vpclab serve --data-dir DIR`, `vpclab diagram`,
    /// `vpclab cost`) instead of a temporary directory removed at the end.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The consumer's access key id (the demo's own lab: the default key, account
    /// 000000000000).
    #[arg(long, env = "VPCLAB_DEMO_CONSUMER_ACCESS_KEY_ID", default_value = vpclab_api::server::DEFAULT_ACCESS_KEY, hide_env_values = true)]
    consumer_access_key_id: String,
    /// The consumer's secret access key.
    #[arg(long, env = "VPCLAB_DEMO_CONSUMER_SECRET_ACCESS_KEY", default_value = vpclab_api::server::DEFAULT_SECRET_KEY, hide_env_values = true)]
    consumer_secret_access_key: String,
    /// The provider's access key id: a key of another account (the demo's own lab
    /// accepts it for account 111111111111).
    #[arg(
        long,
        env = "VPCLAB_DEMO_PROVIDER_ACCESS_KEY_ID",
        default_value = "demo-provider",
        hide_env_values = true
    )]
    provider_access_key_id: String,
    /// The provider's secret access key.
    #[arg(
        long,
        env = "VPCLAB_DEMO_PROVIDER_SECRET_ACCESS_KEY",
        default_value = "demo-provider-secret",
        hide_env_values = true
    )]
    provider_secret_access_key: String,
    /// Print one JSON document (the steps, their outcomes and explanations) instead of
    /// the narration.
    #[arg(long)]
    json: bool,
}

/// The lab the demo drives: its own (stopped at the end, so that it saves a snapshot),
/// or a running one.
struct Lab {
    endpoint: String,
    data_dir: Option<PathBuf>,
    /// Kept so that the temporary directory lives as long as the lab.
    _temporary: Option<tempfile::TempDir>,
    stop: Option<(
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<()>,
    )>,
}

impl Lab {
    /// Starts a lab in `data_dir` (or a temporary directory) on a free loopback port,
    /// accepting the consumer's key for 000000000000 and the provider's for
    /// 111111111111.
    async fn start(args: &DemoArgs) -> anyhow::Result<Lab> {
        let (temporary, data_dir) = match &args.data_dir {
            Some(d) => (None, d.clone()),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("vpclab-demo-")
                    .tempdir()
                    .context("cannot create a temporary directory for the demo's lab")?;
                let path = t.path().to_owned();
                (Some(t), path)
            }
        };
        let consumer = AccountId::parse(vpclab_api::server::DEFAULT_ACCOUNT)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let provider = AccountId::parse(PROVIDER_ACCOUNT).map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut keys = vec![AccessKey {
            access_key_id: args.provider_access_key_id.clone(),
            secret_access_key: args.provider_secret_access_key.clone(),
            account_id: provider,
        }];
        if args.consumer_access_key_id != vpclab_api::server::DEFAULT_ACCESS_KEY {
            keys.push(AccessKey {
                access_key_id: args.consumer_access_key_id.clone(),
                secret_access_key: args.consumer_secret_access_key.clone(),
                account_id: consumer.clone(),
            });
        }
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        let config = ServeConfig {
            listen: loopback,
            data_dir: data_dir.clone(),
            database_url: None,
            default_account: consumer,
            keys,
            quotas: Vec::new(),
            socks_listen: loopback,
            http_proxy_listen: loopback,
        };
        let server = Server::bind(&config).await.map_err(|e| {
            anyhow::anyhow!("cannot start the demo's lab in {}: {e}", data_dir.display())
        })?;
        let endpoint = format!("http://{}", server.local_addr);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async {
            let _ = rx.await;
        }));
        Ok(Lab {
            endpoint,
            data_dir: Some(data_dir),
            _temporary: temporary,
            stop: Some((tx, task)),
        })
    }

    /// Stops the demo's own lab (it saves a snapshot as it goes).
    async fn stop(&mut self) {
        if let Some((tx, task)) = self.stop.take() {
            let _ = tx.send(());
            let _ = task.await;
        }
    }
}

/// Runs the demo; exits with status 1 when a step did not turn out as the note says.
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let style = Style::choose(
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let mut lab = match &args.endpoint {
        Some(endpoint) => Lab {
            endpoint: endpoint.clone(),
            data_dir: None,
            _temporary: None,
            stop: None,
        },
        None => Lab::start(&args).await?,
    };
    let client = |key: &str, secret: &str| Client::new(&lab.endpoint, key, secret, "us-east-1");
    let consumer = client(
        &args.consumer_access_key_id,
        &args.consumer_secret_access_key,
    );
    let provider = client(
        &args.provider_access_key_id,
        &args.provider_secret_access_key,
    );
    let application = steps::serve_provider_application()
        .await
        .context("cannot start the provider's application on 127.0.0.1")?;
    let mut world = World::new(consumer, provider, run_suffix(), application);
    let consumer_account = world.account(Who::Consumer).await.map_err(|e| {
        anyhow::anyhow!(
            "the lab at {} does not answer the consumer: {e}",
            lab.endpoint
        )
    })?;
    if !args.json {
        let where_ = match (&lab.stop, &lab.data_dir, &args.data_dir) {
            (None, _, _) => format!("the lab at {}", lab.endpoint),
            (Some(_), Some(dir), Some(_)) => {
                format!("a lab of its own in {} (kept)", dir.display())
            }
            (Some(_), Some(dir), None) => format!(
                "a lab of its own in {} (removed at the end; --data-dir DIR keeps it)",
                dir.display()
            ),
            (Some(_), None, _) => "a lab of its own".to_owned(),
        };
        say(&format!(
            "vpclab demo: private access to S3 and to a service in another account, step by step, in {where_}.\nEvery change goes through the lab's AWS APIs; every request travels through its network as an instance's. Consumer account {consumer_account}.\n"
        ));
    }
    let mut records: Vec<Record> = Vec::with_capacity(STEPS.len());
    let mut blocked: Option<&str> = None;
    for step in STEPS {
        let section = step.section();
        if !args.json && records.last().is_none_or(|r| r.section != section) {
            let title = SECTIONS
                .iter()
                .find(|(n, _)| *n == section)
                .map_or("", |(_, t)| t);
            say(&report::heading(style, section, title));
        }
        let observed = match blocked {
            // A change the later steps build on failed: they cannot run.
            Some(id) => Observed {
                outcome: Outcome::Skipped,
                ..Observed::failed("", format!("not run: step {id} failed"))
            },
            None => world.perform(step.id).await,
        };
        let record = Record::judge(
            step.id,
            section,
            step.title,
            step.expect,
            step.expect_code,
            observed,
        );
        if blocked.is_none() && record.outcome == Outcome::Failed && step.expect == Outcome::Done {
            blocked = Some(step.id);
        }
        if !args.json {
            say(&report::narrate(style, &record));
        }
        records.push(record);
    }
    world.end_sessions().await;
    lab.stop().await;
    let verdict = report::verdict(&records);
    if args.json {
        let document = serde_json::json!({
            "endpoint": args.endpoint.as_ref().map(|_| lab.endpoint.as_str()),
            "data_dir": args.data_dir,
            "consumer_account": consumer_account,
            "as_expected": verdict.is_ok(),
            "steps": records,
        });
        say(&format!("{}\n", serde_json::to_string_pretty(&document)?));
    } else {
        if let Ok(line) = &verdict {
            say(&format!("\nvpclab demo: {line}\n"));
        }
        if let Some(dir) = &args.data_dir {
            say(&format!(
                "The lab is kept in {}: vpclab serve --data-dir {} serves it again.\n",
                dir.display(),
                dir.display()
            ));
        }
    }
    match verdict {
        Ok(_) => Ok(()),
        Err(why) => {
            eprintln!("vpclab demo: {why}");
            std::process::exit(1);
        }
    }
}

/// Writes to standard output; a reader that went away (`vpclab demo | head`) is not an
/// error worth a panic, which `print!` would raise.
fn say(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// A suffix that keeps this run's names (bucket, load balancer) apart from another
/// run's in a shared lab.
fn run_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{:05x}{:05x}", std::process::id() & 0xfffff, nanos >> 12)
}
