//! Whether one condition holds for a request context (IAM User Guide, "IAM JSON policy
//! elements: Condition operators" and "Creating a condition with multiple context keys or
//! values").
//!
//! The rules, in AWS's words where they are subtle:
//! - several values for one key are OR'd: the condition holds if any policy value matches;
//!   for a negated operator (`StringNotEquals`, `NotIpAddress`, ...) the values are NOR'd: it
//!   holds if no policy value matches;
//! - "If the key that you specify in a policy condition is not present in the request context,
//!   the values do not match and the condition is false. If the policy condition requires that
//!   the key is not matched, such as StringNotLike or ArnNotLike, and the right key is not
//!   present, the condition is true. This logic applies to all condition operators except
//!   ...IfExists and Null check";
//! - `...IfExists`: "If the policy key is present in the context of the request, process the key
//!   as specified in the policy. If the key is not present, evaluate the condition element as
//!   true";
//! - `Null`: `true` holds when the key is absent (or has no value), `false` when it is present;
//! - `ForAllValues:` holds when every request value matches some policy value, and "also
//!   returns true if there are no context keys in the request, or if the context key value
//!   resolves to a null data set"; `ForAnyValue:` holds when at least one request value matches
//!   and "returns false if there are no context keys";
//! - numbers, dates, booleans and addresses that do not parse simply do not match.

use crate::ast::{Condition, ConditionValue, Operator, SetQualifier};
use crate::context::Context;
use crate::parse::parse_network;
use crate::variable::Pattern;
use crate::wildcard::{self, Token};

/// Whether `condition` holds for `context`.
pub(crate) fn holds(condition: &Condition, context: &Context) -> bool {
    let present = context
        .get_lower(&condition.key_lower)
        .filter(|values| !values.is_empty());

    if condition.operator == Operator::Null {
        // Several values OR, like any other operator; a value other than true/false never
        // matches.
        return condition.values.iter().any(|v| {
            let text = v.pattern.as_str();
            if text.eq_ignore_ascii_case("true") {
                present.is_none()
            } else if text.eq_ignore_ascii_case("false") {
                present.is_some()
            } else {
                false
            }
        });
    }

    let negated = condition.operator.is_negated();
    let base = positive(condition.operator);
    // The operator applied to one request value: OR over the policy values, NOR if negated.
    let one = |request_value: &str| {
        let any = condition
            .values
            .iter()
            .any(|v| value_matches(base, v, request_value, context));
        any != negated
    };

    match (condition.qualifier, present) {
        (Some(SetQualifier::ForAllValues), None) => true,
        (Some(SetQualifier::ForAnyValue), None) => condition.if_exists,
        (None, None) => condition.if_exists || negated,
        (Some(SetQualifier::ForAllValues), Some(values)) => values.iter().all(|v| one(v)),
        (Some(SetQualifier::ForAnyValue), Some(values)) => values.iter().any(|v| one(v)),
        // A single-valued operator: for a multivalued key, matching any request value counts
        // as a match (negated: none may match).
        (None, Some(values)) => {
            let any = values.iter().any(|rv| {
                condition
                    .values
                    .iter()
                    .any(|v| value_matches(base, v, rv, context))
            });
            any != negated
        }
    }
}

/// The positive operator a negated one is the negation of.
fn positive(op: Operator) -> Operator {
    use Operator::*;
    match op {
        StringNotEquals => StringEquals,
        StringNotEqualsIgnoreCase => StringEqualsIgnoreCase,
        StringNotLike => StringLike,
        NumericNotEquals => NumericEquals,
        DateNotEquals => DateEquals,
        NotIpAddress => IpAddress,
        ArnNotEquals => ArnEquals,
        ArnNotLike => ArnLike,
        other => other,
    }
}

/// Whether one request value matches one policy value under a positive operator.
fn value_matches(op: Operator, policy: &ConditionValue, request: &str, context: &Context) -> bool {
    use Operator::*;
    match op {
        StringLike => policy.pattern.matches_wild(request, context),
        ArnEquals | ArnLike => match policy.pattern.has_variables() {
            false => arn_matches_plain(&policy.pattern, request),
            true => policy
                .pattern
                .tokens(context)
                .is_some_and(|tokens| arn_matches_tokens(&tokens, request)),
        },
        IpAddress => {
            let network = match policy.network {
                Some(net) => Some(net),
                None => policy
                    .pattern
                    .resolve(context)
                    .and_then(|text| parse_network(&text)),
            };
            match (network, parse_network(request)) {
                (Some(net), Some(addr)) => net.contains(&addr),
                _ => false,
            }
        }
        _ => {
            let Some(policy_text) = policy.pattern.resolve(context) else {
                // An unresolved policy variable has "no equal or like value".
                return false;
            };
            let p = policy_text.as_ref();
            match op {
                StringEquals => p == request,
                StringEqualsIgnoreCase => eq_ignore_case(p, request),
                NumericEquals => compare_numbers(p, request, |o| o.is_eq()),
                NumericLessThan => compare_numbers(p, request, |o| o.is_lt()),
                NumericLessThanEquals => compare_numbers(p, request, |o| o.is_le()),
                NumericGreaterThan => compare_numbers(p, request, |o| o.is_gt()),
                NumericGreaterThanEquals => compare_numbers(p, request, |o| o.is_ge()),
                DateEquals => compare_dates(p, request, |o| o.is_eq()),
                DateLessThan => compare_dates(p, request, |o| o.is_lt()),
                DateLessThanEquals => compare_dates(p, request, |o| o.is_le()),
                DateGreaterThan => compare_dates(p, request, |o| o.is_gt()),
                DateGreaterThanEquals => compare_dates(p, request, |o| o.is_ge()),
                Bool => match (parse_bool(p), parse_bool(request)) {
                    (Some(a), Some(b)) => a == b,
                    _ => false,
                },
                BinaryEquals => match (base64(p), base64(request)) {
                    (Some(a), Some(b)) => a == b,
                    _ => p == request,
                },
                _ => false,
            }
        }
    }
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The request's ordering relative to the policy value (`request <op> policy`).
fn compare_numbers(policy: &str, request: &str, ok: impl Fn(std::cmp::Ordering) -> bool) -> bool {
    match (number(request), number(policy)) {
        (Some(r), Some(p)) => r.partial_cmp(&p).is_some_and(ok),
        _ => false,
    }
}

/// A decimal number (`10`, `-1.5`, `2e3`); `NaN`, `inf` and hex are not numbers to IAM.
fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn compare_dates(policy: &str, request: &str, ok: impl Fn(std::cmp::Ordering) -> bool) -> bool {
    match (date_millis(request), date_millis(policy)) {
        (Some(r), Some(p)) => ok(r.cmp(&p)),
        _ => false,
    }
}

/// A date as milliseconds since the Unix epoch. AWS accepts ISO 8601 (`2026-01-31`,
/// `2026-01-31T12:00:00Z`, with fractional seconds or a `+hh:mm` offset) and epoch seconds
/// (`1769860800`).
pub(crate) fn date_millis(s: &str) -> Option<i128> {
    let s = s.trim();
    if !s.is_empty()
        && s.bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_digit() || (i == 0 && b == b'-'))
    {
        return s.parse::<i64>().ok().map(|secs| i128::from(secs) * 1000);
    }
    let b = s.as_bytes();
    let digits = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let year = digits(0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = digits(5, 2)?;
    let day = digits(8, 2)?;
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    let mut millis = i128::from(days_from_civil(year, month, day)) * 86_400_000;
    let mut i = 10;
    if i == b.len() {
        return Some(millis);
    }
    if !matches!(b.get(i), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = digits(i + 1, 2)?;
    if b.get(i + 3) != Some(&b':') {
        return None;
    }
    let minute = digits(i + 4, 2)?;
    i += 6;
    let mut second = 0;
    let mut fraction_ms = 0i64;
    if b.get(i) == Some(&b':') {
        second = digits(i + 1, 2)?;
        i += 3;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return None;
            }
            // Milliseconds: the first three fraction digits.
            let frac = &s[start..i.min(start + 3)];
            fraction_ms = frac.parse::<i64>().ok()? * 10i64.pow(3 - frac.len() as u32);
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let offset_minutes = match &b[i..] {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] => {
            let h = digits(i + 1, 2)?;
            let m = match b.len() - i {
                3 => 0,
                5 => digits(i + 3, 2)?,
                6 if b[i + 3] == b':' => digits(i + 4, 2)?,
                _ => return None,
            };
            let total = h * 60 + m;
            if *sign == b'+' { total } else { -total }
        }
        _ => return None,
    };
    millis +=
        i128::from(((hour * 60 + minute - offset_minutes) * 60 + second) * 1000 + fraction_ms);
    Some(millis)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Standard base64 (with or without padding), for `BinaryEquals`.
fn base64(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// AWS: "Each of the six colon-delimited components of the ARN is checked separately and each
/// can include multi-character match wildcards (*) or single-character match wildcards (?)."
/// The sixth component is the rest of the ARN, colons included. A pattern that is not `*` and
/// has fewer than six components matches no ARN.
pub(crate) fn arn_matches_plain(pattern: &Pattern, arn: &str) -> bool {
    let raw = pattern.as_str();
    let shape = pattern.shape();
    if raw == "*" {
        return true;
    }
    if shape.arn_parts < 6 {
        return false;
    }
    if shape.literal {
        return raw == arn;
    }
    if !shape.wild_head {
        // The first five components are literal, so the whole-string match is the same.
        return wildcard::matches(raw, arn, false);
    }
    components_match(raw, arn)
}

fn components_match(pattern: &str, arn: &str) -> bool {
    let mut p = pattern.splitn(6, ':');
    let mut a = arn.splitn(6, ':');
    for _ in 0..6 {
        match (p.next(), a.next()) {
            (Some(pc), Some(ac)) if wildcard::matches(pc, ac, false) => {}
            _ => return false,
        }
    }
    true
}

/// [`arn_matches_plain`] for a pattern whose variables were substituted into tokens.
pub(crate) fn arn_matches_tokens(pattern: &[Token], arn: &str) -> bool {
    if pattern == [Token::Star] {
        return true;
    }
    let mut parts: Vec<&[Token]> = Vec::with_capacity(6);
    let mut rest = pattern;
    while parts.len() < 5 {
        match rest.iter().position(|t| *t == Token::Literal(':')) {
            Some(i) => {
                parts.push(&rest[..i]);
                rest = &rest[i + 1..];
            }
            None => return false,
        }
    }
    parts.push(rest);
    let arn_parts: Vec<&str> = arn.splitn(6, ':').collect();
    arn_parts.len() == 6
        && parts
            .iter()
            .zip(&arn_parts)
            .all(|(p, a)| wildcard::matches_tokens(p, a))
}

/// Used by `Resource` matching: the same component-wise rule as `ArnLike` when the pattern is
/// an ARN, else a plain wildcard match of the whole string.
pub(crate) fn resource_matches(pattern: &Pattern, resource: &str, context: &Context) -> bool {
    let raw = pattern.as_str();
    if raw == "*" {
        return true;
    }
    if !pattern.has_variables() {
        let shape = pattern.shape();
        return if shape.literal {
            raw == resource
        } else if shape.arn_parts == 6 && shape.wild_head && resource.splitn(6, ':').count() == 6 {
            components_match(raw, resource)
        } else {
            wildcard::matches(raw, resource, false)
        };
    }
    match pattern.tokens(context) {
        Some(tokens) => {
            let colons = tokens.iter().filter(|t| **t == Token::Literal(':')).count();
            if colons >= 5 && resource.splitn(6, ':').count() == 6 {
                arn_matches_tokens(&tokens, resource)
            } else {
                wildcard::matches_tokens(&tokens, resource)
            }
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::JsonType;

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        let (operator, qualifier, if_exists) = {
            let (q, rest) = if let Some(r) = op.strip_prefix("ForAnyValue:") {
                (Some(SetQualifier::ForAnyValue), r)
            } else if let Some(r) = op.strip_prefix("ForAllValues:") {
                (Some(SetQualifier::ForAllValues), r)
            } else {
                (None, op)
            };
            let (base, ie) = match rest.strip_suffix("IfExists") {
                Some(b) => (b, true),
                None => (rest, false),
            };
            (Operator::from_name(base).expect("operator"), q, ie)
        };
        Condition {
            operator,
            qualifier,
            if_exists,
            key: key.to_owned(),
            key_lower: key.to_ascii_lowercase(),
            values: values
                .iter()
                .map(|v| ConditionValue {
                    pattern: Pattern::new(v, true),
                    json: JsonType::String,
                    network: match operator {
                        Operator::IpAddress | Operator::NotIpAddress => parse_network(v),
                        _ => None,
                    },
                })
                .collect(),
        }
    }

    fn ctx(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::new();
        for (k, v) in pairs {
            c.insert(k, *v);
        }
        c
    }

    #[test]
    fn dates() {
        assert_eq!(date_millis("1970-01-01"), Some(0));
        assert_eq!(date_millis("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(date_millis("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(date_millis("1970-01-01T00:00:00.250Z"), Some(250));
        assert_eq!(date_millis("86400"), Some(86_400_000));
        assert_eq!(date_millis("2020-02-30"), None);
        assert_eq!(date_millis("yesterday"), None);
        assert_eq!(date_millis("2019-07-16T12:00:00Z"), Some(1_563_278_400_000));
    }

    #[test]
    fn numeric_parse_errors_do_not_match() {
        let c = cond("NumericLessThan", "s3:max-keys", &["10"]);
        assert!(holds(&c, &ctx(&[("s3:max-keys", "9")])));
        assert!(!holds(&c, &ctx(&[("s3:max-keys", "ten")])));
        assert!(!holds(&c, &ctx(&[("s3:max-keys", "NaN")])));
        // A negated numeric operator on an unparsable value: no policy value "matches", so the
        // NOR holds.
        let n = cond("NumericNotEquals", "s3:max-keys", &["10"]);
        assert!(holds(&n, &ctx(&[("s3:max-keys", "ten")])));
    }

    #[test]
    fn ip_v4_and_v6() {
        let c = cond(
            "IpAddress",
            "aws:SourceIp",
            &["203.0.113.0/24", "2001:db8::/32"],
        );
        assert!(holds(&c, &ctx(&[("aws:SourceIp", "203.0.113.9")])));
        assert!(holds(&c, &ctx(&[("aws:SourceIp", "2001:db8::1")])));
        assert!(!holds(&c, &ctx(&[("aws:SourceIp", "198.51.100.1")])));
        assert!(!holds(&c, &ctx(&[("aws:SourceIp", "not-an-ip")])));
    }

    #[test]
    fn base64_decodes() {
        assert_eq!(base64("aGVsbG8="), Some(b"hello".to_vec()));
        assert_eq!(base64("aGVsbG8"), Some(b"hello".to_vec()));
        assert_eq!(base64("!"), None);
    }

    #[test]
    fn arn_components() {
        let p = |s: &str| Pattern::new(s, true);
        assert!(arn_matches_plain(
            &p("arn:aws:iam::*:role/Admin*"),
            "arn:aws:iam::111122223333:role/AdminX"
        ));
        // `*` in the service component cannot swallow the colons of the other components.
        assert!(!arn_matches_plain(
            &p("arn:aws:*:role/x"),
            "arn:aws:iam::111122223333:role/x"
        ));
        assert!(!arn_matches_plain(
            &p("arn:aws:iam::*:role/x"),
            "not-an-arn"
        ));
        assert!(arn_matches_plain(
            &p("arn:aws:s3:::b/*"),
            "arn:aws:s3:::b/k:with:colons"
        ));
        assert!(!arn_matches_plain(
            &p("arn:aws:s3:::b/*"),
            "arn:aws:s3:::c/k"
        ));
    }
}
