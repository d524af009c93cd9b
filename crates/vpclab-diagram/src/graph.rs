//! The drawing as data, before it is written in a format: nested clusters (account ›
//! VPC › zone › subnet), nodes, and edges. Both writers (DOT, Mermaid) read this one
//! structure, so they cannot disagree about what is drawn, and tests can ask structural
//! questions ("is this subnet inside that VPC?") without parsing either format.

/// The whole drawing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagram {
    /// A caption: what is drawn, and the trace's question and verdict.
    pub caption: Vec<String>,
    /// The outermost clusters (one per account), sorted by name.
    pub clusters: Vec<Cluster>,
    /// Nodes outside every cluster (AWS services, the internet, other accounts' things).
    pub nodes: Vec<Node>,
    /// The edges: the topology's (sorted), then the trace's (in hop order).
    pub edges: Vec<Edge>,
}

/// A box that holds nodes and smaller boxes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// Its stable name (derived from the resource id; unique among nodes and clusters).
    pub name: String,
    /// What it is.
    pub kind: ClusterKind,
    /// Its label, one entry per line (unescaped).
    pub lines: Vec<String>,
    /// Clusters inside it, sorted by name.
    pub clusters: Vec<Cluster>,
    /// Nodes inside it, sorted by name.
    pub nodes: Vec<Node>,
    /// Whether a trace crossed it or refused there.
    pub mark: Mark,
}

/// The kinds of cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClusterKind {
    /// An account (in the drawn region).
    Account,
    /// A VPC.
    Vpc,
    /// One availability zone of one VPC.
    AvailabilityZone,
    /// A subnet; public when its route table routes to an internet gateway.
    Subnet {
        /// Whether it is public.
        public: bool,
    },
}

impl ClusterKind {
    /// Whether edges may start or end at the cluster itself (route tables are per subnet,
    /// peering connections join VPCs).
    pub fn is_edge_end(self) -> bool {
        matches!(self, ClusterKind::Vpc | ClusterKind::Subnet { .. })
    }
}

/// One thing drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Its stable name (derived from the resource id).
    pub name: String,
    /// What it is.
    pub kind: NodeKind,
    /// Its label, one entry per line (unescaped).
    pub lines: Vec<String>,
    /// Whether a trace crossed it or refused there.
    pub mark: Mark,
}

/// The kinds of node, which decide shape and colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// An EC2 instance.
    Instance,
    /// A network interface of no instance and no AWS service.
    NetworkInterface,
    /// A NAT gateway.
    NatGateway,
    /// An internet gateway.
    InternetGateway,
    /// An egress-only internet gateway.
    EgressOnlyInternetGateway,
    /// A gateway VPC endpoint (S3, DynamoDB).
    GatewayEndpoint,
    /// One network interface of an interface VPC endpoint.
    InterfaceEndpoint,
    /// One zone's node (network interface) of a network load balancer.
    LoadBalancerNode,
    /// An AWS service (S3, STS, …).
    AwsService,
    /// A PrivateLink endpoint service (`vpce-svc-…`).
    EndpointService,
    /// The internet.
    Internet,
    /// Something a route or the trace names that is not drawn here: gone, or another
    /// account's or region's.
    Elsewhere,
    /// A component only the trace shows (security group, network ACL, route table,
    /// listener, target group).
    TraceStep,
}

/// One arrow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The node or cluster it starts at.
    pub from: String,
    /// The node or cluster it ends at.
    pub to: String,
    /// What it stands for.
    pub kind: EdgeKind,
    /// Its label, one entry per line (unescaped).
    pub lines: Vec<String>,
}

/// The kinds of edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// A route of the subnet's route table (labelled with its destinations).
    Route,
    /// A route whose target is gone (`blackhole`): drawn dashed.
    Blackhole,
    /// A VPC peering connection between two VPCs.
    Peering {
        /// Whether it is active (else pending acceptance).
        active: bool,
    },
    /// What a component hands traffic to: an endpoint to its service, a gateway to the
    /// internet, a load balancer node to its targets.
    Link,
    /// One step of the trace drawn over the topology.
    Trace {
        /// The step's number, from 1, in hop order.
        step: usize,
        /// Whether this step reached the component that refused the flow.
        refused: bool,
    },
}

/// How a trace touched a node or cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Mark {
    /// Not at all.
    #[default]
    None,
    /// The flow crossed it.
    Path,
    /// The flow was refused here, with Reachability Analyzer's explanation code.
    Refused {
        /// `ENI_SG_RULES_MISMATCH`, ….
        code: String,
    },
}

impl Diagram {
    /// The names of the clusters around `name` (a node or a cluster), outermost first;
    /// `None` when nothing has that name.
    pub fn parents(&self, name: &str) -> Option<Vec<&str>> {
        fn walk<'a>(cluster: &'a Cluster, name: &str, path: &mut Vec<&'a str>) -> bool {
            if cluster.name == name {
                return true;
            }
            path.push(&cluster.name);
            if cluster.nodes.iter().any(|n| n.name == name)
                || cluster.clusters.iter().any(|c| walk(c, name, path))
            {
                return true;
            }
            path.pop();
            false
        }
        if self.nodes.iter().any(|n| n.name == name) {
            return Some(Vec::new());
        }
        let mut path = Vec::new();
        self.clusters
            .iter()
            .any(|c| walk(c, name, &mut path))
            .then_some(path)
    }

    /// The node called `name`, wherever it is.
    pub fn node(&self, name: &str) -> Option<&Node> {
        fn walk<'a>(cluster: &'a Cluster, name: &str) -> Option<&'a Node> {
            cluster
                .nodes
                .iter()
                .find(|n| n.name == name)
                .or_else(|| cluster.clusters.iter().find_map(|c| walk(c, name)))
        }
        self.nodes
            .iter()
            .find(|n| n.name == name)
            .or_else(|| self.clusters.iter().find_map(|c| walk(c, name)))
    }

    /// The cluster called `name`, wherever it is.
    pub fn cluster(&self, name: &str) -> Option<&Cluster> {
        self.clusters.iter().find_map(|c| c.find(name))
    }

    /// The cluster called `name`, to change it.
    pub(crate) fn cluster_mut(&mut self, name: &str) -> Option<&mut Cluster> {
        self.clusters.iter_mut().find_map(|c| c.find_mut(name))
    }

    /// Whether a node or a cluster is called `name`.
    pub fn has(&self, name: &str) -> bool {
        self.node(name).is_some() || self.cluster(name).is_some()
    }

    /// The mark of the node or cluster called `name`, to change it.
    pub(crate) fn mark_mut(&mut self, name: &str) -> Option<&mut Mark> {
        fn walk<'a>(cluster: &'a mut Cluster, name: &str) -> Option<&'a mut Mark> {
            if cluster.name == name {
                return Some(&mut cluster.mark);
            }
            if let Some(n) = cluster.nodes.iter_mut().find(|n| n.name == name) {
                return Some(&mut n.mark);
            }
            cluster.clusters.iter_mut().find_map(|c| walk(c, name))
        }
        if let Some(n) = self.nodes.iter_mut().find(|n| n.name == name) {
            return Some(&mut n.mark);
        }
        self.clusters.iter_mut().find_map(|c| walk(c, name))
    }

    /// The edges between `from` and `to`, in order.
    pub fn edges_between(&self, from: &str, to: &str) -> Vec<&Edge> {
        self.edges
            .iter()
            .filter(|e| e.from == from && e.to == to)
            .collect()
    }

    /// The trace's edges, in step order.
    pub fn trace_edges(&self) -> impl Iterator<Item = &Edge> {
        self.edges
            .iter()
            .filter(|e| matches!(e.kind, EdgeKind::Trace { .. }))
    }
}

impl Cluster {
    /// A cluster with no contents yet.
    pub(crate) fn new(name: String, kind: ClusterKind, lines: Vec<String>) -> Cluster {
        Cluster {
            name,
            kind,
            lines,
            clusters: Vec::new(),
            nodes: Vec::new(),
            mark: Mark::None,
        }
    }

    /// This cluster or one inside it called `name`.
    pub fn find(&self, name: &str) -> Option<&Cluster> {
        if self.name == name {
            return Some(self);
        }
        self.clusters.iter().find_map(|c| c.find(name))
    }

    fn find_mut(&mut self, name: &str) -> Option<&mut Cluster> {
        if self.name == name {
            return Some(self);
        }
        self.clusters.iter_mut().find_map(|c| c.find_mut(name))
    }

    /// Sorts contents by name, all the way down, so the output does not depend on the
    /// order resources were created in.
    pub(crate) fn sort(&mut self) {
        self.nodes.sort_by(|a, b| a.name.cmp(&b.name));
        self.clusters.sort_by(|a, b| a.name.cmp(&b.name));
        for c in &mut self.clusters {
            c.sort();
        }
    }
}

impl Node {
    /// An unmarked node.
    pub(crate) fn new(name: String, kind: NodeKind, lines: Vec<String>) -> Node {
        Node {
            name,
            kind,
            lines,
            mark: Mark::None,
        }
    }
}

/// A stable node name for a resource id: ASCII letters and digits kept, everything else
/// `_` (`vpc-0a1b…` → `vpc_0a1b…`). Both formats accept such names unquoted, and ids of
/// different kinds keep their different prefixes, so names stay unique.
pub fn node_name(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names_keep_letters_and_digits_only() {
        assert_eq!(node_name("vpc-0a1b2c3d"), "vpc_0a1b2c3d");
        assert_eq!(node_name("vpce-svc-0123"), "vpce_svc_0123");
        assert_eq!(node_name("s3.us-east-1"), "s3_us_east_1");
        // Not ASCII: replaced, so the name is always a plain identifier.
        assert_eq!(node_name("é\"x"), "__x");
    }

    #[test]
    fn parents_are_listed_outermost_first() {
        let mut account = Cluster::new("a".into(), ClusterKind::Account, vec![]);
        let mut vpc = Cluster::new("v".into(), ClusterKind::Vpc, vec![]);
        vpc.nodes
            .push(Node::new("n".into(), NodeKind::Instance, vec![]));
        account.clusters.push(vpc);
        let d = Diagram {
            clusters: vec![account],
            nodes: vec![Node::new("top".into(), NodeKind::Internet, vec![])],
            ..Diagram::default()
        };
        assert_eq!(d.parents("n"), Some(vec!["a", "v"]));
        assert_eq!(d.parents("v"), Some(vec!["a"]));
        assert_eq!(d.parents("top"), Some(vec![]));
        assert_eq!(d.parents("nothing"), None);
    }
}
