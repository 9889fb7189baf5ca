//! Times read from a time field (`--time-field`, the index's `--older-than`): the moment a
//! value stands for, so that times in different forms compare by when they are, not as text.
//!
//! Compared as text, `"1577836800"` (seconds since 1970, in 2020) sorts before `"2019-06-01"`,
//! and `"Thu, 02 Jan 2020 …"` (RFC 2822, what RSS feeds carry) sorts by the day's name. Read as
//! moments they order as they happened. What is read:
//!
//! - ISO 8601 / RFC 3339 dates and times, with `T` or a space between, seconds and fractions
//!   optional, an offset (`Z`, `+03:00`, `+0300`) or none (taken as UTC): `2020-01-02`,
//!   `2020-01-02T10:30`, `2020-01-02 10:30:00.5+03:00`; also with `/` between date parts;
//! - RFC 2822: `Thu, 02 Jan 2020 10:30:00 +0300` (and `GMT`);
//! - ISO 8601's compact forms in digits only, when they make a real date: `2020` (a year),
//!   `20200102`, `202001021030`, `20200102103000`;
//! - any other number, as time since 1970 in seconds, or (by its size: at 10¹¹ and over, 10¹⁴,
//!   10¹⁷) milliseconds, microseconds or nanoseconds, as JavaScript, Java and pandas write them.
//!
//! Digits of any script count as their ASCII digits (`٢٠٢٠-٠١-٠٢`, `۲۰۲۰/۱/۲`, as Arabic and
//! Persian archives write dates). Anything else is not read (`03/12/2026` could be March or
//! December): callers say so.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};

/// Nanoseconds since 1970-01-01T00:00:00Z.
pub type Instant = i128;

const NANOS: i128 = 1_000_000_000;

/// The moment `value` stands for, or `None` when it is not a time this module reads.
pub fn instant(value: &str) -> Option<Instant> {
    let s = crate::text::ascii_digits(value);
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(t) = compact(s) {
            return Some(t);
        }
        if s.len() == 8 {
            return None; // YYYYMMDD but no such day (`20201301`): not seconds of 1973
        }
    }
    if let Some(t) = number(s) {
        return Some(t);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(of_utc(t.naive_utc()));
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(of_utc(t.naive_utc()));
    }
    let s = s.replacen('T', " ", 1).replace('/', "-");
    const ZONED: [&str; 2] = ["%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M%#z"];
    for f in ZONED {
        if let Ok(t) = DateTime::parse_from_str(&s, f) {
            return Some(of_utc(t.naive_utc()));
        }
    }
    const NAIVE: [&str; 2] = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"];
    for f in NAIVE {
        if let Ok(t) = NaiveDateTime::parse_from_str(&s, f) {
            return Some(of_utc(t));
        }
    }
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok().map(|d| of_utc(d.and_time(NaiveTime::MIN)))
}

fn of_utc(t: NaiveDateTime) -> Instant {
    let t = t.and_utc();
    i128::from(t.timestamp()) * NANOS + i128::from(t.timestamp_subsec_nanos())
}

/// ISO 8601's forms in digits only: `YYYY`, `YYYYMMDD`, `YYYYMMDDhhmm`, `YYYYMMDDhhmmss`
/// (when a real date).
fn compact(s: &str) -> Option<Instant> {
    let f = match s.len() {
        4 => return NaiveDate::from_ymd_opt(s.parse().ok()?, 1, 1).map(|d| of_utc(d.into())),
        8 => "%Y%m%d",
        12 => "%Y%m%d%H%M",
        14 => "%Y%m%d%H%M%S",
        _ => return None,
    };
    if s.len() == 8 {
        return NaiveDate::parse_from_str(s, f).ok().map(|d| of_utc(d.into()));
    }
    NaiveDateTime::parse_from_str(s, f).ok().map(of_utc)
}

/// A number as time since 1970, its unit told by the size of its whole part; a decimal
/// fraction (`1577836800.25`) is read exactly, to the nanosecond.
fn number(s: &str) -> Option<Instant> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 18 {
        return None;
    }
    let whole: i128 = whole.parse().ok()?;
    let scale = match whole {
        w if w < 100_000_000_000 => NANOS,
        w if w < 100_000_000_000_000 => 1_000_000,
        w if w < 100_000_000_000_000_000 => 1_000,
        _ => 1,
    };
    let places = 10i128.pow(fraction.len() as u32);
    let part = if fraction.is_empty() { 0 } else { fraction.parse::<i128>().ok()? };
    let nanos = whole.checked_mul(scale)?.checked_add(part * scale / places)?;
    Some(if negative { -nanos } else { nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Instant {
        instant(s).unwrap_or_else(|| panic!("{s:?} not read"))
    }

    #[test]
    fn forms_of_one_moment_read_alike() {
        let t = 1_577_960_000 * NANOS; // 2020-01-02T10:13:20Z
        for s in [
            "2020-01-02T10:13:20Z",
            "2020-01-02T13:13:20+03:00",
            "2020-01-02 13:13:20+0300",
            "2020-01-02t10:13:20z",
            " 2020-01-02T10:13:20 ",
            "2020-01-02 10:13:20",
            "2020/01/02 10:13:20",
            "Thu, 02 Jan 2020 10:13:20 GMT",
            "Thu, 02 Jan 2020 13:13:20 +0300",
            "20200102101320",
            "1577960000",
            "1577960000000",
            "1577960000000000",
            "1577960000000000000",
            "1577960000.0",
            "+1577960000",
        ] {
            assert_eq!(at(s), t, "{s}");
        }
        assert_eq!(at("2020-01-02T10:13:20.25Z"), t + NANOS / 4);
        assert_eq!(at("1577960000.25"), t + NANOS / 4);
        assert_eq!(at("1577960000250.5"), t + NANOS / 4 + 500_000);
        assert_eq!(at("2020-01-02T10:13"), t - 20 * NANOS);
    }

    #[test]
    fn dates_alone_are_their_first_moment() {
        let day = at("2020-01-02");
        assert_eq!(day, 1_577_923_200 * NANOS);
        assert_eq!(at("20200102"), day);
        assert_eq!(at("2020/1/2"), day);
        assert_eq!(at("2020"), at("2020-01-01"));
        // In the digits of Arabic, Persian and Devanagari archives.
        assert_eq!(at("٢٠٢٠-٠١-٠٢"), day);
        assert_eq!(at("۲۰۲۰/۱/۲"), day);
        assert_eq!(at("२०२०-०१-०२"), day);
        assert_eq!(at("١٥٧٧٩٢٣٢٠٠"), day, "seconds since 1970");
        assert_eq!(at("٢٠٢٠-٠١-٠٢T٠٠:٠٠:٠٠Z"), day);
    }

    #[test]
    fn moments_order_as_they_happened_where_text_would_not() {
        // As text each pair sorts the other way.
        assert!(at("1577836800") > at("2019-06-01")); // 2020 against 2019
        assert!(at("Wed, 01 Jan 2020 00:00:00 GMT") < at("Thu, 02 Jan 2020 00:00:00 GMT"));
        assert!(at("Fri, 03 Jan 2020 00:00:00 GMT") < at("Thu, 09 Jan 2020 00:00:00 GMT"));
        assert!(at("2020-01-02T10:00:00+03:00") < at("2020-01-02T08:00:00Z"));
        assert!(at("999999999") < at("1000000000"));
        assert!(at("-86400") < at("0"));
        assert!(at("1850-05-01") < at("1970-01-01"));
    }

    #[test]
    fn what_is_not_a_time_is_not_read() {
        for s in [
            "",
            "  ",
            "yesterday",
            "03/12/2026",
            "2020-13-01",
            "20201301",
            "abc1",
            "nan",
            "1e9",
            ".5",
            "--1",
            "1.2.3",
        ] {
            assert_eq!(instant(s), None, "{s}");
        }
    }
}
