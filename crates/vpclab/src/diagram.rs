//! `vpclab diagram`: asks the running lab for the caller's topology (and a trace over it)
//! as DOT or Mermaid, and for SVG pipes the DOT through Graphviz's `dot -Tsvg`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use crate::{ServerArgs, split_port};

/// The arguments of `vpclab diagram`.
#[derive(Debug, clap::Args)]
pub(crate) struct DiagramArgs {
    /// dot (Graphviz), mermaid (GitHub renders it), or svg (drawn by Graphviz's `dot`,
    /// which must be installed).
    #[arg(long, default_value = "dot", value_parser = ["dot", "mermaid", "svg"])]
    format: String,
    /// Draw a trace from here: an instance (i-…), a network interface (eni-…), or
    /// internet:<address>.
    #[arg(long, requires = "trace_to")]
    trace_from: Option<String>,
    /// …to here: an address or a name, with an optional :port (default 443 for tcp).
    #[arg(long, requires = "trace_from")]
    trace_to: Option<String>,
    /// The trace's protocol: tcp (default), udp or icmp.
    #[arg(long, requires = "trace_from")]
    protocol: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
    #[command(flatten)]
    server: ServerArgs,
}

/// Runs `vpclab diagram`.
pub(crate) async fn run(args: DiagramArgs) -> anyhow::Result<()> {
    let mut request = serde_json::json!({
        "format": if args.format == "mermaid" { "mermaid" } else { "dot" },
    });
    if let (Some(from), Some(to)) = (&args.trace_from, &args.trace_to) {
        let (to, port) = split_port(to);
        request["trace"] = serde_json::json!({
            "from": from,
            "to": to,
            "port": port,
            "protocol": args.protocol.as_deref().unwrap_or("tcp"),
        });
    }
    let answer = args
        .server
        .client()
        .post_json("/_vpclab/diagram", &request)
        .await?;
    let text = answer["text"]
        .as_str()
        .context("the server's answer has no diagram text")?;
    let bytes = if args.format == "svg" {
        svg(text)?
    } else {
        text.as_bytes().to_vec()
    };
    match &args.output {
        Some(path) => std::fs::write(path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}

/// `dot -Tsvg` of `dot_text`, with Graphviz's own message when it fails.
fn svg(dot_text: &str) -> anyhow::Result<Vec<u8>> {
    let mut child = match Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "--format svg needs Graphviz's `dot` on PATH, and there is none: install Graphviz \
             (apt install graphviz, brew install graphviz, …) or use --format dot (or mermaid) \
             and draw it elsewhere"
        ),
        Err(e) => return Err(e).context("cannot run Graphviz's dot"),
    };
    // Written from another thread: `dot` may start writing SVG before it has read all
    // of its input, and both pipes have limited buffers.
    let mut stdin = child.stdin.take().context("no pipe to dot")?;
    let input = dot_text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .context("Graphviz's dot did not finish")?;
    let written = writer.join();
    if !output.status.success() {
        bail!(
            "Graphviz's dot failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    match written {
        Ok(Ok(())) => Ok(output.stdout),
        Ok(Err(e)) => Err(e).context("cannot pass the diagram to Graphviz's dot"),
        Err(_) => bail!("cannot pass the diagram to Graphviz's dot"),
    }
}
