//! IAM's two wildcards: `*` (any run of characters, possibly empty) and `?` (exactly one
//! character). AWS gives no other character a special meaning: `[`, `]`, `+`, `.` and `\` are
//! literal, unlike in a regular expression or a shell glob.
//!
//! Matching is iterative (a single backtrack point for the last `*`), so a hostile pattern such
//! as `*a*a*a*a*b` costs O(pattern × text), never exponential time.

/// One element of a pattern whose characters were produced by policy-variable substitution:
/// characters that came from a variable's value or from the `${*}`/`${?}` escapes are literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token {
    /// A character that must match itself.
    Literal(char),
    /// `*`: any run of characters.
    Star,
    /// `?`: one character.
    One,
}

/// Whether `text` matches `pattern`, where `*` and `?` are wildcards. With `ignore_case`, ASCII
/// letters compare without regard to case (IAM action names are ASCII).
pub(crate) fn matches(pattern: &str, text: &str, ignore_case: bool) -> bool {
    // Fast paths for the two most common shapes in real policies.
    if pattern == "*" {
        return true;
    }
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0usize, 0usize);
    // (pattern index just after the last `*`, text index that `*` has consumed up to)
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if let Some(&pc) = p.get(pi) {
            match pc {
                b'*' => {
                    backtrack = Some((pi + 1, ti));
                    pi += 1;
                    continue;
                }
                // Patterns and texts are `str`, so `?` steps over one whole UTF-8 character.
                b'?' => {
                    pi += 1;
                    ti = next_char(t, ti);
                    continue;
                }
                _ if same_byte(pc, t[ti], ignore_case) => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                _ => {}
            }
        }
        match backtrack {
            Some((after_star, consumed)) => {
                let consumed = next_char(t, consumed);
                backtrack = Some((after_star, consumed));
                pi = after_star;
                ti = consumed;
            }
            None => return false,
        }
    }
    p[pi.min(p.len())..].iter().all(|&c| c == b'*')
}

/// Whether `text` matches a pattern given as tokens (see [`Token`]). Case-sensitive: tokens
/// only come from resources and condition values, which AWS compares case-sensitively.
pub(crate) fn matches_tokens(pattern: &[Token], text: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if let Some(tok) = pattern.get(pi) {
            match *tok {
                Token::Star => {
                    backtrack = Some((pi + 1, ti));
                    pi += 1;
                    continue;
                }
                Token::One => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                Token::Literal(c) if c == t[ti] => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                Token::Literal(_) => {}
            }
        }
        match backtrack {
            Some((after_star, consumed)) => {
                backtrack = Some((after_star, consumed + 1));
                pi = after_star;
                ti = consumed + 1;
            }
            None => return false,
        }
    }
    pattern[pi.min(pattern.len())..]
        .iter()
        .all(|tok| *tok == Token::Star)
}

fn same_byte(a: u8, b: u8, ignore_case: bool) -> bool {
    a == b || (ignore_case && a.eq_ignore_ascii_case(&b))
}

/// The index of the character after the one starting at `i`.
fn next_char(t: &[u8], i: usize) -> usize {
    let width = match t.get(i) {
        Some(&b) if b < 0x80 => 1,
        Some(&b) if b >= 0xF0 => 4,
        Some(&b) if b >= 0xE0 => 3,
        Some(_) => 2,
        None => 1,
    };
    (i + width).min(t.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_any_run_including_empty() {
        assert!(matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a/b/c",
            false
        ));
        assert!(matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/",
            false
        ));
        assert!(!matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket",
            false
        ));
        assert!(matches("*", "", false));
        assert!(matches("a*b*c", "aXXbYYc", false));
        assert!(!matches("a*b*c", "aXXbYY", false));
    }

    #[test]
    fn question_mark_matches_exactly_one_character() {
        assert!(matches("file?.txt", "file1.txt", false));
        assert!(!matches("file?.txt", "file.txt", false));
        assert!(!matches("file?.txt", "file12.txt", false));
        // One character, even when it takes several bytes in UTF-8.
        assert!(matches("caf?", "café", false));
    }

    #[test]
    fn other_characters_are_literal() {
        assert!(matches("a[b]c", "a[b]c", false));
        assert!(!matches("a[b]c", "abc", false));
        assert!(matches("a.c", "a.c", false));
        assert!(!matches("a.c", "abc", false));
        assert!(matches("a+", "a+", false));
    }

    #[test]
    fn case() {
        assert!(matches("s3:Get*", "S3:getobject", true));
        assert!(!matches("s3:Get*", "S3:getobject", false));
    }

    #[test]
    fn pathological_pattern_is_fast() {
        let text = "a".repeat(10_000);
        let pattern = format!("{}b", "*a".repeat(50));
        assert!(!matches(&pattern, &text, false));
    }

    #[test]
    fn tokens() {
        let toks = [Token::Literal('a'), Token::Star, Token::Literal('*')];
        assert!(matches_tokens(&toks, "axyz*"));
        assert!(!matches_tokens(&toks, "axyz"));
        assert!(matches_tokens(&[Token::One, Token::Literal('b')], "éb"));
    }
}
