//! What every Describe action shares: ids, `Filter.N` with AWS's wildcards, and
//! `MaxResults`/`NextToken` pages.

use vpclab_model::{Kind, Tags};

use super::shapes;
use crate::error::ApiError;

/// A request's filters: every filter must match (AND), any of a filter's values may
/// (OR).
#[derive(Clone, Debug, Default)]
pub struct Filters(Vec<(String, Vec<String>)>);

impl Filters {
    /// The filters of a request.
    pub fn new(filters: &Option<Vec<shapes::Filter>>) -> Filters {
        Filters(
            filters
                .iter()
                .flatten()
                .map(|f| {
                    (
                        f.name.clone().unwrap_or_default(),
                        f.values.clone().unwrap_or_default(),
                    )
                })
                .collect(),
        )
    }

    /// Whether the request has no filters.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether a resource matches. `values` gives the resource's values for a filter
    /// name, or `None` if the name is not one of this resource's filters.
    pub fn matches(&self, values: impl Fn(&str) -> Option<Vec<String>>) -> Result<bool, ApiError> {
        for (name, wanted) in &self.0 {
            let have = values(name).ok_or_else(|| {
                ApiError::invalid_value(format!("The filter '{name}' is invalid"))
            })?;
            if !wanted.iter().any(|w| have.iter().any(|h| glob(w, h))) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The resources that match, in order: what every Describe action keeps of the
    /// caller's resources it was asked about.
    pub fn keep<T>(
        &self,
        resources: impl IntoIterator<Item = T>,
        values: impl Fn(&T, &str) -> Option<Vec<String>>,
    ) -> Result<Vec<T>, ApiError> {
        let mut kept = Vec::new();
        for r in resources {
            if self.matches(|name| values(&r, name))? {
                kept.push(r);
            }
        }
        Ok(kept)
    }

    /// Checks the filter names before any resource is looked at (AWS refuses an unknown
    /// filter even when nothing would be filtered).
    pub fn check(&self, known: impl Fn(&str) -> bool) -> Result<(), ApiError> {
        match self.0.iter().find(|(name, _)| !known(name)) {
            Some((name, _)) => Err(ApiError::invalid_value(format!(
                "The filter '{name}' is invalid"
            ))),
            None => Ok(()),
        }
    }
}

/// AWS's filter wildcards: `*` any run, `?` one character, `\` escapes.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && p[pi] == '\\' && pi + 1 < p.len() && p[pi + 1] == t[ti] {
            pi += 2;
            ti += 1;
        } else if pi < p.len()
            && (p[pi] == '?' || (p[pi] == t[ti] && p[pi] != '*' && p[pi] != '\\'))
        {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// The values of the tag filters every taggable resource has: `tag:<key>`, `tag-key`,
/// `tag-value`. `None` when `name` is not a tag filter.
pub fn tag_filter(tags: &Tags, name: &str) -> Option<Vec<String>> {
    if let Some(key) = name.strip_prefix("tag:") {
        return Some(tags.get(key).cloned().into_iter().collect());
    }
    match name {
        "tag-key" => Some(tags.keys().cloned().collect()),
        "tag-value" => Some(tags.values().cloned().collect()),
        _ => None,
    }
}

/// Whether `name` is one of the tag filters.
pub fn is_tag_filter(name: &str) -> bool {
    name.starts_with("tag:") || name == "tag-key" || name == "tag-value"
}

/// Tags as the wire shows them.
pub fn tag_set(tags: &Tags) -> Option<Vec<shapes::Tag>> {
    if tags.is_empty() {
        return None;
    }
    Some(
        tags.iter()
            .map(|(k, v)| shapes::Tag {
                key: Some(k.clone()),
                value: Some(v.clone()),
            })
            .collect(),
    )
}

/// One page of `items`: at most `max_results` (AWS: between `min` and 1000) from the
/// position `next_token` names, and the token of the next page.
pub fn page<T>(
    items: Vec<T>,
    max_results: Option<i32>,
    next_token: &Option<String>,
    min: i32,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let start = match next_token {
        None => 0,
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= items.len())
            .ok_or_else(|| {
                ApiError::new("InvalidNextToken", format!("The token '{t}' is invalid."))
            })?,
    };
    let size = match max_results {
        None => items.len(),
        Some(n) if (min..=1000).contains(&n) => n as usize,
        Some(n) => {
            return Err(ApiError::invalid_value(format!(
                "Value ( {n} ) for parameter maxResults is invalid. Parameter must be between {min} and 1000."
            )));
        }
    };
    let end = start.saturating_add(size).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    let page = items.into_iter().skip(start).take(end - start).collect();
    Ok((page, next))
}

/// AWS refuses `MaxResults` together with ids for most Describe actions.
pub fn ids_or_page(
    ids: &Option<Vec<String>>,
    max_results: Option<i32>,
    ids_parameter: &str,
) -> Result<(), ApiError> {
    if ids.as_ref().is_some_and(|i| !i.is_empty()) && max_results.is_some() {
        return Err(ApiError::new(
            "InvalidParameterCombination",
            format!("The parameter {ids_parameter} cannot be used with the parameter maxResults"),
        ));
    }
    Ok(())
}

/// Checks every asked-for id exists (for the caller): AWS answers the first missing one
/// with its kind's `NotFound` (or `Malformed`).
pub fn check_ids(
    ids: &Option<Vec<String>>,
    kind: Kind,
    parse_ok: impl Fn(&str) -> bool,
    exists: impl Fn(&str) -> bool,
) -> Result<(), ApiError> {
    for id in ids.iter().flatten() {
        if !parse_ok(id) {
            return Err(vpclab_model::Error::Malformed {
                kind,
                id: id.clone(),
            }
            .into());
        }
        if !exists(id) {
            return Err(vpclab_model::Error::not_found(kind, id).into());
        }
    }
    Ok(())
}

/// Whether `id` was asked for (no ids: all were).
pub fn wanted(ids: &Option<Vec<String>>, id: &str) -> bool {
    ids.as_ref()
        .is_none_or(|ids| ids.is_empty() || ids.iter().any(|i| i == id))
}

/// A one-element value list.
pub fn one(v: impl ToString) -> Option<Vec<String>> {
    Some(vec![v.to_string()])
}

/// A boolean as filters compare it.
pub fn flag(b: bool) -> Option<Vec<String>> {
    one(if b { "true" } else { "false" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_as_aws_filters_use_them() {
        assert!(glob("vpc-*", "vpc-0abc"));
        assert!(glob("*web*", "my-web-server"));
        assert!(glob("10.0.?.0/24", "10.0.1.0/24"));
        assert!(!glob("10.0.?.0/24", "10.0.12.0/24"));
        assert!(glob("a\\*b", "a*b"));
        assert!(!glob("a\\*b", "axb"));
        assert!(!glob("web", "web2"));
        assert!(glob("*", ""));
    }

    #[test]
    fn pages_walk_the_whole_list() {
        let items: Vec<u32> = (0..12).collect();
        let (p1, t1) = page(items.clone(), Some(5), &None, 5).unwrap();
        assert_eq!(
            (p1, t1.clone()),
            (vec![0, 1, 2, 3, 4], Some("5".to_owned()))
        );
        let (p2, t2) = page(items.clone(), Some(5), &t1, 5).unwrap();
        assert_eq!(p2, vec![5, 6, 7, 8, 9]);
        let (p3, t3) = page(items.clone(), Some(5), &t2, 5).unwrap();
        assert_eq!((p3, t3), (vec![10, 11], None));
        assert_eq!(
            page(items.clone(), Some(4), &None, 5).unwrap_err().code,
            "InvalidParameterValue"
        );
        assert_eq!(
            page(items, None, &Some("x".into()), 5).unwrap_err().code,
            "InvalidNextToken"
        );
    }
}
