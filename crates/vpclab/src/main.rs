//! The `vpclab` binary: parses arguments and calls the crates; no logic lives here.

use clap::Parser;

/// A local AWS VPC network that really enforces its rules.
///
/// vpclab serves the AWS APIs that build a network (EC2, ELBv2, S3, STS) and carries
/// real traffic through it: route tables, security groups, network ACLs, gateways,
/// endpoints and policies decide what passes, and every refusal says why.
#[derive(Debug, Parser)]
#[command(
    name = "vpclab",
    version,
    about,
    long_about,
    arg_required_else_help = true
)]
struct Cli {}

fn main() -> anyhow::Result<()> {
    let _cli = Cli::parse();
    Ok(())
}
