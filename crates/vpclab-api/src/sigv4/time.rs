//! Request timestamps: AWS's ISO 8601 basic form (`20150830T123600Z`) and the HTTP `Date`
//! header, as milliseconds since the Unix epoch.
//!
//! Hand-written rather than taken from a date crate: SigV4 needs exactly two fixed formats,
//! and the `Date` form botocore writes (`email.utils.formatdate`: `Sun, 30 Aug 2015 12:36:00
//! -0000`, a numeric zone) is not the IMF-fixdate (`… GMT`) that `httpdate` insists on.

/// Milliseconds in a day.
const MS_PER_DAY: i64 = 86_400_000;

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (month, day) = (i64::from(month), i64::from(day));
    let year = if month <= 2 { year - 1 } else { year };
    let era = if year >= 0 { year } else { year - 399 } / 400;
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day number from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = if days >= 0 { days } else { days - 146_096 } / 146_097;
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    // Both values are small and positive by construction (1..=31 and 1..=12).
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Milliseconds since the epoch of a UTC date and time, if every field is in range.
fn to_ms(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<i64> {
    let valid = (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && hour < 24
        && minute < 60
        && second < 60;
    valid.then(|| {
        days_from_civil(year, month, day) * MS_PER_DAY
            + (i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)) * 1000
    })
}

/// The number written by `digits`, which must be ASCII digits only.
fn number(digits: &str) -> Option<u32> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Parses `YYYYMMDD'T'HHMMSS'Z'`, the form of `X-Amz-Date`.
pub(crate) fn parse_amz_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
        return None;
    }
    let field = |from: usize, to: usize| text.get(from..to).and_then(number);
    to_ms(
        i64::from(field(0, 4)?),
        field(4, 6)?,
        field(6, 8)?,
        field(9, 11)?,
        field(11, 13)?,
        field(13, 15)?,
    )
}

/// Splits milliseconds since the epoch into date and time of day (seconds precision).
fn fields(ms: i64) -> (i64, u32, u32, i64, i64, i64) {
    let days = ms.div_euclid(MS_PER_DAY);
    let seconds = ms.rem_euclid(MS_PER_DAY) / 1000;
    let (year, month, day) = civil_from_days(days);
    (
        year,
        month,
        day,
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
    )
}

/// Formats milliseconds since the epoch as `YYYYMMDD'T'HHMMSS'Z'`.
pub(crate) fn format_amz_date(ms: i64) -> String {
    let (year, month, day, hour, minute, second) = fields(ms);
    format!("{year:04}{month:02}{day:02}T{hour:02}{minute:02}{second:02}Z")
}

/// Formats milliseconds since the epoch as `YYYY-MM-DD'T'HH:MM:SS'Z'`, the form of S3's
/// `ServerTime` and `Expires` error details.
pub(crate) fn format_iso8601(ms: i64) -> String {
    let (year, month, day, hour, minute, second) = fields(ms);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Parses an HTTP `Date` header: RFC 9110's IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`)
/// and the RFC 2822 form with a numeric zone (`Sun, 30 Aug 2015 12:36:00 -0000`) that
/// botocore writes when a request carries `Date` instead of `X-Amz-Date`. The weekday is
/// optional and not checked against the date.
pub(crate) fn parse_http_date(text: &str) -> Option<i64> {
    let text = text.trim();
    let rest = match text.split_once(',') {
        Some((weekday, rest))
            if weekday.len() == 3 && weekday.bytes().all(|b| b.is_ascii_alphabetic()) =>
        {
            rest
        }
        Some(_) => return None,
        None => text,
    };
    let mut parts = rest.split_ascii_whitespace();
    let day = number(parts.next()?)?;
    let month_name = parts.next()?;
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(month_name))?;
    let year = parts.next()?;
    if year.len() != 4 {
        return None;
    }
    let year = i64::from(number(year)?);
    let mut clock = parts.next()?.split(':');
    let (hour, minute, second) = (
        number(clock.next()?)?,
        number(clock.next()?)?,
        number(clock.next()?)?,
    );
    let offset_minutes = zone_offset_minutes(parts.next()?)?;
    if clock.next().is_some() || parts.next().is_some() {
        return None;
    }
    // `month` is an index below 12.
    let local = to_ms(year, month as u32 + 1, day, hour, minute, second)?;
    Some(local - offset_minutes * 60_000)
}

/// `GMT`, `UT`, `UTC`, `Z` or `±HHMM`, as minutes east of UTC.
fn zone_offset_minutes(zone: &str) -> Option<i64> {
    if ["GMT", "UT", "UTC", "Z"]
        .iter()
        .any(|z| z.eq_ignore_ascii_case(zone))
    {
        return Some(0);
    }
    let (sign, digits) = match zone.as_bytes().first()? {
        b'+' => (1, zone.get(1..)?),
        b'-' => (-1, zone.get(1..)?),
        _ => return None,
    };
    if digits.len() != 4 {
        return None;
    }
    let hours = i64::from(number(digits.get(..2)?)?);
    let minutes = i64::from(number(digits.get(2..)?)?);
    (hours < 24 && minutes < 60).then_some(sign * (hours * 60 + minutes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2015-08-30T12:36:00Z, the time of AWS's SigV4 test suite.
    const SUITE_MS: i64 = 1_440_938_160_000;

    #[test]
    fn amz_date_round_trip() {
        assert_eq!(parse_amz_date("20150830T123600Z"), Some(SUITE_MS));
        assert_eq!(format_amz_date(SUITE_MS), "20150830T123600Z");
        assert_eq!(format_iso8601(SUITE_MS), "2015-08-30T12:36:00Z");
        assert_eq!(parse_amz_date("19700101T000000Z"), Some(0));
        assert_eq!(format_amz_date(0), "19700101T000000Z");
        assert_eq!(format_amz_date(-1000), "19691231T235959Z");
        assert_eq!(parse_amz_date("19691231T235959Z"), Some(-1000));
    }

    #[test]
    fn amz_date_knows_the_calendar() {
        assert!(parse_amz_date("20240229T000000Z").is_some());
        assert!(parse_amz_date("20000229T000000Z").is_some());
        assert!(parse_amz_date("21000229T000000Z").is_none());
        assert!(parse_amz_date("20230229T000000Z").is_none());
        assert!(parse_amz_date("20230431T000000Z").is_none());
        assert!(parse_amz_date("20231301T000000Z").is_none());
        assert!(parse_amz_date("20231200T000000Z").is_none());
        assert!(parse_amz_date("20231201T240000Z").is_none());
        assert!(parse_amz_date("20231201T236000Z").is_none());
        assert!(parse_amz_date("20231201T235960Z").is_none());
    }

    #[test]
    fn amz_date_is_strict_about_its_shape() {
        for bad in [
            "",
            "20150830T123600",
            "20150830 123600Z",
            "2015-08-30T12:36:00Z",
            "20150830T123600z",
            "2015083OT123600Z",
            "+0150830T123600Z",
            "20150830T12360+Z",
            "20150830T123600Zx",
            "２0150830T123600Z",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        let start = days_from_civil(1900, 1, 1);
        let end = days_from_civil(2300, 1, 1);
        for days in (start..end).step_by(7) {
            let ms = days * MS_PER_DAY + 45_296_000;
            assert_eq!(parse_amz_date(&format_amz_date(ms)), Some(ms));
        }
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"),
            Some(SUITE_MS)
        );
        // botocore's `email.utils.formatdate(…, usegmt=False)`.
        assert_eq!(
            parse_http_date("Sun, 30 Aug 2015 12:36:00 -0000"),
            Some(SUITE_MS)
        );
        assert_eq!(
            parse_http_date("Sun, 30 Aug 2015 14:36:00 +0200"),
            Some(SUITE_MS)
        );
        assert_eq!(parse_http_date("30 Aug 2015 12:36:00 UTC"), Some(SUITE_MS));
        for bad in [
            "",
            "Sun, 30 Aug 15 12:36:00 GMT",
            "Sun, 31 Sep 2015 12:36:00 GMT",
            "Sun, 30 Foo 2015 12:36:00 GMT",
            "Sun, 30 Aug 2015 12:36 GMT",
            "Sun, 30 Aug 2015 12:36:00:00 GMT",
            "Sun, 30 Aug 2015 12:36:00 CEST",
            "Sun, 30 Aug 2015 12:36:00 +02",
            "Sun, 30 Aug 2015 12:36:00 GMT extra",
            "Sunday, 30-Aug-15 12:36:00 GMT",
            "Sun Aug 30 12:36:00 2015",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad:?}");
        }
    }
}
