//! What the demo saw and how it tells it: each step's outcome, the explanation of a
//! refusal (read from the data plane's trace or from S3's error), and the narration as
//! coloured text, plain text or JSON. Pure: no IO, so every line is tested.

use std::fmt::Write as _;

use serde::Serialize;
use vpclab_api::client::{ClientError, Reply};

/// How a step turned out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Traffic passed and the far end answered.
    Allowed,
    /// Traffic was refused: by the network (the trace) or by the service (S3's error).
    Refused,
    /// A change to the lab was made.
    Done,
    /// Something went wrong that the note does not foresee (an API error, a broken answer).
    Failed,
    /// Not run: an earlier step it builds on failed.
    Skipped,
}

impl Outcome {
    /// The word printed for it.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Refused => "refused",
            Outcome::Done => "done",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
        }
    }
}

/// Why something was refused: AWS's code, the component that refused, and its sentence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Reachability Analyzer's explanation code (`NO_ROUTE_TO_DESTINATION`), or the
    /// service's error code (`AccessDenied`).
    pub code: String,
    /// The component (`rtb-0abc (route table)`, `s3://bucket (bucket policy)`).
    pub component: String,
    /// What happened, in the lab's words.
    pub message: String,
}

/// What a step did and saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    /// How it turned out.
    pub outcome: Outcome,
    /// What was tried (the calls made, or the request sent and from where).
    pub action: String,
    /// What came back worth showing (ids, the listing, the echoed address…).
    pub details: Vec<String>,
    /// For a refusal: why.
    pub explanation: Option<Explanation>,
    /// Something the lab did that the note does not say it would (besides the outcome).
    pub problem: Option<String>,
}

impl Observed {
    /// A change made.
    pub fn done(action: impl Into<String>, details: Vec<String>) -> Observed {
        Observed {
            outcome: Outcome::Done,
            action: action.into(),
            details,
            explanation: None,
            problem: None,
        }
    }

    /// A step that could not be carried out.
    pub fn failed(action: impl Into<String>, why: impl Into<String>) -> Observed {
        Observed {
            outcome: Outcome::Failed,
            action: action.into(),
            details: Vec::new(),
            explanation: None,
            problem: Some(why.into()),
        }
    }

    /// Records something unforeseen (the first one is kept).
    pub fn with_problem(mut self, problem: Option<String>) -> Observed {
        if self.problem.is_none() {
            self.problem = problem;
        }
        self
    }
}

/// What traffic through the lab met.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Passage {
    /// Admitted, and the far end answered this.
    Answered(Reply),
    /// Refused, with the explanation.
    Refused(Explanation),
    /// Neither: an answer the demo cannot read as either.
    Broken(String),
}

/// Reads an answer that came back for a request sent through the lab's proxy (or
/// straight to the lab's S3): the proxy's refusal is a 403 whose plain-text body is the
/// trace; S3's refusal is its XML error; anything 2xx is an answer. `service` names who
/// refused for a service error (`s3://bucket (bucket policy)`).
pub fn passage(reply: Reply, service: &str) -> Passage {
    if reply.status == 403
        && let Some(explanation) = trace_refusal(&reply.text())
    {
        return Passage::Refused(explanation);
    }
    if reply.is_success() {
        return Passage::Answered(reply);
    }
    match reply.aws_error() {
        Some(ClientError::Api { code, message }) => Passage::Refused(Explanation {
            code,
            component: service.to_owned(),
            message,
        }),
        _ => Passage::Broken(format!(
            "HTTP {}: {}",
            reply.status,
            reply.text().trim().chars().take(300).collect::<String>()
        )),
    }
}

/// The refusal in a trace as the data plane writes it (`vpclab reach`'s text):
///
/// ```text
/// DROPPED at rtb-0341… (route table): NO_ROUTE_TO_DESTINATION
///   route table rtb-0341… (used by subnet-0347…) has no route to 54.231.0.10
/// ```
///
/// (`DROPPED on the way back at …` for a reply refused.) `None` when the text holds no
/// refusal.
pub fn trace_refusal(text: &str) -> Option<Explanation> {
    let mut lines = text.lines().skip_while(|l| !l.starts_with("DROPPED"));
    let verdict = lines.next()?;
    let rest = verdict.strip_prefix("DROPPED")?;
    let rest = rest.strip_prefix(" on the way back").unwrap_or(rest);
    let (component, code) = rest.strip_prefix(" at ")?.rsplit_once(": ")?;
    let message = lines.next().map(str::trim).unwrap_or_default();
    Some(Explanation {
        code: code.trim().to_owned(),
        component: component.to_owned(),
        message: message.to_owned(),
    })
}

/// One step as reported: what the walkthrough says, and what happened.
#[derive(Clone, Debug, Serialize)]
pub struct Record {
    /// The step's id (`2.1`).
    pub id: &'static str,
    /// Its section's number.
    pub section: u8,
    /// What it shows.
    pub title: &'static str,
    /// What was tried.
    pub action: String,
    /// How it turned out.
    pub outcome: Outcome,
    /// How the note says it turns out.
    pub expected: Outcome,
    /// The refusal's code the note expects, if any.
    pub expected_code: Option<&'static str>,
    /// Whether it turned out as the note says.
    pub as_expected: bool,
    /// What came back worth showing.
    pub details: Vec<String>,
    /// For a refusal: why.
    pub explanation: Option<Explanation>,
    /// What surprised the demo, if anything did.
    pub problem: Option<String>,
}

impl Record {
    /// Compares what happened with what the note says: the outcome, and for a refusal
    /// the explanation's code.
    pub fn judge(
        id: &'static str,
        section: u8,
        title: &'static str,
        expected: Outcome,
        expected_code: Option<&'static str>,
        observed: Observed,
    ) -> Record {
        let code = observed.explanation.as_ref().map(|e| e.code.as_str());
        let mut problem = observed.problem;
        if observed.outcome != expected && problem.is_none() {
            problem = Some(format!(
                "{} where the note says {}",
                observed.outcome.word(),
                expected.word()
            ));
        }
        if problem.is_none()
            && let Some(want) = expected_code
            && code != Some(want)
        {
            problem = Some(format!(
                "refused with {}, where the note expects {want}",
                code.unwrap_or("no explanation")
            ));
        }
        Record {
            id,
            section,
            title,
            action: observed.action,
            outcome: observed.outcome,
            expected,
            expected_code,
            as_expected: problem.is_none(),
            details: observed.details,
            explanation: observed.explanation,
            problem,
        }
    }
}

/// How the narration is dressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// ANSI colours and ✓/✗, for a terminal.
    Colour,
    /// Words only, for pipes and tests: one step per line, `<id> <outcome> <title>`.
    Plain,
}

impl Style {
    /// Colour only on a terminal, and never when `NO_COLOR` is set to a non-empty value
    /// (<https://no-color.org>: "when present and not an empty string").
    pub fn choose(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> Style {
        let no_color = no_color.is_some_and(|v| !v.is_empty());
        if is_terminal && !no_color {
            Style::Colour
        } else {
            Style::Plain
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        match self {
            Style::Colour => format!("\x1b[{code}m{text}\x1b[0m"),
            Style::Plain => text.to_owned(),
        }
    }
}

/// A section's heading.
pub fn heading(style: Style, number: u8, title: &str) -> String {
    format!("\n{}\n", style.paint("1", &format!("{number}. {title}")))
}

/// A step's lines: the step line, what was tried, what came back, and for a refusal the
/// explanation indented under it; a surprise says so last.
pub fn narrate(style: Style, record: &Record) -> String {
    let mut out = String::new();
    let word = format!("{:<8}", record.outcome.word());
    let (mark, colour) = match record.outcome {
        Outcome::Allowed | Outcome::Done => ("✓", "32"),
        Outcome::Refused => ("✗", "33"),
        Outcome::Failed => ("✗", "1;31"),
        Outcome::Skipped => ("-", "2"),
    };
    match style {
        Style::Colour => {
            let _ = writeln!(
                out,
                "  {} {} {} {}",
                style.paint(colour, mark),
                record.id,
                style.paint(colour, &word),
                record.title
            );
        }
        Style::Plain => {
            let _ = writeln!(out, "  {} {} {}", record.id, word, record.title);
        }
    }
    let label = |l: &str| style.paint("2", &format!("{l:<6}"));
    if !record.action.is_empty() {
        let _ = writeln!(out, "        {} {}", label("tried"), record.action);
    }
    // One "saw" label for what came back; its further lines are indented under it.
    for (i, detail) in record.details.iter().enumerate() {
        let l = if i == 0 { label("saw") } else { " ".repeat(6) };
        let _ = writeln!(out, "        {l} {detail}");
    }
    if let Some(e) = &record.explanation {
        let _ = writeln!(
            out,
            "        {} {} at {}",
            label("why"),
            style.paint("1", &e.code),
            e.component
        );
        if !e.message.is_empty() {
            let _ = writeln!(out, "               {}", e.message);
        }
    }
    if let Some(problem) = &record.problem {
        let _ = writeln!(
            out,
            "        {} {problem}",
            style.paint("1;31", "UNEXPECTED:")
        );
    }
    out
}

/// The closing line: all as the note says, or the first step that surprised.
pub fn verdict(records: &[Record]) -> Result<String, String> {
    match records.iter().find(|r| !r.as_expected) {
        None => Ok(format!(
            "every step turned out as the note says ({} step{})",
            records.len(),
            if records.len() == 1 { "" } else { "s" }
        )),
        Some(r) => Err(format!(
            "step {} ({}) surprised the demo: {}",
            r.id,
            r.title,
            r.problem.as_deref().unwrap_or("unexpected")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, content_type: &str, body: &str) -> Reply {
        Reply {
            status,
            content_type: content_type.into(),
            body: body.as_bytes().to_vec().into(),
        }
    }

    /// The body the proxy answers a refused request with (proxy.rs: the first line, then
    /// the trace as `vpclab reach` prints it).
    const NO_ROUTE: &str = "vpclab: i-0a → s3.us-east-1.amazonaws.com:80 refused
 1 → i-0a (instance)  10.0.1.4:49152 → 54.231.0.10:80 tcp
 2 → eni-0b (network interface)  10.0.1.4:49152 → 54.231.0.10:80 tcp
DROPPED at rtb-0c (route table): NO_ROUTE_TO_DESTINATION
  route table rtb-0c (used by subnet-0d) has no route to 54.231.0.10
  (no route in the route table matches the destination)
";

    #[test]
    fn a_trace_refusal_gives_code_component_and_sentence() {
        assert_eq!(
            trace_refusal(NO_ROUTE),
            Some(Explanation {
                code: "NO_ROUTE_TO_DESTINATION".into(),
                component: "rtb-0c (route table)".into(),
                message: "route table rtb-0c (used by subnet-0d) has no route to 54.231.0.10"
                    .into(),
            })
        );
        let back =
            "DROPPED on the way back at acl-1 (network ACL): ACL_RULES_MISMATCH\n  no rule\n";
        assert_eq!(
            trace_refusal(back).map(|e| (e.code, e.component)),
            Some(("ACL_RULES_MISMATCH".into(), "acl-1 (network ACL)".into()))
        );
        assert_eq!(trace_refusal("DELIVERED to s3 in us-east-1"), None);
        assert_eq!(trace_refusal("DROPPED somewhere"), None);
        assert_eq!(trace_refusal(""), None);
    }

    /// The parser against the engine's own text, not a copy of it: a private instance's
    /// trace to S3 with no route, as `vpclab reach` and the proxy's 403 print it.
    #[test]
    fn the_engines_trace_text_reads_as_its_refusal() {
        let mut w = vpclab_testkit::World::new(7);
        let vpc = w.vpc("10.0.0.0/16");
        let subnet = w.subnet(&vpc, "10.0.1.0/24");
        let table = w.route_table(&vpc, &[&subnet]);
        let i = w.instance(&subnet, false, &[]);
        let trace = w.tcp(&i, "s3.us-east-1.amazonaws.com", 80);
        let refusal = vpclab_testkit::refused(&trace, "NO_ROUTE_TO_DESTINATION");
        let read = trace_refusal(&trace.to_string()).expect("a refusal in the text");
        assert_eq!(read.code, "NO_ROUTE_TO_DESTINATION");
        assert_eq!(read.component, refusal.component.to_string());
        assert!(read.component.starts_with(table.as_str()), "{read:?}");
        assert_eq!(read.message, refusal.explanation);
    }

    #[test]
    fn answers_read_as_refusals_or_answers() {
        let refused = passage(reply(403, "text/plain; charset=utf-8", NO_ROUTE), "s3");
        assert!(
            matches!(&refused, Passage::Refused(e) if e.code == "NO_ROUTE_TO_DESTINATION"),
            "{refused:?}"
        );
        let denied = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>\
                      <Message>Access Denied: by the bucket policy</Message></Error>";
        assert_eq!(
            passage(
                reply(403, "application/xml", denied),
                "s3://b (bucket policy)"
            ),
            Passage::Refused(Explanation {
                code: "AccessDenied".into(),
                component: "s3://b (bucket policy)".into(),
                message: "Access Denied: by the bucket policy".into(),
            })
        );
        let ok = reply(200, "text/plain", "203.0.113.7\n");
        assert_eq!(passage(ok.clone(), "x"), Passage::Answered(ok));
        assert_eq!(
            passage(reply(502, "text/plain", "vpclab: nothing listens\n"), "x"),
            Passage::Broken("HTTP 502: vpclab: nothing listens".into())
        );
    }

    fn observed(outcome: Outcome, code: Option<&str>) -> Observed {
        Observed {
            outcome,
            action: "GET /b".into(),
            details: vec!["a.csv".into()],
            explanation: code.map(|c| Explanation {
                code: c.into(),
                component: "rtb-0c (route table)".into(),
                message: "no route".into(),
            }),
            problem: None,
        }
    }

    #[test]
    fn a_step_is_judged_by_outcome_and_code() {
        let r = Record::judge(
            "2.1",
            2,
            "t",
            Outcome::Refused,
            Some("NO_ROUTE_TO_DESTINATION"),
            observed(Outcome::Refused, Some("NO_ROUTE_TO_DESTINATION")),
        );
        assert!(r.as_expected && r.problem.is_none());
        let r = Record::judge(
            "2.1",
            2,
            "t",
            Outcome::Refused,
            Some("NO_ROUTE_TO_DESTINATION"),
            observed(Outcome::Allowed, None),
        );
        assert_eq!(
            r.problem.as_deref(),
            Some("allowed where the note says refused")
        );
        let r = Record::judge(
            "2.1",
            2,
            "t",
            Outcome::Refused,
            Some("NO_ROUTE_TO_DESTINATION"),
            observed(Outcome::Refused, Some("SG_RULES_MISMATCH")),
        );
        assert_eq!(
            r.problem.as_deref(),
            Some("refused with SG_RULES_MISMATCH, where the note expects NO_ROUTE_TO_DESTINATION")
        );
        // A problem the step found itself (the echo showed another address) is kept.
        let r = Record::judge(
            "5.2",
            5,
            "t",
            Outcome::Allowed,
            None,
            observed(Outcome::Allowed, None).with_problem(Some("echo 1.2.3.4, EIP 5.6.7.8".into())),
        );
        assert!(!r.as_expected);
        assert_eq!(r.problem.as_deref(), Some("echo 1.2.3.4, EIP 5.6.7.8"));
    }

    #[test]
    fn plain_narration_is_one_line_per_step_then_indented_lines() {
        let r = Record::judge(
            "2.1",
            2,
            "The private instance lists the bucket",
            Outcome::Refused,
            Some("NO_ROUTE_TO_DESTINATION"),
            observed(Outcome::Refused, Some("NO_ROUTE_TO_DESTINATION")),
        );
        assert_eq!(
            narrate(Style::Plain, &r),
            "  2.1 refused  The private instance lists the bucket
        tried  GET /b
        saw    a.csv
        why    NO_ROUTE_TO_DESTINATION at rtb-0c (route table)
               no route
"
        );
        let colour = narrate(Style::Colour, &r);
        assert!(colour.contains("\x1b[33m✗\x1b[0m 2.1"), "{colour}");
        let surprised = Record::judge(
            "7.1",
            7,
            "Cost",
            Outcome::Done,
            None,
            Observed::failed("POST /_vpclab/cost", "NotFound: No vpclab API"),
        );
        let text = narrate(Style::Plain, &surprised);
        assert!(text.starts_with("  7.1 failed   Cost\n"), "{text}");
        assert!(
            text.ends_with("        UNEXPECTED: NotFound: No vpclab API\n"),
            "{text}"
        );
        assert_eq!(
            verdict(&[r.clone(), surprised]),
            Err("step 7.1 (Cost) surprised the demo: NotFound: No vpclab API".into())
        );
        assert_eq!(
            verdict(&[r]),
            Ok("every step turned out as the note says (1 step)".into())
        );
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert_eq!(Style::choose(true, None), Style::Colour);
        assert_eq!(Style::choose(false, None), Style::Plain);
        assert_eq!(
            Style::choose(true, Some(std::ffi::OsStr::new("1"))),
            Style::Plain
        );
        // An empty NO_COLOR does not count (no-color.org).
        assert_eq!(
            Style::choose(true, Some(std::ffi::OsStr::new(""))),
            Style::Colour
        );
    }
}
