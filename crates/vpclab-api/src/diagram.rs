//! `POST /_vpclab/diagram`: the caller's account in the caller's region drawn as Graphviz
//! DOT or Mermaid, optionally with one trace (the same question as `/_vpclab/reach`)
//! drawn over it.

use serde::{Deserialize, Serialize};
use vpclab_diagram::View;
use vpclab_model::Caller;

use crate::admin::{ReachRequest, flow};
use crate::error::ApiError;
use crate::server::Answer;
use crate::state::State;

/// What to draw.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiagramRequest {
    /// `dot` (default) or `mermaid`.
    pub format: Option<String>,
    /// A flow to trace and draw over the topology.
    pub trace: Option<ReachRequest>,
}

/// The drawing.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DiagramAnswer {
    /// The DOT or Mermaid text.
    pub text: String,
}

/// The formats the server writes (SVG is Graphviz's work, done by the CLI).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Dot,
    Mermaid,
}

impl Format {
    fn parse(s: &str) -> Result<Format, ApiError> {
        match s {
            "dot" => Ok(Format::Dot),
            "mermaid" => Ok(Format::Mermaid),
            other => Err(ApiError::invalid_value(format!(
                "format {other:?}: use dot or mermaid (SVG is drawn from DOT by Graphviz: vpclab diagram --format svg)"
            ))),
        }
    }
}

/// Answers `POST /_vpclab/diagram`.
pub(crate) fn diagram(state: &State, caller: &Caller, body: &[u8]) -> Result<Answer, ApiError> {
    let req: DiagramRequest = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            "InvalidRequest",
            format!("The request is not a diagram request: {e}"),
        )
    })?;
    let format = Format::parse(req.format.as_deref().unwrap_or("dot"))?;
    let lab = state.read();
    let mut view = View::account(caller.account.clone(), caller.region);
    if let Some(question) = &req.trace {
        // The same checks as a reach question: the source must be the caller's.
        let flow = flow(&lab, caller, question)?;
        view = view.with_trace(vpclab_reach::trace(&lab, &flow));
    }
    let text = match format {
        Format::Dot => vpclab_diagram::dot(&lab, &view),
        Format::Mermaid => vpclab_diagram::mermaid(&lab, &view),
    };
    let body = serde_json::to_string(&DiagramAnswer { text })
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Answer::json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_dot_and_mermaid_only() {
        assert_eq!(Format::parse("dot").unwrap(), Format::Dot);
        assert_eq!(Format::parse("mermaid").unwrap(), Format::Mermaid);
        for bad in ["svg", "DOT", "png", ""] {
            let e = Format::parse(bad).unwrap_err();
            assert_eq!(e.code, "InvalidParameterValue");
            assert_eq!(e.status, 400);
            assert!(e.message.contains("use dot or mermaid"), "{}", e.message);
        }
    }

    #[test]
    fn requests_read_with_and_without_a_trace() {
        let r: DiagramRequest = serde_json::from_str(r#"{"format":"mermaid"}"#).unwrap();
        assert_eq!(r.format.as_deref(), Some("mermaid"));
        assert!(r.trace.is_none());
        let r: DiagramRequest = serde_json::from_str(
            r#"{"trace":{"from":"i-0123456789abcdef0","to":"s3.us-east-1.amazonaws.com","port":443,"protocol":"tcp"}}"#,
        )
        .unwrap();
        assert_eq!(r.trace.unwrap().port, Some(443));
        // A misspelt field is an error, not silently a diagram without the trace.
        assert!(serde_json::from_str::<DiagramRequest>(r#"{"tarce":{}}"#).is_err());
    }
}
