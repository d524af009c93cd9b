//! ELBv2 tags: AddTags, RemoveTags, DescribeTags on load balancers, target groups and
//! listeners.

use vpclab_model::{Caller, Operation};

use super::shapes;
use super::{read, tag_list, tags_from};
use crate::ec2::wire::Query;
use crate::ec2::{Handler, Plan};
use crate::error::ApiError;

/// The actions of this module.
pub const ACTIONS: &[(&str, Handler)] = &[
    ("AddTags", add_tags),
    ("RemoveTags", remove_tags),
    ("DescribeTags", describe_tags),
];

/// AWS's limit on the ARNs of one DescribeTags call.
const MAX_DESCRIBE_ARNS: usize = 20;

fn add_tags(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::AddTagsInput = read(q)?;
    let tags = tags_from(&Some(req.tags))?;
    Ok(Plan::write(
        Operation::AddTags {
            resource_arns: req.resource_arns,
            tags,
        },
        |_, _| Ok(shapes::AddTagsOutput {}),
    ))
}

fn remove_tags(_: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::RemoveTagsInput = read(q)?;
    Ok(Plan::write(
        Operation::RemoveTags {
            resource_arns: req.resource_arns,
            tag_keys: req.tag_keys,
        },
        |_, _| Ok(shapes::RemoveTagsOutput {}),
    ))
}

fn describe_tags(caller: &Caller, q: &Query) -> Result<Plan, ApiError> {
    let req: shapes::DescribeTagsInput = read(q)?;
    if req.resource_arns.len() > MAX_DESCRIBE_ARNS {
        return Err(ApiError::new(
            "ValidationError",
            format!(
                "1 validation error detected: Value at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to {MAX_DESCRIBE_ARNS}"
            ),
        ));
    }
    let caller = caller.clone();
    Ok(Plan::read(move |lab| {
        let mut out = Vec::new();
        for arn in &req.resource_arns {
            let tags = lab.elb_tags_of(&caller, arn).map_err(ApiError::from)?;
            out.push(shapes::TagDescription {
                resource_arn: Some(arn.clone()),
                tags: Some(tag_list(tags)),
            });
        }
        Ok(shapes::DescribeTagsOutput {
            tag_descriptions: Some(out),
        })
    }))
}
