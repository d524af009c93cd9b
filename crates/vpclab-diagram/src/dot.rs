//! Graphviz DOT: clusters as `subgraph cluster_…`, left to right, in AWS's architecture
//! diagram colours (VPC purple, public subnet green, private subnet blue, zones dashed).
//!
//! An edge cannot end at a cluster in DOT, so each VPC and subnet cluster holds an
//! invisible anchor node of the same name, and edges to it are clipped at the cluster's
//! border (`compound=true`, `ltail`/`lhead`). Trace edges do not constrain the layout
//! (`constraint=false`), so the topology is laid out the same with or without a trace.

use std::fmt::Write;

use crate::graph::*;

const PATH: &str = "#E67E22";
const REFUSED: &str = "#C0392B";

/// `s` inside a DOT double-quoted string: `\` and `"` escaped, line breaks as DOT's `\n`,
/// other control characters as spaces. Everything else (any Unicode) stays as it is:
/// DOT files are UTF-8.
pub fn escape(s: &str) -> String {
    escape_with(s, "\\n")
}

/// `escape`, with `line_break` (`\n` centred, `\l` left-justified) for line breaks.
fn escape_with(s: &str, line_break: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str(line_break);
                }
            }
            '\n' => out.push_str(line_break),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A label: its lines escaped and joined with DOT's line break.
fn label(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| escape(l))
        .collect::<Vec<_>>()
        .join("\\n")
}

/// A cluster's or the graph's label: each line left-justified (`\l` ends a line).
fn left_label(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| escape_with(l, "\\l") + "\\l")
        .collect()
}

/// The lines with the refusal's code after them.
fn marked_lines(lines: &[String], mark: &Mark) -> Vec<String> {
    let mut out = lines.to_vec();
    if let Mark::Refused { code } = mark {
        out.push(format!("✗ {code}"));
    }
    out
}

/// Writes the diagram.
pub(crate) fn write(d: &Diagram) -> String {
    let mut out = String::new();
    out.push_str("digraph vpclab {\n");
    let _ = writeln!(
        out,
        "  graph [compound=true, rankdir=LR, nodesep=0.3, ranksep=0.7, fontname=\"Helvetica\", fontsize=12, labelloc=t, labeljust=l, label=\"{}\"];",
        left_label(&d.caption)
    );
    out.push_str("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10, color=\"#545B64\", fillcolor=\"#FFFFFF\"];\n");
    out.push_str(
        "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#545B64\", fontcolor=\"#545B64\"];\n",
    );
    for c in &d.clusters {
        cluster(&mut out, c, 1);
    }
    for n in &d.nodes {
        node(&mut out, n, 1);
    }
    for e in &d.edges {
        edge(&mut out, d, e);
    }
    out.push_str("}\n");
    out
}

fn cluster(out: &mut String, c: &Cluster, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(out, "{pad}subgraph \"cluster_{}\" {{", c.name);
    let (style, color, fill) = match c.kind {
        ClusterKind::Account => ("dashed", "#232F3E", None),
        ClusterKind::Vpc => ("rounded", "#8C4FFF", None),
        ClusterKind::AvailabilityZone => ("dashed", "#147EBA", None),
        ClusterKind::Subnet { public: true } => ("filled", "#7AA116", Some("#F2F8EE")),
        ClusterKind::Subnet { public: false } => ("filled", "#147EBA", Some("#EAF3FA")),
    };
    let (color, width) = match &c.mark {
        Mark::None => (color, "1"),
        Mark::Path => (PATH, "3"),
        Mark::Refused { .. } => (REFUSED, "3"),
    };
    let mut attrs = format!(
        "label=\"{}\", style=\"{style}\", color=\"{color}\", penwidth={width}, fontcolor=\"#232F3E\"",
        left_label(&marked_lines(&c.lines, &c.mark))
    );
    if let Some(fill) = fill {
        let _ = write!(attrs, ", fillcolor=\"{fill}\"");
    }
    let _ = writeln!(out, "{pad}  graph [{attrs}];");
    if c.kind.is_edge_end() {
        let _ = writeln!(
            out,
            "{pad}  \"{}\" [shape=point, style=invis, width=0.01, height=0.01, fixedsize=true, label=\"\"];",
            c.name
        );
    }
    for inner in &c.clusters {
        cluster(out, inner, depth + 1);
    }
    for n in &c.nodes {
        node(out, n, depth + 1);
    }
    let _ = writeln!(out, "{pad}}}");
}

fn node(out: &mut String, n: &Node, depth: usize) {
    let pad = "  ".repeat(depth);
    let (shape, style, color, fill) = match n.kind {
        NodeKind::Instance => ("box", "rounded,filled", "#D86613", "#FDEBD0"),
        NodeKind::NetworkInterface => ("box", "rounded,filled", "#545B64", "#F2F3F3"),
        NodeKind::NatGateway
        | NodeKind::InternetGateway
        | NodeKind::EgressOnlyInternetGateway
        | NodeKind::GatewayEndpoint
        | NodeKind::InterfaceEndpoint
        | NodeKind::LoadBalancerNode => ("box", "rounded,filled", "#8C4FFF", "#EDE4FF"),
        NodeKind::AwsService => ("box", "rounded,filled", "#3F8624", "#E8F6E9"),
        NodeKind::EndpointService => ("box", "rounded,filled", "#147EBA", "#DCEBF7"),
        NodeKind::Internet => ("ellipse", "filled", "#232F3E", "#FFFFFF"),
        NodeKind::Elsewhere => ("box", "rounded,dashed,filled", "#7D8998", "#F2F3F3"),
        NodeKind::TraceStep => ("note", "filled", "#B7950B", "#FEF9E7"),
    };
    let mut attrs = format!(
        "label=\"{}\", shape={shape}",
        label(&marked_lines(&n.lines, &n.mark))
    );
    match &n.mark {
        Mark::None => {
            let _ = write!(
                attrs,
                ", style=\"{style}\", color=\"{color}\", fillcolor=\"{fill}\""
            );
        }
        Mark::Path => {
            let _ = write!(
                attrs,
                ", style=\"{style},bold\", color=\"{PATH}\", penwidth=3, fillcolor=\"{fill}\", fontname=\"Helvetica-Bold\""
            );
        }
        Mark::Refused { .. } => {
            let _ = write!(
                attrs,
                ", style=\"{style},bold\", color=\"{REFUSED}\", penwidth=3, fillcolor=\"#FADBD8\", fontcolor=\"{REFUSED}\", fontname=\"Helvetica-Bold\""
            );
        }
    }
    let _ = writeln!(out, "{pad}\"{}\" [{attrs}];", n.name);
}

fn edge(out: &mut String, d: &Diagram, e: &Edge) {
    let mut attrs = Vec::new();
    if d.cluster(&e.from).is_some() {
        attrs.push(format!("ltail=\"cluster_{}\"", e.from));
    }
    if d.cluster(&e.to).is_some() {
        attrs.push(format!("lhead=\"cluster_{}\"", e.to));
    }
    if !e.lines.is_empty() {
        attrs.push(format!("label=\"{}\"", label(&e.lines)));
    }
    match e.kind {
        EdgeKind::Route => {}
        EdgeKind::Blackhole => {
            attrs.push("style=dashed, color=\"#7D8998\", fontcolor=\"#7D8998\"".into())
        }
        EdgeKind::Peering { active } => attrs.push(format!(
            "dir=both, color=\"#8C4FFF\", fontcolor=\"#8C4FFF\", penwidth=2{}",
            if active { "" } else { ", style=dashed" }
        )),
        EdgeKind::Link => attrs.push("color=\"#7D8998\"".into()),
        EdgeKind::Trace { refused, .. } => {
            let color = if refused { REFUSED } else { PATH };
            attrs.push(format!(
                "color=\"{color}\", fontcolor=\"{color}\", penwidth=3, style=bold, fontsize=11, fontname=\"Helvetica-Bold\", constraint=false"
            ));
        }
    }
    let _ = writeln!(
        out,
        "  \"{}\" -> \"{}\" [{}];",
        e.from,
        e.to,
        attrs.join(", ")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(escape(r#"say "hi""#), r#"say \"hi\""#);
        // A backslash stays a backslash: `\n` typed in a tag is not a line break, and
        // `\N` is not Graphviz's node-name escape.
        assert_eq!(escape(r"a\nb \N"), r"a\\nb \\N");
        assert_eq!(escape("ends with \\"), "ends with \\\\");
    }

    #[test]
    fn newlines_become_line_breaks_and_control_characters_spaces() {
        assert_eq!(escape("one\ntwo"), "one\\ntwo");
        assert_eq!(escape("one\r\ntwo\rthree"), "one\\ntwo\\nthree");
        assert_eq!(escape("tab\there\u{7}"), "tab here ");
    }

    #[test]
    fn cluster_labels_are_left_justified_line_by_line() {
        let lines = vec!["my \"vpc\"\nsecond".to_owned(), "VPC vpc-1".to_owned()];
        assert_eq!(left_label(&lines), r#"my \"vpc\"\lsecond\lVPC vpc-1\l"#);
    }

    #[test]
    fn unicode_stays() {
        assert_eq!(escape("Zürich → 東京 🚀"), "Zürich → 東京 🚀");
    }

    #[test]
    fn a_name_with_everything_makes_one_quoted_label() {
        let n = Node::new(
            "i_1".into(),
            NodeKind::Instance,
            vec!["my \"web\"\nbox ✓".into(), "instance i-1".into()],
        );
        let mut out = String::new();
        node(&mut out, &n, 0);
        assert!(
            out.starts_with(r#""i_1" [label="my \"web\"\nbox ✓\ninstance i-1", shape=box"#),
            "{out}"
        );
        // One statement, one line.
        assert_eq!(out.lines().count(), 1);
    }
}
