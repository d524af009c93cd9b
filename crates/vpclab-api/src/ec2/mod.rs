//! The EC2 API: the query protocol, the shapes botocore describes, and the actions,
//! one module per resource family.
//!
//! A handler reads its request shape and returns a [`Plan`]: a read (rendered under the
//! lab's read lock) or a change (an [`Operation`] for the writer, rendered right after
//! it is applied and answered once it is durable).

pub mod address;
pub mod describe;
pub mod endpoint_service;
pub mod flow_log;
pub mod instance;
pub mod internet_gateway;
pub mod nat_gateway;
pub mod network_acl;
pub mod network_insights;
pub mod network_interface;
pub mod peering;
pub mod prefix_list;
pub mod region;
pub mod route_table;
pub mod security_group;
pub mod shapes;
pub mod subnet;
pub mod tags;
pub mod vpc;
pub mod vpc_endpoint;
pub mod wire;

use std::collections::HashMap;
use std::sync::OnceLock;

use vpclab_model::{Caller, Lab, Operation};

use crate::error::ApiError;
use crate::server::Answer;
use crate::state::{Render, State};
use wire::{Query, ToXml, XmlWriter};

/// EC2's XML namespace.
pub const NAMESPACE: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";

/// Renders a read from the lab as it is, straight into the response document.
pub type ReadRender = Box<dyn FnOnce(&Lab, &mut XmlWriter) -> Result<(), ApiError> + Send>;

/// What a handler asks for.
pub enum Plan {
    /// Render from the lab as it is.
    Read(ReadRender),
    /// Apply a change, then render.
    Write(Box<Operation>, Render),
    /// Read the lab to work out what to do (a change computed from the lab as it is,
    /// such as an analysis's trace), then do it.
    ReadThenWrite(ReadThenWrite),
}

/// What [`Plan::ReadThenWrite`] reads the lab with.
pub type ReadThenWrite = Box<dyn FnOnce(&Lab) -> Result<Plan, ApiError> + Send>;

impl Plan {
    /// A read that renders `shape` built from the lab.
    pub fn read<T: ToXml + 'static>(
        f: impl FnOnce(&Lab) -> Result<T, ApiError> + Send + 'static,
    ) -> Plan {
        Plan::Read(Box::new(move |lab, w| {
            f(lab)?.write_members(w);
            Ok(())
        }))
    }

    /// A change whose response `shape` is built from the lab and the outcome.
    pub fn write<T: ToXml + 'static>(
        op: Operation,
        f: impl FnOnce(&Lab, vpclab_model::Outcome) -> Result<T, ApiError> + Send + 'static,
    ) -> Plan {
        Plan::Write(
            Box::new(op),
            Box::new(move |lab, outcome| f(lab, outcome).map(|shape| members(&shape))),
        )
    }

    /// A plan worked out from the lab as it is (under the read lock, released before
    /// any change).
    pub fn read_then_write(
        f: impl FnOnce(&Lab) -> Result<Plan, ApiError> + Send + 'static,
    ) -> Plan {
        Plan::ReadThenWrite(Box::new(f))
    }

    /// The plan to carry out: a [`Plan::ReadThenWrite`] worked out from the lab (the read
    /// lock released before the change); any other plan as it is.
    pub fn settle(self, state: &crate::state::State) -> Result<Plan, ApiError> {
        match self {
            Plan::ReadThenWrite(decide) => decide(&state.read()),
            plan => Ok(plan),
        }
    }

    /// A change answered with AWS's `<return>true</return>`.
    pub fn write_returning_true(op: Operation) -> Plan {
        Plan::Write(
            Box::new(op),
            Box::new(|_, _| Ok("<return>true</return>".to_owned())),
        )
    }
}

/// A shape's members as XML.
pub fn members<T: ToXml>(shape: &T) -> String {
    let mut w = XmlWriter::with_capacity(1024);
    shape.write_members(&mut w);
    w.out
}

/// A handler: reads the request, plans the answer.
pub type Handler = fn(&Caller, &Query) -> Result<Plan, ApiError>;

fn handlers() -> &'static HashMap<&'static str, Handler> {
    static TABLE: OnceLock<HashMap<&'static str, Handler>> = OnceLock::new();
    TABLE.get_or_init(|| {
        [
            vpc::ACTIONS,
            tags::ACTIONS,
            network_interface::ACTIONS,
            instance::ACTIONS,
            address::ACTIONS,
            nat_gateway::ACTIONS,
            peering::ACTIONS,
            region::ACTIONS,
            subnet::ACTIONS,
            route_table::ACTIONS,
            internet_gateway::ACTIONS,
            security_group::ACTIONS,
            network_acl::ACTIONS,
            prefix_list::ACTIONS,
            vpc_endpoint::ACTIONS,
            endpoint_service::ACTIONS,
            flow_log::ACTIONS,
            network_insights::ACTIONS,
        ]
        .into_iter()
        .flatten()
        .map(|(name, h)| (*name, *h))
        .collect()
    })
}

/// The actions this server answers.
pub fn actions() -> impl Iterator<Item = &'static str> {
    handlers().keys().copied()
}

/// Answers an EC2 request.
pub async fn dispatch(
    state: &State,
    caller: &Caller,
    q: &Query,
    request_id: &str,
) -> Result<Answer, ApiError> {
    let action = q.get("Action").ok_or_else(|| {
        ApiError::new(
            "MissingAction",
            "The request must contain the parameter Action",
        )
    })?;
    let handler = handlers()
        .get(action)
        .ok_or_else(|| ApiError::invalid_action(action))?;
    let plan = handler(caller, q)?.settle(state)?;
    // AWS: with DryRun the request is checked and not carried out.
    if q.scalar::<bool>("DryRun")? == Some(true) {
        return Err(ApiError::dry_run());
    }
    // A read is written straight into the response document: a Describe of a thousand
    // resources is half a megabyte, and copying it again would cost as much as writing it.
    let mut w = XmlWriter::with_capacity(16 * 1024);
    open_envelope(&mut w.out, action, request_id);
    match plan {
        Plan::Read(render) => render(&state.read(), &mut w)?,
        Plan::Write(op, render) => w.raw(&state.write(caller.clone(), *op, render).await?),
        Plan::ReadThenWrite(_) => {
            return Err(ApiError::internal(
                "a plan worked out to another plan to work out",
            ));
        }
    }
    close_envelope(&mut w.out, action);
    Ok(Answer::xml(w.out))
}

/// `<?xml …?><{Action}Response xmlns=…><requestId>…</requestId>`.
fn open_envelope(out: &mut String, action: &str, request_id: &str) {
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
    out.push_str(action);
    out.push_str("Response xmlns=\"");
    out.push_str(NAMESPACE);
    out.push_str("\"><requestId>");
    out.push_str(request_id);
    out.push_str("</requestId>");
}

/// `</{Action}Response>`.
fn close_envelope(out: &mut String, action: &str) {
    out.push_str("</");
    out.push_str(action);
    out.push_str("Response>");
}

/// `<{Action}Response xmlns=…><requestId>…</requestId>{body}</{Action}Response>`.
pub fn envelope(action: &str, request_id: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 200);
    open_envelope(&mut out, action, request_id);
    out.push_str(body);
    close_envelope(&mut out, action);
    out
}
