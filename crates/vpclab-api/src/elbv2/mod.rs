//! The ELBv2 API (version 2015-12-01) for network load balancers: the AWS query
//! protocol (`Action=…&Version=2015-12-01`, lists as `Name.member.N`), the shapes
//! botocore describes (`shapes.rs`, generated), and the actions, one module per family.
//!
//! Handlers plan as EC2's do (see [`crate::ec2::Plan`]): a read rendered under the lab's
//! read lock, or an [`vpclab_model::Operation`] for the writer, durable before it is
//! answered. DescribeTargetHealth alone does IO (a TCP connect per target), outside the
//! lock.

pub mod listener;
pub mod load_balancer;
pub mod shapes;
pub mod tags;
pub mod target_group;
pub mod target_health;

use std::collections::HashMap;
use std::sync::OnceLock;

use vpclab_model::{Caller, Tags};

use crate::ec2::wire::{Query, QueryError, XmlWriter};
use crate::ec2::{Handler, Plan};
use crate::error::ApiError;
use crate::server::Answer;
use crate::state::State;

/// ELBv2's XML namespace.
pub const NAMESPACE: &str = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

/// ELBv2's API version, which every request carries.
pub const VERSION: &str = "2015-12-01";

fn handlers() -> &'static HashMap<&'static str, Handler> {
    static TABLE: OnceLock<HashMap<&'static str, Handler>> = OnceLock::new();
    TABLE.get_or_init(|| {
        [
            load_balancer::ACTIONS,
            target_group::ACTIONS,
            listener::ACTIONS,
            tags::ACTIONS,
        ]
        .into_iter()
        .flatten()
        .map(|(name, h)| (*name, *h))
        .collect()
    })
}

/// The actions this server answers.
pub fn actions() -> impl Iterator<Item = &'static str> {
    handlers()
        .keys()
        .copied()
        .chain(std::iter::once("DescribeTargetHealth"))
}

/// The HTTP status ELBv2 answers `code` with (botocore's exception shapes; 400 for the
/// query protocol's own codes such as `ValidationError`).
pub fn status_of(code: &str) -> u16 {
    match code {
        "InternalError" | "InternalFailure" | "ServiceUnavailable" => 500,
        _ => shapes::ERROR_STATUS
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(400, |(_, s)| *s),
    }
}

/// An error as ELBv2 answers it: the query protocol's request errors are
/// `ValidationError`, and each code gets its modelled HTTP status.
fn elb_error(e: ApiError) -> ApiError {
    let code = match e.code.as_ref() {
        "MissingParameter" | "InvalidParameterValue" | "InvalidParameterCombination" => {
            "ValidationError".into()
        }
        _ => e.code,
    };
    let status = if e.status >= 500 {
        e.status
    } else {
        status_of(&code)
    };
    ApiError {
        code,
        message: e.message,
        status,
    }
}

/// A request shape read from the query, with the query protocol's validation errors.
pub(crate) fn read<T: crate::ec2::wire::FromQuery>(q: &Query) -> Result<T, ApiError> {
    T::from_query(q, "").map_err(|e| match e {
        QueryError::Missing(name) => ApiError::new(
            "ValidationError",
            format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                lower_first(&name)
            ),
        ),
        QueryError::Invalid { name, value, why } => ApiError::new(
            "ValidationError",
            format!("Value '{value}' at '{}' is not valid. {why}", lower_first(&name)),
        ),
    })
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Answers an ELBv2 request.
pub async fn dispatch(
    state: &State,
    caller: &Caller,
    q: &Query,
    request_id: &str,
) -> Result<Answer, ApiError> {
    answer(state, caller, q, request_id)
        .await
        .map_err(elb_error)
}

async fn answer(
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
    if action == "DescribeTargetHealth" {
        let body = target_health::describe_target_health(state, caller, q).await?;
        return Ok(Answer::xml(envelope(action, request_id, &body)));
    }
    let handler = handlers()
        .get(action)
        .ok_or_else(|| ApiError::invalid_action(action))?;
    let plan = handler(caller, q)?.settle(state)?;
    let body = match plan {
        Plan::Read(render) => {
            let mut w = XmlWriter::with_capacity(4096);
            render(&state.read(), &mut w)?;
            w.out
        }
        Plan::Write(op, render) => state.write(caller.clone(), *op, render).await?,
        Plan::ReadThenWrite(_) => {
            return Err(ApiError::internal(
                "a plan worked out to another plan to work out",
            ));
        }
    };
    Ok(Answer::xml(envelope(action, request_id, &body)))
}

/// `<{Action}Response xmlns=…><{Action}Result>{body}</{Action}Result>
/// <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></{Action}Response>`.
pub fn envelope(action: &str, request_id: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 300);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
    out.push_str(action);
    out.push_str("Response xmlns=\"");
    out.push_str(NAMESPACE);
    out.push_str("\"><");
    out.push_str(action);
    out.push_str("Result>");
    out.push_str(body);
    out.push_str("</");
    out.push_str(action);
    out.push_str("Result><ResponseMetadata><RequestId>");
    out.push_str(request_id);
    out.push_str("</RequestId></ResponseMetadata></");
    out.push_str(action);
    out.push_str("Response>");
    out
}

/// Request tags as the model holds them; a key given twice is `DuplicateTagKeys`.
pub(crate) fn tags_from(tags: &Option<Vec<shapes::Tag>>) -> Result<Tags, ApiError> {
    let mut out = Tags::new();
    for t in tags.iter().flatten() {
        let key = t.key.clone().ok_or_else(|| {
            ApiError::new(
                "ValidationError",
                "1 validation error detected: Value null at 'tags.member.key' failed to satisfy constraint: Member must not be null",
            )
        })?;
        if out
            .insert(key.clone(), t.value.clone().unwrap_or_default())
            .is_some()
        {
            return Err(ApiError::new(
                "DuplicateTagKeys",
                format!("Tag key '{key}' is duplicated"),
            ));
        }
    }
    Ok(out)
}

/// Model tags as the wire lists them.
pub(crate) fn tag_list(tags: &Tags) -> Vec<shapes::Tag> {
    tags.iter()
        .map(|(k, v)| shapes::Tag {
            key: Some(k.clone()),
            value: Some(v.clone()),
        })
        .collect()
}

/// One page of `items` from `marker` (an index the previous page handed out), at most
/// `page_size` (1–400, AWS's range; default 400).
pub(crate) fn page<T>(
    items: Vec<T>,
    marker: &Option<String>,
    page_size: Option<i32>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let size = match page_size {
        None => 400,
        Some(n) if (1..=400).contains(&n) => n as usize,
        Some(n) => {
            return Err(ApiError::new(
                "ValidationError",
                format!("Page size '{n}' must be between 1 and 400"),
            ));
        }
    };
    let start = match marker {
        None => 0,
        Some(m) => m
            .parse::<usize>()
            .ok()
            .filter(|s| *s <= items.len())
            .ok_or_else(|| ApiError::new("ValidationError", format!("Invalid marker '{m}'")))?,
    };
    let next = (start + size < items.len()).then(|| (start + size).to_string());
    Ok((items.into_iter().skip(start).take(size).collect(), next))
}

/// `(key, value)` pairs from a request's attribute list.
pub(crate) fn attribute_pairs<'a>(
    items: impl IntoIterator<Item = (&'a Option<String>, &'a Option<String>)>,
) -> Result<Vec<(String, String)>, ApiError> {
    items
        .into_iter()
        .map(|(k, v)| {
            let key = k.clone().ok_or_else(|| {
                ApiError::new(
                    "ValidationError",
                    "1 validation error detected: Value null at 'attributes.member.key' failed to satisfy constraint: Member must not be null",
                )
            })?;
            Ok((key, v.clone().unwrap_or_default()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_come_from_the_model() {
        assert_eq!(status_of("LoadBalancerNotFound"), 400);
        assert_eq!(status_of("HealthUnavailable"), 500);
        assert_eq!(status_of("ValidationError"), 400);
        assert_eq!(status_of("InternalError"), 500);
    }

    #[test]
    fn envelope_has_result_and_metadata() {
        let e = envelope("DeleteListener", "rid", "");
        assert!(e.contains("<DeleteListenerResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><DeleteListenerResult></DeleteListenerResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></DeleteListenerResponse>"));
    }

    #[test]
    fn pages_hand_out_markers() {
        let (p, next) = page((0..5).collect(), &None, Some(2)).unwrap();
        assert_eq!((p, next.as_deref()), (vec![0, 1], Some("2")));
        let (p, next) = page((0..5).collect(), &Some("4".into()), Some(2)).unwrap();
        assert_eq!((p, next), (vec![4], None));
        assert!(page::<i32>(vec![], &None, Some(0)).is_err());
        assert!(page::<i32>(vec![], &Some("x".into()), None).is_err());
    }

    #[test]
    fn duplicate_tag_keys_are_refused() {
        let t = |k: &str| shapes::Tag {
            key: Some(k.into()),
            value: None,
        };
        assert_eq!(
            tags_from(&Some(vec![t("a"), t("a")])).unwrap_err().code,
            "DuplicateTagKeys"
        );
        assert_eq!(tags_from(&Some(vec![t("a")])).unwrap().len(), 1);
    }
}
