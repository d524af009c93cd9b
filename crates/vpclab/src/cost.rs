//! `vpclab cost`: reads a traffic file (TOML or JSON, by its extension), asks the running
//! lab for the estimate (`POST /_vpclab/cost`) and prints it, as text or as JSON.

use std::path::Path;

use anyhow::{Context, bail};
use vpclab_api::client::Client;
use vpclab_cost::TrafficProfile;

/// Asks for the estimate of the caller's network over `hours`, for the flows of
/// `traffic` (none: what the data plane carried, scaled), and prints it.
pub async fn run(
    client: Client,
    traffic: Option<&Path>,
    hours: f64,
    json: bool,
) -> anyhow::Result<()> {
    let mut question = serde_json::json!({ "hours": hours });
    if let Some(path) = traffic {
        question["traffic"] = serde_json::to_value(read_profile(path)?)?;
    }
    let answer = client.post_json("/_vpclab/cost", &question).await?;
    if json {
        say!("{}", serde_json::to_string_pretty(&answer["estimate"])?);
    } else {
        say_part!("{}", answer["text"].as_str().unwrap_or_default());
    }
    Ok(())
}

/// A traffic profile from a file: `.toml` (`[[flows]]` tables) or `.json`
/// (`{"flows": [...]}`), checked here so that a mistake names the file and the line.
fn read_profile(path: &Path) -> anyhow::Result<TrafficProfile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the traffic file {}", path.display()))?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("toml") => toml::from_str(&text)
            .with_context(|| format!("{} is not a traffic profile", path.display())),
        Some("json") => serde_json::from_str(&text)
            .with_context(|| format!("{} is not a traffic profile", path.display())),
        _ => bail!(
            "{}: a traffic file ends in .toml or .json (see `## What it costs` in README.md)",
            path.display()
        ),
    }
}
