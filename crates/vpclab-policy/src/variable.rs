//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, and the escapes
//! `${*}`, `${?}`, `${$}`.
//!
//! AWS (IAM User Guide, "IAM policy elements: Variables and tags"):
//! - variables may appear in `Resource` and in condition values, only in policies with
//!   `"Version": "2012-10-17"`; in older policies `${...}` is literal text;
//! - a variable is replaced by the value of the context key it names (key names are
//!   case-insensitive); a key that is absent or multivalued leaves the variable unresolved, and an
//!   element with an unresolved variable matches nothing ("there is no equal or like value");
//! - `${key, 'default'}` gives a default for that case; `''` inside the quotes is one `'`;
//! - `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$`, so a resource can name an
//!   object whose key contains a wildcard character;
//! - substitution is one pass: a value that contains `${...}` is not substituted again.

use std::borrow::Cow;

use crate::context::Context;
use crate::wildcard::{self, Token};

/// One piece of a string that contains policy variables.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Literal policy text, in which `*` and `?` keep their wildcard meaning.
    Text(String),
    /// `${*}`, `${?}` or `${$}`: the character itself, never a wildcard.
    Escaped(char),
    /// `${key}` or `${key, 'default'}`; `key` is lowercased (keys are case-insensitive).
    Variable {
        key: String,
        default: Option<String>,
    },
    /// `${...}` that is not a well-formed variable: it never resolves.
    Malformed,
}

/// A string from a policy (a `Resource` or a condition value), with its policy variables
/// compiled once at parse time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    raw: String,
    /// `None` when the string has no variables (or the policy version does not support them):
    /// then it is matched as it is, without allocation.
    pieces: Option<Vec<Piece>>,
    /// The shape of `raw`, worked out once so that matching a plain pattern does not split it
    /// again for every request.
    shape: Shape,
}

/// What matching a pattern without variables needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    /// No `*` or `?`: equality decides.
    pub(crate) literal: bool,
    /// How many colon-separated ARN components it has (at most 6; the sixth keeps its colons).
    pub(crate) arn_parts: u8,
    /// Whether a wildcard appears in the first five components. When none does, matching the
    /// six components separately is the same as matching the whole string.
    pub(crate) wild_head: bool,
}

impl Shape {
    fn of(raw: &str) -> Shape {
        let mut arn_parts = 0u8;
        let mut wild_head = false;
        for part in raw.splitn(6, ':') {
            arn_parts += 1;
            if arn_parts < 6 && part.contains(['*', '?']) {
                wild_head = true;
            }
        }
        Shape {
            literal: !raw.contains(['*', '?']),
            arn_parts,
            wild_head,
        }
    }
}

impl Pattern {
    /// A pattern for `raw`; `variables` says whether the policy version supports variables.
    pub(crate) fn new(raw: &str, variables: bool) -> Pattern {
        let pieces = if variables && raw.contains("${") {
            Some(compile(raw))
        } else {
            None
        };
        Pattern {
            raw: raw.to_owned(),
            pieces,
            shape: Shape::of(raw),
        }
    }

    /// The shape of the text as written (meaningful when it has no variables).
    pub(crate) fn shape(&self) -> Shape {
        self.shape
    }

    /// The text as written in the policy.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether the pattern has policy variables to substitute.
    pub fn has_variables(&self) -> bool {
        self.pieces.is_some()
    }

    /// The value with variables substituted, for operators without wildcards
    /// (`StringEquals`, `NumericEquals`, ...). `None` when a variable cannot be resolved.
    pub(crate) fn resolve<'a>(&'a self, context: &Context) -> Option<Cow<'a, str>> {
        let Some(pieces) = &self.pieces else {
            return Some(Cow::Borrowed(&self.raw));
        };
        let mut out = String::with_capacity(self.raw.len());
        for piece in pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Escaped(c) => out.push(*c),
                Piece::Variable { key, default } => out.push_str(lookup(context, key, default)?),
                Piece::Malformed => return None,
            }
        }
        Some(Cow::Owned(out))
    }

    /// Whether `text` matches, with `*` and `?` as wildcards (`Resource`, `StringLike`,
    /// `ArnLike`). Characters that came from a variable or an escape are literal.
    pub(crate) fn matches_wild(&self, text: &str, context: &Context) -> bool {
        match &self.pieces {
            None if self.shape.literal => self.raw == text,
            None => wildcard::matches(&self.raw, text, false),
            Some(pieces) => match tokens(pieces, context) {
                Some(tokens) => wildcard::matches_tokens(&tokens, text),
                None => false,
            },
        }
    }

    /// The pattern as wildcard tokens, variables substituted (`None` when one is unresolved);
    /// ARN matching splits these into the six ARN components.
    pub(crate) fn tokens(&self, context: &Context) -> Option<Vec<Token>> {
        match &self.pieces {
            None => Some(plain_tokens(&self.raw)),
            Some(pieces) => tokens(pieces, context),
        }
    }
}

/// Tokens for a string without variables.
pub(crate) fn plain_tokens(raw: &str) -> Vec<Token> {
    raw.chars().map(wild_token).collect()
}

fn wild_token(c: char) -> Token {
    match c {
        '*' => Token::Star,
        '?' => Token::One,
        c => Token::Literal(c),
    }
}

fn tokens(pieces: &[Piece], context: &Context) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.extend(text.chars().map(wild_token)),
            Piece::Escaped(c) => out.push(Token::Literal(*c)),
            Piece::Variable { key, default } => {
                out.extend(lookup(context, key, default)?.chars().map(Token::Literal));
            }
            Piece::Malformed => return None,
        }
    }
    Some(out)
}

/// The single value of `key`, else the default. AWS: a multivalued key cannot be a variable.
fn lookup<'a>(context: &'a Context, key: &str, default: &'a Option<String>) -> Option<&'a str> {
    match context.get_lower(key) {
        Some([one]) => Some(one.as_str()),
        _ => default.as_deref(),
    }
}

fn compile(raw: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = raw;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = closing_brace(after) else {
            break;
        };
        text.push_str(&rest[..start]);
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut text)));
        }
        pieces.push(variable(&after[..end]));
        rest = &after[end + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    pieces
}

/// The index of the `}` that closes a variable, skipping a quoted default value.
fn closing_brace(s: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '}' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

fn variable(inner: &str) -> Piece {
    let inner = inner.trim();
    match inner {
        "*" => return Piece::Escaped('*'),
        "?" => return Piece::Escaped('?'),
        "$" => return Piece::Escaped('$'),
        _ => {}
    }
    let (name, default) = match inner.split_once(',') {
        None => (inner, None),
        Some((name, default)) => {
            let default = default.trim();
            match default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
            {
                // AWS: inside the quotes, `''` is one `'`.
                Some(quoted) if !quoted.replace("''", "").contains('\'') => {
                    (name.trim(), Some(quoted.replace("''", "'")))
                }
                _ => return Piece::Malformed,
            }
        }
    };
    if name.is_empty() || !name.chars().all(is_key_char) {
        return Piece::Malformed;
    }
    Piece::Variable {
        key: name.to_ascii_lowercase(),
        default,
    }
}

/// Characters a condition key name can hold. Keys embed tag keys (`aws:PrincipalTag/Cost
/// Center`), and AWS allows tag keys letters and digits in any script, spaces and
/// `_ . : / = + - @`.
pub(crate) fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, ':' | '/' | '-' | '_' | '.' | '@' | '+' | '=' | ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        let mut c = Context::new();
        c.insert("aws:username", "alice");
        c.insert_many("aws:TagKeys", ["a", "b"]);
        c
    }

    #[test]
    fn substitutes_case_insensitive_key() {
        let p = Pattern::new("home/${AWS:UserName}/*", true);
        assert!(p.has_variables());
        assert_eq!(p.resolve(&ctx()).as_deref(), Some("home/alice/*"));
        assert!(p.matches_wild("home/alice/notes.txt", &ctx()));
        assert!(!p.matches_wild("home/bob/notes.txt", &ctx()));
    }

    #[test]
    fn missing_or_multivalued_key_is_unresolved() {
        assert_eq!(Pattern::new("${aws:userid}", true).resolve(&ctx()), None);
        assert_eq!(Pattern::new("${aws:TagKeys}", true).resolve(&ctx()), None);
        assert!(!Pattern::new("x/${aws:userid}", true).matches_wild("x/", &ctx()));
    }

    #[test]
    fn default_value() {
        let p = Pattern::new("${aws:PrincipalTag/team, 'company-wide'}", true);
        assert_eq!(p.resolve(&ctx()).as_deref(), Some("company-wide"));
        let p = Pattern::new("${aws:userid, 'it''s'}", true);
        assert_eq!(p.resolve(&ctx()).as_deref(), Some("it's"));
    }

    #[test]
    fn escapes_are_literal_not_wildcards() {
        let p = Pattern::new("file${*}", true);
        assert!(p.matches_wild("file*", &ctx()));
        assert!(!p.matches_wild("fileX", &ctx()));
        let p = Pattern::new("${?}${$}", true);
        assert_eq!(p.resolve(&ctx()).as_deref(), Some("?$"));
    }

    #[test]
    fn old_version_treats_variables_literally() {
        let p = Pattern::new("home/${aws:username}", false);
        assert!(!p.has_variables());
        assert!(p.matches_wild("home/${aws:username}", &ctx()));
        assert!(!p.matches_wild("home/alice", &ctx()));
    }

    #[test]
    fn substitution_is_one_pass() {
        let mut c = Context::new();
        c.insert("aws:username", "${aws:username}");
        let p = Pattern::new("${aws:username}", true);
        assert_eq!(p.resolve(&c).as_deref(), Some("${aws:username}"));
    }

    #[test]
    fn unclosed_is_literal_and_malformed_never_matches() {
        let p = Pattern::new("a${b", true);
        assert_eq!(p.resolve(&ctx()).as_deref(), Some("a${b"));
        let p = Pattern::new("${aws:username, nope}", true);
        assert_eq!(p.resolve(&ctx()), None);
    }
}
