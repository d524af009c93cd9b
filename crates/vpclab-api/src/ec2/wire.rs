//! The EC2 query protocol's two halves: reading a request's flattened parameters
//! (`Filter.1.Value.2=…`) into typed shapes, and writing response shapes as EC2's XML.
//! The shapes themselves are generated from botocore's model (`shapes.rs`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A request's parameters, by their flattened names (`TagSpecification.1.Tag.1.Key`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    params: BTreeMap<String, String>,
}

/// A parameter the request lacks or spells wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A required parameter is missing (`MissingParameter`).
    #[error("The request must contain the parameter {0}")]
    Missing(String),
    /// A parameter's value does not parse as its type (`InvalidParameterValue`).
    #[error("Value ({value}) for parameter {name} is invalid. {why}")]
    Invalid {
        /// The parameter.
        name: String,
        /// Its value.
        value: String,
        /// What was expected.
        why: &'static str,
    },
}

impl Query {
    /// Parameters from `application/x-www-form-urlencoded` text (a POST body or a GET
    /// query string). A name given twice keeps its last value.
    pub fn parse(form: &[u8]) -> Query {
        let params = form_urlencoded::parse(form)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Query { params }
    }

    /// Parameters from pairs.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Query {
        Query {
            params: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// One raw parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// Adds or replaces a parameter.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.params.insert(name.into(), value.into());
    }

    /// The full name of member `name` under `prefix`.
    pub fn key(&self, prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        }
    }

    /// A scalar member, if present.
    pub fn scalar<T: Scalar>(&self, key: &str) -> Result<Option<T>, QueryError> {
        match self.params.get(key) {
            None => Ok(None),
            Some(v) => T::parse(v).map(Some).ok_or_else(|| QueryError::Invalid {
                name: key.to_owned(),
                value: v.clone(),
                why: T::EXPECTED,
            }),
        }
    }

    /// A required member: present, or `MissingParameter`.
    pub fn required<T>(&self, value: Option<T>, key: &str) -> Result<T, QueryError> {
        value.ok_or_else(|| QueryError::Missing(key.to_owned()))
    }

    /// A structure member, if any of its parameters is present.
    pub fn structure<T>(
        &self,
        key: &str,
        read: fn(&Query, &str) -> Result<T, QueryError>,
    ) -> Result<Option<T>, QueryError> {
        let dotted = format!("{key}.");
        let present = self
            .params
            .range(dotted.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&dotted));
        if present {
            read(self, key).map(Some)
        } else {
            Ok(None)
        }
    }

    /// The indices `N` present under `key.N` (in numeric order).
    fn indices(&self, key: &str) -> Vec<u32> {
        let dotted = format!("{key}.");
        let mut out: Vec<u32> = self
            .params
            .range(dotted.clone()..)
            .take_while(|(k, _)| k.starts_with(&dotted))
            .filter_map(|(k, _)| k[dotted.len()..].split('.').next()?.parse().ok())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// A flattened list of scalars (`key.1`, `key.2`, …), if any element is present.
    pub fn scalar_list<T: Scalar>(&self, key: &str) -> Result<Option<Vec<T>>, QueryError> {
        let indices = self.indices(key);
        if indices.is_empty() {
            return Ok(None);
        }
        indices
            .into_iter()
            .filter_map(|i| {
                let k = format!("{key}.{i}");
                self.scalar::<T>(&k).transpose()
            })
            .collect::<Result<Vec<T>, _>>()
            .map(Some)
    }

    /// A flattened list of structures (`key.1.Member`, …), if any element is present.
    pub fn struct_list<T>(
        &self,
        key: &str,
        read: fn(&Query, &str) -> Result<T, QueryError>,
    ) -> Result<Option<Vec<T>>, QueryError> {
        let indices = self.indices(key);
        if indices.is_empty() {
            return Ok(None);
        }
        indices
            .into_iter()
            .map(|i| read(self, &format!("{key}.{i}")))
            .collect::<Result<Vec<T>, _>>()
            .map(Some)
    }

    /// The query protocol's (ELBv2, STS) list of scalars: `key.member.1`, `key.member.2`, …
    pub fn member_list<T: Scalar>(&self, key: &str) -> Result<Option<Vec<T>>, QueryError> {
        self.scalar_list(&format!("{key}.member"))
    }

    /// The query protocol's list of structures: `key.member.1.Name`, …
    pub fn member_struct_list<T>(
        &self,
        key: &str,
        read: fn(&Query, &str) -> Result<T, QueryError>,
    ) -> Result<Option<Vec<T>>, QueryError> {
        self.struct_list(&format!("{key}.member"), read)
    }

    /// The query protocol's map: `key.entry.N.key` and `key.entry.N.value`, in index
    /// order; an entry without a key is skipped.
    pub fn map_entries(&self, key: &str) -> Option<Vec<(String, String)>> {
        let entries = format!("{key}.entry");
        let indices = self.indices(&entries);
        if indices.is_empty() {
            return None;
        }
        Some(
            indices
                .into_iter()
                .filter_map(|i| {
                    let k = self.get(&format!("{entries}.{i}.key"))?;
                    let v = self.get(&format!("{entries}.{i}.value")).unwrap_or("");
                    Some((k.to_owned(), v.to_owned()))
                })
                .collect(),
        )
    }
}

/// A shape a request carries.
pub trait FromQuery: Sized {
    /// Reads the shape's members under `prefix` (empty for the request itself).
    fn from_query(q: &Query, prefix: &str) -> Result<Self, QueryError>;
}

/// A shape a response carries.
pub trait ToXml {
    /// Writes the shape's members (not its own element).
    fn write_members(&self, w: &mut XmlWriter);
}

/// A scalar value on the wire.
pub trait Scalar: Sized {
    /// What the value should look like, for error messages.
    const EXPECTED: &'static str;
    /// Reads the wire text.
    fn parse(s: &str) -> Option<Self>;
    /// Writes the wire text (escaped where needed).
    fn write(&self, out: &mut String);
}

impl Scalar for String {
    const EXPECTED: &'static str = "";
    fn parse(s: &str) -> Option<Self> {
        Some(s.to_owned())
    }
    fn write(&self, out: &mut String) {
        escape_into(self, out);
    }
}

impl Scalar for i32 {
    const EXPECTED: &'static str = "It must be an integer.";
    fn parse(s: &str) -> Option<Self> {
        s.trim().parse().ok()
    }
    fn write(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Scalar for i64 {
    const EXPECTED: &'static str = "It must be an integer.";
    fn parse(s: &str) -> Option<Self> {
        s.trim().parse().ok()
    }
    fn write(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Scalar for f64 {
    const EXPECTED: &'static str = "It must be a number.";
    fn parse(s: &str) -> Option<Self> {
        s.trim().parse().ok()
    }
    fn write(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Scalar for bool {
    const EXPECTED: &'static str = "It must be true or false.";
    fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }
    fn write(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

/// A point in time on the EC2 wire: ISO 8601 in UTC with milliseconds
/// (`2017-09-05T20:41:28.000Z`), held as milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

impl Scalar for Timestamp {
    const EXPECTED: &'static str = "It must be an ISO 8601 timestamp.";
    fn parse(s: &str) -> Option<Self> {
        parse_iso8601(s).map(Timestamp)
    }
    fn write(&self, out: &mut String) {
        write_iso8601(self.0, out);
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm; a date library
/// would be a dependency for two small functions).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Writes `ms` since the epoch as `YYYY-MM-DDTHH:MM:SS.sssZ`.
pub fn write_iso8601(ms: i64, out: &mut String) {
    out.push_str(&vpclab_model::Timestamp(ms).iso8601());
}

/// Reads `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` (or a date alone) to ms since the epoch.
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |t: &str| -> Option<i64> {
        if t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty() {
            t.parse().ok()
        } else {
            None
        }
    };
    let (date, time) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut parts = date.splitn(3, '-');
    let (y, m, d) = (
        num(parts.next()?)?,
        num(parts.next()?)?,
        num(parts.next()?)?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ms = days_from_civil(y, m, d) * 86_400_000;
    if let Some(t) = time {
        let (clock, offset_ms) = if let Some(c) = t.strip_suffix('Z') {
            (c, 0)
        } else if let Some(pos) = t.rfind(['+', '-']).filter(|p| *p > 5) {
            let (c, o) = t.split_at(pos);
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let (oh, om) = o[1..].split_once(':').unwrap_or((&o[1..], "0"));
            (c, sign * (num(oh)? * 3_600_000 + num(om)? * 60_000))
        } else {
            (t, 0)
        };
        let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
        let mut hms = hms.splitn(3, ':');
        let (h, min) = (num(hms.next()?)?, num(hms.next()?)?);
        let sec = hms.next().map(num).unwrap_or(Some(0))?;
        if h > 23 || min > 59 || sec > 60 {
            return None;
        }
        let milli = if frac.is_empty() {
            0
        } else {
            num(&format!("{frac:0<3}")[..3])?
        };
        ms += h * 3_600_000 + min * 60_000 + sec * 1000 + milli - offset_ms;
    }
    Some(ms)
}

/// Escapes XML text: `&`, `<`, `>`, `"`, `'`.
pub fn escape_into(s: &str, out: &mut String) {
    // Most values (ids, addresses, states) have nothing to escape: copy them at once.
    if !s
        .bytes()
        .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
    {
        out.push_str(s);
        return;
    }
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

/// Writes EC2 response XML into one buffer: no tree, no per-element allocation.
#[derive(Debug, Default)]
pub struct XmlWriter {
    /// The document so far.
    pub out: String,
}

impl XmlWriter {
    /// A writer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        XmlWriter {
            out: String::with_capacity(capacity),
        }
    }

    fn open(&mut self, tag: &str) {
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push('>');
    }

    fn close(&mut self, tag: &str) {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
    }

    /// `<tag>value</tag>`, when present.
    pub fn scalar<T: Scalar>(&mut self, tag: &str, value: &Option<T>) {
        if let Some(v) = value {
            self.open(tag);
            v.write(&mut self.out);
            self.close(tag);
        }
    }

    /// `<tag>members</tag>`, when present.
    pub fn structure<T: ToXml>(&mut self, tag: &str, value: &Option<T>) {
        if let Some(v) = value {
            self.element(tag, v);
        }
    }

    /// `<tag>members</tag>`.
    pub fn element<T: ToXml>(&mut self, tag: &str, value: &T) {
        self.open(tag);
        value.write_members(self);
        self.close(tag);
    }

    /// `<tag><item>v</item>…</tag>`, when present (`<tag/>` when empty, which the
    /// clients read as an empty list).
    pub fn scalar_list<T: Scalar>(&mut self, tag: &str, item: &str, value: &Option<Vec<T>>) {
        let Some(items) = value else { return };
        if items.is_empty() {
            self.empty(tag);
            return;
        }
        self.open(tag);
        for v in items {
            self.open(item);
            v.write(&mut self.out);
            self.close(item);
        }
        self.close(tag);
    }

    /// `<tag><item>members</item>…</tag>`, when present.
    pub fn struct_list<T: ToXml>(&mut self, tag: &str, item: &str, value: &Option<Vec<T>>) {
        let Some(items) = value else { return };
        if items.is_empty() {
            self.empty(tag);
            return;
        }
        self.open(tag);
        for v in items {
            self.element(item, v);
        }
        self.close(tag);
    }

    /// The query protocol's map: `<tag><entry><key>k</key><value>v</value></entry>…</tag>`,
    /// when present.
    pub fn map(&mut self, tag: &str, value: &Option<Vec<(String, String)>>) {
        let Some(entries) = value else { return };
        self.open(tag);
        for (k, v) in entries {
            self.open("entry");
            self.text("key", k);
            self.text("value", v);
            self.close("entry");
        }
        self.close(tag);
    }

    /// `<tag/>`.
    pub fn empty(&mut self, tag: &str) {
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push_str("/>");
    }

    /// `<tag>text</tag>` with the text escaped.
    pub fn text(&mut self, tag: &str, text: &str) {
        self.open(tag);
        escape_into(text, &mut self.out);
        self.close(tag);
    }

    /// Raw markup, unescaped (for envelopes).
    pub fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattened_lists_and_structures_read_in_index_order() {
        let q = Query::from_pairs([
            ("Filter.2.Name", "tag:Name"),
            ("Filter.2.Value.1", "web"),
            ("Filter.1.Name", "vpc-id"),
            ("Filter.1.Value.2", "vpc-2"),
            ("Filter.1.Value.1", "vpc-1"),
            ("Filter.10.Name", "state"),
            ("VpcId.1", "vpc-a"),
        ]);
        assert_eq!(
            q.scalar_list::<String>("VpcId").unwrap(),
            Some(vec!["vpc-a".to_owned()])
        );
        assert_eq!(
            q.scalar_list::<String>("Filter.1.Value").unwrap(),
            Some(vec!["vpc-1".to_owned(), "vpc-2".to_owned()])
        );
        let names = q
            .struct_list("Filter", |q, p| {
                Ok(q.scalar::<String>(&q.key(p, "Name"))?.unwrap_or_default())
            })
            .unwrap()
            .unwrap();
        assert_eq!(names, ["vpc-id", "tag:Name", "state"]);
        assert_eq!(q.scalar_list::<String>("Nothing").unwrap(), None);
    }

    #[test]
    fn query_protocol_lists_and_maps() {
        let q = Query::from_pairs([
            ("Subnets.member.2", "subnet-b"),
            ("Subnets.member.1", "subnet-a"),
            ("Attributes.member.1.Key", "k"),
            ("Attributes.member.1.Value", "v"),
            ("Params.entry.1.key", "a"),
            ("Params.entry.1.value", "1"),
        ]);
        assert_eq!(
            q.member_list::<String>("Subnets").unwrap(),
            Some(vec!["subnet-a".to_owned(), "subnet-b".to_owned()])
        );
        let keys = q
            .member_struct_list("Attributes", |q, p| {
                Ok(q.scalar::<String>(&q.key(p, "Key"))?.unwrap_or_default())
            })
            .unwrap();
        assert_eq!(keys, Some(vec!["k".to_owned()]));
        assert_eq!(
            q.map_entries("Params"),
            Some(vec![("a".to_owned(), "1".to_owned())])
        );
        let mut w = XmlWriter::default();
        w.map("P", &q.map_entries("Params"));
        assert_eq!(w.out, "<P><entry><key>a</key><value>1</value></entry></P>");
    }

    #[test]
    fn bad_scalars_are_invalid_parameter_values() {
        let q = Query::from_pairs([("MaxResults", "many"), ("DryRun", "yes")]);
        assert!(matches!(
            q.scalar::<i32>("MaxResults"),
            Err(QueryError::Invalid { .. })
        ));
        assert!(matches!(
            q.scalar::<bool>("DryRun"),
            Err(QueryError::Invalid { .. })
        ));
        assert_eq!(
            Query::from_pairs([("DryRun", "True")])
                .scalar::<bool>("DryRun")
                .unwrap(),
            Some(true)
        );
    }

    #[test]
    fn timestamps_round_trip_and_read_offsets() {
        let mut s = String::new();
        write_iso8601(1_504_644_088_000, &mut s);
        assert_eq!(s, "2017-09-05T20:41:28.000Z");
        assert_eq!(
            parse_iso8601("2017-09-05T20:41:28.000Z"),
            Some(1_504_644_088_000)
        );
        assert_eq!(
            parse_iso8601("2017-09-05T20:41:28Z"),
            Some(1_504_644_088_000)
        );
        assert_eq!(
            parse_iso8601("2017-09-05 22:41:28+02:00"),
            Some(1_504_644_088_000)
        );
        assert_eq!(parse_iso8601("1969-12-31T23:59:59.500Z"), Some(-500));
        assert_eq!(parse_iso8601("2020-02-30"), parse_iso8601("2020-03-01"));
        assert_eq!(parse_iso8601("not a date"), None);
        assert_eq!(parse_iso8601("2017-13-01"), None);
    }

    #[test]
    fn xml_is_escaped_and_empty_lists_are_empty_elements() {
        struct T(Option<String>, Option<Vec<String>>);
        impl ToXml for T {
            fn write_members(&self, w: &mut XmlWriter) {
                w.scalar("name", &self.0);
                w.scalar_list("set", "item", &self.1);
            }
        }
        let mut w = XmlWriter::default();
        w.element("x", &T(Some("a<b&\"c'".into()), Some(vec![])));
        assert_eq!(w.out, "<x><name>a&lt;b&amp;&quot;c&apos;</name><set/></x>");
        let mut w = XmlWriter::default();
        w.element("x", &T(None, Some(vec!["1".into(), "2".into()])));
        assert_eq!(w.out, "<x><set><item>1</item><item>2</item></set></x>");
    }
}
