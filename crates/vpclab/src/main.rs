//! The `vpclab` binary: parses arguments and calls the crates; no logic lives here.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use vpclab_api::{ServeConfig, Server};
use vpclab_model::AccountId;
use vpclab_store::{AccessKey, Store};

/// `println!` for the program's output, except that a standard output that has gone
/// away (the reader of a pipe stopped early: `vpclab stacks | head -1`) ends the program
/// quietly with the status a shell gives a process killed by SIGPIPE, where `println!`
/// would panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout().lock(), $($arg)*).is_err() {
            std::process::exit(141);
        }
    }};
}

/// [`say!`] without the line end (`print!`).
macro_rules! say_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        if write!(out, $($arg)*).and_then(|()| out.flush()).is_err() {
            std::process::exit(141);
        }
    }};
}

mod config;
mod cost;
mod demo;
mod diagram;
mod stacks;

/// A local AWS VPC network that really enforces its rules.
///
/// vpclab serves the AWS APIs that build a network (EC2, ELBv2, S3, STS) and
/// carries real traffic through it: route tables, security groups, network ACLs,
/// gateways, endpoints and policies decide what passes, and every refusal says why.
#[derive(Debug, Parser)]
#[command(
    name = "vpclab",
    version,
    about,
    long_about,
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the AWS APIs on 127.0.0.1:4566 (aws --endpoint-url http://localhost:4566 …).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:4566")]
        listen: SocketAddr,
        /// Where the lab's database lives (default: the user's data directory).
        #[arg(long, env = "VPCLAB_DATA_DIR")]
        data_dir: Option<PathBuf>,
        /// A database URL instead (sqlite:///path/lab.db).
        #[arg(long, env = "VPCLAB_DATABASE_URL")]
        database_url: Option<String>,
        /// The account of the default access key `test`/`test`.
        #[arg(long, env = "VPCLAB_DEFAULT_ACCOUNT", default_value = vpclab_api::server::DEFAULT_ACCOUNT)]
        default_account: String,
        /// Raise a quota from AWS's default, as Service Quotas would: NAME=VALUE, where
        /// NAME is vpcs-per-region, elastic-ips-per-region, internet-gateways-per-region
        /// or nat-gateways-per-zone. Repeatable.
        #[arg(long = "quota", value_parser = parse_quota)]
        quotas: Vec<(String, usize)>,
        /// A TOML file with more access keys and quotas (default: config.toml in the
        /// data directory, when it exists). See README.md.
        #[arg(long, env = "VPCLAB_CONFIG")]
        config: Option<PathBuf>,
        /// Where the SOCKS5 proxy of `vpclab exec` listens (port 0: any free port).
        #[arg(long, default_value = "127.0.0.1:0")]
        socks_listen: SocketAddr,
        /// Where the HTTP proxy of `vpclab exec` listens (port 0: any free port).
        #[arg(long, default_value = "127.0.0.1:0")]
        http_proxy_listen: SocketAddr,
    },
    /// Resolve a name as the Amazon DNS server of an instance's VPC answers it.
    Dig {
        /// The instance (i-…).
        instance: String,
        /// The name (s3.us-east-1.amazonaws.com, ip-10-0-1-5.ec2.internal, …).
        name: String,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// The data plane's decisions (VPC Flow Logs version-2 records: ACCEPT/REJECT, bytes,
    /// packets) for your instances, and the bytes through your NAT gateways and endpoints.
    FlowLogs {
        /// Only REJECT (or ACCEPT) records.
        #[arg(long)]
        action: Option<String>,
        /// Only records of this network interface (eni-…).
        #[arg(long)]
        interface: Option<String>,
        /// Print the byte counters per NAT gateway and VPC endpoint instead.
        #[arg(long)]
        counters: bool,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Run a program inside an instance: its connections (through the proxy variables
    /// set for it) enter the lab as the instance's, and reach exactly what the network
    /// lets that instance reach; each refusal is explained on standard error.
    Exec {
        /// The instance (i-…).
        instance: String,
        /// The program and its arguments (after --).
        #[arg(last = true, required = true)]
        command: Vec<String>,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Ask the running lab whether a flow passes, and why: one line per hop out and
    /// back, the refusing component and rule highlighted, AWS's explanation code.
    Reach {
        /// The source: an instance (i-…), a network interface (eni-…), or
        /// internet:<address>.
        #[arg(long)]
        from: String,
        /// The destination: an address or a name, with an optional :port
        /// (10.0.1.5:22, s3.us-east-1.amazonaws.com:443).
        #[arg(long)]
        to: String,
        /// tcp (default), udp or icmp.
        #[arg(long, default_value = "tcp")]
        protocol: String,
        /// Print the trace as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// The walkthrough: a private instance reaching S3 through a gateway endpoint, a
    /// bucket locked to it, the NAT alternative, PrivateLink between two accounts, and
    /// what each costs — built through the lab's APIs, with real traffic, each step
    /// explained (starts a lab of its own unless --endpoint names one).
    Demo(demo::DemoArgs),
    /// What your network in the region would cost on AWS a month: NAT gateways, endpoints,
    /// public IPv4 addresses, load balancers, and each flow of the traffic priced on the
    /// path the lab traces for it, with the what-if for each flow to an AWS service.
    Cost {
        /// A traffic profile, TOML or JSON by its extension: flows with GB a month (see
        /// README.md). Without it: what the data plane carried, scaled to the hours.
        #[arg(long)]
        traffic: Option<PathBuf>,
        /// The hours to price (730 is a month).
        #[arg(long, default_value_t = 730.0)]
        hours: f64,
        /// Print the estimate as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Draw your network (accounts › VPCs › zones › subnets, gateways, endpoints, load
    /// balancers, route arrows) as Graphviz DOT, Mermaid or SVG, optionally with one
    /// trace's path drawn over it.
    Diagram(diagram::DiagramArgs),
    /// Deploy a CloudFormation template (YAML or JSON) into the running lab as a stack:
    /// its network resources are made through the lab's own operations, in dependency
    /// order; a failure leaves the lab as it was and names the resource that failed.
    Up {
        /// The template.
        template: PathBuf,
        /// The stack's name (default: from the file name).
        #[arg(long)]
        stack_name: Option<String>,
        /// A parameter value: KEY=VALUE. Repeatable.
        #[arg(long = "parameter", short = 'p')]
        parameters: Vec<String>,
        /// Record resources of types the lab does not model (IAM roles, Lambda functions,
        /// …) as skipped instead of refusing the template.
        #[arg(long)]
        skip_unsupported: bool,
        /// Print the stack as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Take a stack down: delete what it made, in the reverse order.
    Down {
        /// The stack's name.
        stack_name: String,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// List your stacks in the region and what each made.
    Stacks {
        /// Print them as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Manage the accounts and access keys the lab accepts.
    Account {
        /// Where the lab's database lives (default: the user's data directory).
        #[arg(long, env = "VPCLAB_DATA_DIR", global = true)]
        data_dir: Option<PathBuf>,
        #[command(subcommand)]
        command: AccountCommand,
    },
}

/// How to reach a running `vpclab serve`, and as whom.
#[derive(Debug, clap::Args)]
struct ServerArgs {
    /// The server.
    #[arg(long, env = "VPCLAB_ENDPOINT", default_value = "http://127.0.0.1:4566")]
    endpoint: String,
    /// The region to ask in.
    #[arg(long, env = "AWS_DEFAULT_REGION", default_value = "us-east-1")]
    region: String,
    /// The access key id.
    #[arg(long, env = "AWS_ACCESS_KEY_ID", default_value = vpclab_api::server::DEFAULT_ACCESS_KEY, hide_env_values = true)]
    access_key_id: String,
    /// The secret access key.
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", default_value = vpclab_api::server::DEFAULT_SECRET_KEY, hide_env_values = true)]
    secret_access_key: String,
}

impl ServerArgs {
    fn client(&self) -> vpclab_api::client::Client {
        vpclab_api::client::Client::new(
            &self.endpoint,
            &self.access_key_id,
            &self.secret_access_key,
            &self.region,
        )
    }
}

/// Splits `host[:port]`, `[v6]:port` or a bare IPv6 address into destination and port.
fn split_port(to: &str) -> (String, Option<u16>) {
    if let Some(rest) = to.strip_prefix('[') {
        if let Some((host, port)) = rest.split_once("]:") {
            return (host.to_owned(), port.parse().ok());
        }
        return (rest.trim_end_matches(']').to_owned(), None);
    }
    match to.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(p) => (host.to_owned(), Some(p)),
            Err(_) => (to.to_owned(), None),
        },
        _ => (to.to_owned(), None),
    }
}

#[derive(Debug, Subcommand)]
enum AccountCommand {
    /// Accept an access key for an account (the account is created with its default
    /// VPCs on its first request).
    AddKey {
        /// The twelve-digit account id.
        #[arg(long)]
        account: String,
        /// The access key id.
        #[arg(long)]
        access_key_id: String,
        /// The secret access key.
        #[arg(long)]
        secret_access_key: String,
    },
    /// List the access keys (secrets hidden).
    List,
    /// Stop accepting an access key.
    RemoveKey {
        /// The access key id.
        access_key_id: String,
    },
}

fn parse_quota(s: &str) -> Result<(String, usize), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got {s}"))?;
    let value = value
        .parse()
        .map_err(|_| format!("{value} is not a number"))?;
    vpclab_model::Quotas::default().set(name, value)?;
    Ok((name.to_owned(), value))
}

fn data_dir(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    match given {
        Some(d) => Ok(d),
        None => Ok(dirs::data_dir()
            .context("no user data directory; pass --data-dir")?
            .join("vpclab")),
    }
}

async fn open_store(dir: &std::path::Path) -> anyhow::Result<Store> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Store::open_file(&dir.join("vpclab.db"))
        .await
        .with_context(|| format!("cannot open the lab in {}", dir.display()))
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Serve {
            listen,
            data_dir: dir,
            database_url,
            default_account,
            quotas,
            config,
            socks_listen,
            http_proxy_listen,
        } => {
            let default_account = AccountId::parse(&default_account)
                .map_err(|e| anyhow::anyhow!("--default-account: {e}"))?;
            let data_dir = data_dir(dir)?;
            let file = config::load(config.as_deref(), &data_dir)?;
            let config = ServeConfig {
                listen,
                data_dir,
                database_url,
                default_account,
                keys: file.keys,
                // The command line wins over the file.
                quotas: file.quotas.into_iter().chain(quotas).collect(),
                socks_listen,
                http_proxy_listen,
            };
            let server = Server::bind(&config)
                .await
                .map_err(|e| anyhow::anyhow!("cannot start: {e}"))?;
            eprintln!(
                "vpclab serving on http://{} (data in {}); try: aws --endpoint-url http://{} ec2 describe-vpcs",
                server.local_addr,
                config.data_dir.display(),
                server.local_addr
            );
            server.run(shutdown_signal()).await;
            Ok(())
        }
        Command::Reach {
            from,
            to,
            protocol,
            json,
            server,
        } => {
            let (to, port) = split_port(&to);
            let question =
                serde_json::json!({ "from": from, "to": to, "port": port, "protocol": protocol });
            let answer = server
                .client()
                .post_json("/_vpclab/reach", &question)
                .await?;
            if json {
                say!("{}", serde_json::to_string_pretty(&answer["trace"])?);
            } else {
                let text = answer["text"].as_str().unwrap_or_default();
                let color = std::io::IsTerminal::is_terminal(&std::io::stdout());
                for line in text.lines() {
                    match (
                        color,
                        line.starts_with("DROPPED"),
                        line.starts_with("DELIVERED"),
                    ) {
                        (true, true, _) => say!("\x1b[1;31m{line}\x1b[0m"),
                        (true, _, true) => say!("\x1b[1;32m{line}\x1b[0m"),
                        _ => say!("{line}"),
                    }
                }
            }
            // The exit status says whether the flow passes, for scripts.
            let delivered = answer["trace"]["verdict"].get("Delivered").is_some();
            std::process::exit(if delivered { 0 } else { 3 });
        }
        Command::Exec {
            instance,
            command,
            server,
        } => exec(&server, &instance, &command).await,
        Command::FlowLogs {
            action,
            interface,
            counters,
            server,
        } => {
            let answer = server
                .client()
                .post_json("/_vpclab/flow-logs", &serde_json::json!({}))
                .await?;
            let logs: vpclab_api::admin::FlowLogsAnswer = serde_json::from_value(answer)?;
            if counters {
                say!("{:<26} {:>14} {:>8}", "component", "bytes", "flows");
                for (id, c) in &logs.counters {
                    say!("{id:<26} {:>14} {:>8}", c.bytes, c.flows);
                }
                return Ok(());
            }
            say!("{}", logs.header);
            for record in &logs.records {
                let fields: Vec<&str> = record.split(' ').collect();
                let keep_action = action
                    .as_deref()
                    .is_none_or(|a| fields.get(12).is_some_and(|f| f.eq_ignore_ascii_case(a)));
                let keep_eni = interface
                    .as_deref()
                    .is_none_or(|i| fields.get(2) == Some(&i));
                if keep_action && keep_eni {
                    say!("{record}");
                }
            }
            Ok(())
        }
        Command::Dig {
            instance,
            name,
            server,
        } => {
            let answer = server
                .client()
                .post_json(
                    "/_vpclab/dig",
                    &serde_json::json!({ "instance": instance, "name": name }),
                )
                .await?;
            let dig: vpclab_api::admin::DigAnswer = serde_json::from_value(answer)?;
            match (&dig.address, dig.dns_support) {
                (Some(address), _) => {
                    let name = dig.name.trim_end_matches('.');
                    let kind = dig.kind.unwrap_or_default();
                    say!("{name}.\tA\t{address}\t; {kind}");
                    Ok(())
                }
                (None, true) => {
                    say!("{}: NXDOMAIN", dig.name);
                    std::process::exit(3);
                }
                (None, false) => {
                    say!(
                        "{}: no answer (the instance's VPC has DNS resolution off: enableDnsSupport is false)",
                        dig.name
                    );
                    std::process::exit(3);
                }
            }
        }
        Command::Demo(args) => demo::run(args).await,
        Command::Cost {
            traffic,
            hours,
            json,
            server,
        } => cost::run(server.client(), traffic.as_deref(), hours, json).await,
        Command::Diagram(args) => diagram::run(args).await,
        Command::Up {
            template,
            stack_name,
            parameters,
            skip_unsupported,
            json,
            server,
        } => {
            stacks::up(
                server.client(),
                &template,
                stack_name,
                &parameters,
                skip_unsupported,
                json,
            )
            .await
        }
        Command::Down { stack_name, server } => stacks::down(server.client(), &stack_name).await,
        Command::Stacks { json, server } => stacks::list(server.client(), json).await,
        Command::Account {
            data_dir: dir,
            command,
        } => {
            let store = open_store(&data_dir(dir)?).await?;
            match command {
                AccountCommand::AddKey {
                    account,
                    access_key_id,
                    secret_access_key,
                } => {
                    let account_id = AccountId::parse(&account)
                        .map_err(|e| anyhow::anyhow!("--account: {e}"))?;
                    store
                        .put_access_key(&AccessKey {
                            access_key_id,
                            secret_access_key,
                            account_id,
                        })
                        .await?;
                }
                AccountCommand::List => {
                    for k in store.access_keys().await? {
                        say!("{}\t{}", k.account_id, k.access_key_id);
                    }
                }
                AccountCommand::RemoveKey { access_key_id } => {
                    if !store.delete_access_key(&access_key_id).await? {
                        bail!("no access key {access_key_id}");
                    }
                }
            }
            store.close().await;
            Ok(())
        }
    }
}

/// `vpclab exec`: asks the server for a session token, runs the program with the proxy
/// variables pointing at the lab's proxies (the token as proxy password), shows the
/// session's refusals on standard error while it runs, and exits with its status.
async fn exec(server: &ServerArgs, instance: &str, command: &[String]) -> anyhow::Result<()> {
    let client = server.client();
    let answer = client
        .post_json(
            "/_vpclab/exec",
            &serde_json::json!({ "instance": instance }),
        )
        .await?;
    let session: vpclab_api::admin::ExecAnswer = serde_json::from_value(answer)?;
    let http = format!("http://vpclab:{}@{}", session.token, session.http);
    let socks = format!("socks5h://vpclab:{}@{}", session.token, session.socks);
    let (program, args) = command
        .split_first()
        .ok_or_else(|| anyhow::anyhow!("nothing to run: vpclab exec {instance} -- CMD…"))?;
    let mut child = std::process::Command::new(program);
    child.args(args);
    for (k, v) in [
        ("HTTP_PROXY", &http),
        ("HTTPS_PROXY", &http),
        ("ALL_PROXY", &socks),
        ("http_proxy", &http),
        ("https_proxy", &http),
        ("all_proxy", &socks),
    ] {
        child.env(k, v);
    }
    // The lab terminates TLS for the names it serves with its own CA.
    if let Some(bundle) = &session.ca_bundle {
        for k in [
            "AWS_CA_BUNDLE",
            "SSL_CERT_FILE",
            "REQUESTS_CA_BUNDLE",
            "CURL_CA_BUNDLE",
        ] {
            child.env(k, bundle);
        }
    }
    // Nothing bypasses the lab.
    child.env("NO_PROXY", "").env("no_proxy", "");
    child.env("VPCLAB_INSTANCE", instance);
    let mut child = child
        .spawn()
        .with_context(|| format!("cannot run {program}"))?;
    // The session's refusals, as the proxies write them, on our standard error (which the
    // program shares).
    let events = PathBuf::from(&session.events);
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let tail = std::thread::spawn(move || {
        let mut shown = 0usize;
        loop {
            let done = stopped
                .recv_timeout(std::time::Duration::from_millis(50))
                .is_ok();
            if let Ok(text) = std::fs::read_to_string(&events)
                && text.len() > shown
            {
                eprint!("{}", &text[shown..]);
                shown = text.len();
            }
            if done {
                let _ = std::fs::remove_file(&events);
                break;
            }
        }
    });
    let status = tokio::task::spawn_blocking(move || child.wait()).await??;
    let _ = stop.send(());
    let _ = tail.join();
    let _ = client
        .post_json(
            "/_vpclab/exec/end",
            &serde_json::json!({ "token": session.token }),
        )
        .await;
    std::process::exit(status.code().unwrap_or(1));
}

#[cfg(test)]
mod tests {
    use super::split_port;

    #[test]
    fn destinations_and_ports() {
        assert_eq!(split_port("10.0.1.5:22"), ("10.0.1.5".into(), Some(22)));
        assert_eq!(
            split_port("s3.us-east-1.amazonaws.com:443"),
            ("s3.us-east-1.amazonaws.com".into(), Some(443))
        );
        assert_eq!(split_port("10.0.1.5"), ("10.0.1.5".into(), None));
        assert_eq!(split_port("2600:1f18::5"), ("2600:1f18::5".into(), None));
        assert_eq!(
            split_port("[2600:1f18::5]:80"),
            ("2600:1f18::5".into(), Some(80))
        );
    }
}
