//! Mermaid: a `flowchart LR` with nested `subgraph`s, which GitHub renders in a
//! ```` ```mermaid ```` block. Mermaid lets edges start and end at subgraphs, so route
//! arrows leave the subnet itself. Colours as in the DOT output: one `classDef` per kind
//! of node, `style` for clusters and for what a trace marks, `linkStyle` for edges by
//! their index (edges are written in one list, after every subgraph, so the index is
//! their position in it).

use std::fmt::Write;

use crate::graph::*;

const PATH: &str = "#E67E22";
const REFUSED: &str = "#C0392B";

/// `s` inside a Mermaid double-quoted label: the characters Mermaid would read as syntax
/// or markup (`"`, `#`, `<`, `>`, `&`, `` ` ``, `|`) as Mermaid's `#…;` entity codes, line
/// breaks as `<br/>`, other control characters as spaces. Everything else (any Unicode)
/// stays as it is.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("#quot;"),
            // First, so that a `#…;` typed in a tag is shown, not decoded.
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("<br/>");
                }
            }
            '\n' => out.push_str("<br/>"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `s` inside a YAML double-quoted string (the front matter's title).
fn yaml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A label: its lines escaped and joined with `<br/>`, in double quotes.
fn label(lines: &[String]) -> String {
    format!(
        "\"{}\"",
        lines
            .iter()
            .map(|l| escape(l))
            .collect::<Vec<_>>()
            .join("<br/>")
    )
}

fn marked_lines(lines: &[String], mark: &Mark) -> Vec<String> {
    let mut out = lines.to_vec();
    if let Mark::Refused { code } = mark {
        out.push(format!("✗ {code}"));
    }
    out
}

/// The class of each kind of node, and its colours.
fn class(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Instance => "instance",
        NodeKind::NetworkInterface => "interface",
        NodeKind::NatGateway
        | NodeKind::InternetGateway
        | NodeKind::EgressOnlyInternetGateway
        | NodeKind::GatewayEndpoint
        | NodeKind::InterfaceEndpoint
        | NodeKind::LoadBalancerNode => "network",
        NodeKind::AwsService => "service",
        NodeKind::EndpointService => "endpointService",
        NodeKind::Internet => "internet",
        NodeKind::Elsewhere => "elsewhere",
        NodeKind::TraceStep => "step",
    }
}

const CLASSES: &[(&str, &str)] = &[
    ("instance", "fill:#FDEBD0,stroke:#D86613,color:#232F3E"),
    ("interface", "fill:#F2F3F3,stroke:#545B64,color:#232F3E"),
    ("network", "fill:#EDE4FF,stroke:#8C4FFF,color:#232F3E"),
    ("service", "fill:#E8F6E9,stroke:#3F8624,color:#232F3E"),
    (
        "endpointService",
        "fill:#DCEBF7,stroke:#147EBA,color:#232F3E",
    ),
    ("internet", "fill:#FFFFFF,stroke:#232F3E,color:#232F3E"),
    (
        "elsewhere",
        "fill:#F2F3F3,stroke:#7D8998,stroke-dasharray:4 3,color:#545B64",
    ),
    ("step", "fill:#FEF9E7,stroke:#B7950B,color:#232F3E"),
];

/// Writes the diagram.
pub(crate) fn write(d: &Diagram) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "---\ntitle: \"{}\"\n---",
        yaml_escape(&d.caption.join(" — "))
    );
    out.push_str("flowchart LR\n");
    let mut styles = Vec::new();
    let mut classes: Vec<(&str, Vec<&str>)> = CLASSES.iter().map(|(c, _)| (*c, vec![])).collect();
    for c in &d.clusters {
        cluster(&mut out, c, 1, &mut styles, &mut classes);
    }
    for n in &d.nodes {
        node(&mut out, n, 1, &mut styles, &mut classes);
    }
    let mut link_styles = Vec::new();
    for (i, e) in d.edges.iter().enumerate() {
        let arrow = match e.kind {
            EdgeKind::Route | EdgeKind::Link => "-->",
            EdgeKind::Blackhole => "-.->",
            EdgeKind::Peering { active: true } => "<-->",
            EdgeKind::Peering { active: false } => "<-.->",
            EdgeKind::Trace { .. } => "==>",
        };
        if e.lines.is_empty() {
            let _ = writeln!(out, "  {} {arrow} {}", e.from, e.to);
        } else {
            let _ = writeln!(out, "  {} {arrow}|{}| {}", e.from, label(&e.lines), e.to);
        }
        let style = match e.kind {
            EdgeKind::Route => None,
            EdgeKind::Blackhole | EdgeKind::Link => Some("stroke:#7D8998,color:#7D8998".into()),
            EdgeKind::Peering { .. } => {
                Some("stroke:#8C4FFF,stroke-width:2px,color:#8C4FFF".into())
            }
            EdgeKind::Trace { refused, .. } => {
                let color = if refused { REFUSED } else { PATH };
                Some(format!(
                    "stroke:{color},stroke-width:4px,color:{color},font-weight:bold"
                ))
            }
        };
        if let Some(s) = style {
            link_styles.push(format!("  linkStyle {i} {s}"));
        }
    }
    // Only the classes some node has.
    for ((name, style), (_, members)) in CLASSES.iter().zip(&classes) {
        if !members.is_empty() {
            let _ = writeln!(out, "  classDef {name} {style}");
            let _ = writeln!(out, "  class {} {name}", members.join(","));
        }
    }
    for s in styles {
        out.push_str(&s);
        out.push('\n');
    }
    for s in link_styles {
        out.push_str(&s);
        out.push('\n');
    }
    out
}

fn cluster<'d>(
    out: &mut String,
    c: &'d Cluster,
    depth: usize,
    styles: &mut Vec<String>,
    classes: &mut Vec<(&str, Vec<&'d str>)>,
) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(
        out,
        "{pad}subgraph {} [{}]",
        c.name,
        label(&marked_lines(&c.lines, &c.mark))
    );
    for inner in &c.clusters {
        cluster(out, inner, depth + 1, styles, classes);
    }
    for n in &c.nodes {
        node(out, n, depth + 1, styles, classes);
    }
    let _ = writeln!(out, "{pad}end");
    let base = match c.kind {
        ClusterKind::Account => "fill:#FFFFFF,stroke:#232F3E,stroke-dasharray:6 4",
        ClusterKind::Vpc => "fill:#FFFFFF,stroke:#8C4FFF,stroke-width:2px",
        ClusterKind::AvailabilityZone => "fill:#FFFFFF,stroke:#147EBA,stroke-dasharray:6 4",
        ClusterKind::Subnet { public: true } => "fill:#F2F8EE,stroke:#7AA116",
        ClusterKind::Subnet { public: false } => "fill:#EAF3FA,stroke:#147EBA",
    };
    let mark = match &c.mark {
        Mark::None => String::new(),
        Mark::Path => format!(",stroke:{PATH},stroke-width:4px"),
        Mark::Refused { .. } => format!(",stroke:{REFUSED},stroke-width:4px,color:{REFUSED}"),
    };
    styles.push(format!("  style {} {base}{mark}", c.name));
}

fn node<'d>(
    out: &mut String,
    n: &'d Node,
    depth: usize,
    styles: &mut Vec<String>,
    classes: &mut Vec<(&str, Vec<&'d str>)>,
) {
    let pad = "  ".repeat(depth);
    let text = label(&marked_lines(&n.lines, &n.mark));
    let shape = match n.kind {
        NodeKind::NatGateway | NodeKind::InternetGateway | NodeKind::EgressOnlyInternetGateway => {
            format!("{{{{{text}}}}}")
        }
        NodeKind::AwsService | NodeKind::EndpointService => format!("([{text}])"),
        NodeKind::Internet => format!("(({text}))"),
        NodeKind::TraceStep => format!(">{text}]"),
        _ => format!("[{text}]"),
    };
    let _ = writeln!(out, "{pad}{}{shape}", n.name);
    let kind = class(n.kind);
    if let Some((_, members)) = classes.iter_mut().find(|(c, _)| *c == kind) {
        members.push(&n.name);
    }
    match &n.mark {
        Mark::None => {}
        Mark::Path => styles.push(format!(
            "  style {} stroke:{PATH},stroke-width:4px,font-weight:bold",
            n.name
        )),
        Mark::Refused { .. } => styles.push(format!(
            "  style {} fill:#FADBD8,stroke:{REFUSED},stroke-width:4px,color:{REFUSED},font-weight:bold",
            n.name
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_markup_become_entity_codes() {
        assert_eq!(escape(r#"say "hi""#), "say #quot;hi#quot;");
        assert_eq!(escape("<b>&</b>"), "#lt;b#gt;#amp;#lt;/b#gt;");
        assert_eq!(escape("a|b `c`"), "a#124;b #96;c#96;");
        // A `#…;` typed in a tag is shown as typed, not decoded by Mermaid.
        assert_eq!(escape("#quot;"), "#35;quot;");
    }

    #[test]
    fn newlines_become_br_and_control_characters_spaces() {
        assert_eq!(escape("one\ntwo"), "one<br/>two");
        assert_eq!(escape("one\r\ntwo\rthree"), "one<br/>two<br/>three");
        assert_eq!(escape("tab\there\u{7}"), "tab here ");
    }

    #[test]
    fn unicode_stays() {
        assert_eq!(escape("Zürich → 東京 🚀"), "Zürich → 東京 🚀");
    }

    #[test]
    fn the_title_is_a_yaml_string() {
        assert_eq!(yaml_escape(r#"a "b" \c"#), r#"a \"b\" \\c"#);
        assert_eq!(yaml_escape("x\ny"), "x y");
    }

    #[test]
    fn a_name_with_everything_makes_one_quoted_label() {
        let n = Node::new(
            "i_1".into(),
            NodeKind::Instance,
            vec!["my \"web\"\nbox ✓".into(), "instance i-1".into()],
        );
        let mut out = String::new();
        node(&mut out, &n, 0, &mut vec![], &mut vec![]);
        assert_eq!(
            out,
            "i_1[\"my #quot;web#quot;<br/>box ✓<br/>instance i-1\"]\n"
        );
    }
}
