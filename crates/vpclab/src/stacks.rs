//! `vpclab up`, `vpclab down`, `vpclab stacks`: deploy a CloudFormation template into the
//! running lab as a stack, take a stack down, list the stacks. The server parses, orders
//! and deploys (`POST /_vpclab/stacks/up`); a failure leaves the lab as it was, as
//! CloudFormation's rollback does, and names the resource that failed.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use vpclab_api::client::Client;

/// Deploys the template in `file` as stack `name` with `parameters` (`KEY=VALUE`).
pub async fn up(
    client: Client,
    file: &Path,
    name: Option<String>,
    parameters: &[String],
    skip_unsupported: bool,
    json: bool,
) -> anyhow::Result<()> {
    let template = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the template {}", file.display()))?;
    let name = match name {
        Some(n) => n,
        None => default_name(file),
    };
    let mut given = BTreeMap::new();
    for p in parameters {
        let (k, v) = p
            .split_once('=')
            .with_context(|| format!("--parameter {p}: expected KEY=VALUE"))?;
        given.insert(k.to_owned(), v.to_owned());
    }
    let question = serde_json::json!({
        "name": name,
        "template": template,
        "parameters": given,
        "skip_unsupported": skip_unsupported,
    });
    let answer = client.post_json("/_vpclab/stacks/up", &question).await?;
    if json {
        say!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(());
    }
    say!(
        "stack {} ({})",
        answer["name"].as_str().unwrap_or_default(),
        answer["stack_id"].as_str().unwrap_or_default()
    );
    print_resources(&answer);
    if let Some(outputs) = answer["outputs"].as_object().filter(|o| !o.is_empty()) {
        say!("outputs:");
        for (k, v) in outputs {
            say!("  {k} = {}", v.as_str().unwrap_or_default());
        }
    }
    Ok(())
}

fn print_resources(stack: &serde_json::Value) {
    for r in stack["resources"].as_array().into_iter().flatten() {
        let logical = r["logical_id"].as_str().unwrap_or_default();
        let kind = r["resource_type"].as_str().unwrap_or_default();
        match r["skipped"].as_str() {
            Some(why) => say!("  {logical:<32} {kind:<40} skipped: {why}"),
            None => say!(
                "  {logical:<32} {kind:<40} {}",
                r["physical_id"].as_str().unwrap_or_default()
            ),
        }
    }
}

/// The stack name from a file name: `vpc-2azs.yaml` → `vpc-2azs` (CloudFormation's
/// alphabet: letters, digits, hyphens, starting with a letter).
fn default_name(file: &Path) -> String {
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("stack");
    let mut name: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "stack-");
    }
    name
}

/// Takes stack `name` down.
pub async fn down(client: Client, name: &str) -> anyhow::Result<()> {
    let answer = client
        .post_json("/_vpclab/stacks/down", &serde_json::json!({ "name": name }))
        .await?;
    say!(
        "stack {name} deleted ({} resources)",
        answer["deleted"].as_u64().unwrap_or_default()
    );
    Ok(())
}

/// Lists the caller's stacks in the region.
pub async fn list(client: Client, json: bool) -> anyhow::Result<()> {
    let answer = client
        .post_json("/_vpclab/stacks/list", &serde_json::json!({}))
        .await?;
    if json {
        say!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(());
    }
    for s in answer["stacks"].as_array().into_iter().flatten() {
        say!("{}", s["name"].as_str().unwrap_or_default());
        print_resources(s);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_becomes_a_stack_name() {
        assert_eq!(
            default_name(Path::new("t/05-widdix-vpc-2azs.yaml")),
            "stack-05-widdix-vpc-2azs"
        );
        assert_eq!(
            default_name(Path::new("vpc_nat.template.yaml")),
            "vpc-nat-template"
        );
    }
}
