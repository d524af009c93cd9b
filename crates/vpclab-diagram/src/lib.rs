//! The lab drawn: accounts › VPCs › availability zones › subnets, with instances,
//! gateways, endpoints, load balancers, AWS services, endpoint services and the internet,
//! the route tables' arrows, and optionally one [`Trace`] drawn over it — as Graphviz
//! DOT ([`dot`]) or Mermaid ([`mermaid`]).
//!
//! What is drawn is first built as a [`Diagram`] (plain data: clusters, nodes, edges),
//! then written out; both formats read the same `Diagram`, so they show the same thing.
//! The output depends only on the lab and the [`View`]: everything is sorted by id and
//! node names derive from resource ids, so the same lab draws the same text every time.
//!
//! Pure: no IO, no clock.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::collections::BTreeSet;

use vpclab_model::{AccountId, Lab, Region};
use vpclab_reach::Trace;

mod dot;
mod graph;
mod mermaid;
mod overlay;
mod topology;

pub use dot::escape as dot_escape;
pub use graph::{Cluster, ClusterKind, Diagram, Edge, EdgeKind, Mark, Node, NodeKind, node_name};
pub use mermaid::escape as mermaid_escape;

/// What to draw: whose resources, in which region, and optionally a trace over them.
#[derive(Clone, Debug)]
pub struct View {
    /// The accounts whose resources are drawn. Other accounts' resources that these
    /// reach (an endpoint service's provider, a peer VPC) appear as single nodes,
    /// without their insides.
    pub accounts: BTreeSet<AccountId>,
    /// The region drawn.
    pub region: Region,
    /// A trace to draw over the topology.
    pub trace: Option<Trace>,
}

impl View {
    /// `account`'s resources in `region`, no trace.
    pub fn account(account: AccountId, region: Region) -> View {
        View {
            accounts: BTreeSet::from([account]),
            region,
            trace: None,
        }
    }

    /// These accounts' resources in `region`, no trace.
    pub fn accounts(accounts: impl IntoIterator<Item = AccountId>, region: Region) -> View {
        View {
            accounts: accounts.into_iter().collect(),
            region,
            trace: None,
        }
    }

    /// The same view with `trace` drawn over it.
    pub fn with_trace(mut self, trace: Trace) -> View {
        self.trace = Some(trace);
        self
    }

    /// Whether a resource of `owner` in `region` is drawn in full.
    pub fn shows(&self, owner: &AccountId, region: Region) -> bool {
        region == self.region && self.accounts.contains(owner)
    }
}

/// What the view shows of the lab, as data (what [`dot`] and [`mermaid`] write out).
pub fn diagram(lab: &Lab, view: &View) -> Diagram {
    let mut drawing = topology::draw(lab, view);
    if let Some(trace) = &view.trace {
        overlay::draw(&mut drawing, lab, view, trace);
    }
    drawing.diagram
}

/// The view as a Graphviz DOT graph (`dot -Tsvg` draws it).
pub fn dot(lab: &Lab, view: &View) -> String {
    dot::write(&diagram(lab, view))
}

/// The view as a Mermaid flowchart (GitHub renders it in a ```` ```mermaid ```` block).
pub fn mermaid(lab: &Lab, view: &View) -> String {
    mermaid::write(&diagram(lab, view))
}
