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
//! - a date with its month's name, as news pages print it (`21 يوليو 2015`, `21 تموز 2015`,
//!   `July 21, 2015`, a day's name before it and a time after it allowed).
//!
//! - a date in numbers with the year last (`21/07/2015`, `21-07-2015`, `21.07.2015`, a time
//!   after it allowed), where only one of day and month can come first (`21/07/2015` and
//!   `07/21/2015` are the 21st of July) or both are the same (`05/05/2015`); where either can
//!   (`03/12/2026`, March or December?), as [`DateOrder`] says, and without one not at all.
//!
//! - a Hijri date, as the Umm al-Qura calendar of Saudi Arabia reckons it (`5 شوال 1436 هـ`,
//!   `1436/10/05 هـ`; with the Gregorian date beside it, that one, where the two agree), and a
//!   Solar Hijri one, as Iranian and Afghan papers print it (`۱۰ مرداد ۱۴۰۲`, `۱۴۰۲/۰۵/۱۰ ه.ش`);
//!   their months also in English transliteration (`5 Shawwal 1436 AH`, `10 Mordad 1402 SH`).
//!   A date in numbers alone whose year is 1300–1499 is one of these, not a Gregorian date
//!   (`OTHER_YEARS`): Hijri in Arabic-Indic digits, Solar Hijri in Persian ones, unread in
//!   ASCII digits.
//!
//! Digits of any script count as their ASCII digits (`٢٠٢٠-٠١-٠٢`, `۲۰۲۰/۱/۲`, as Arabic and
//! Persian archives write dates). Anything else is not read: callers say so.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime};

/// Nanoseconds since 1970-01-01T00:00:00Z.
pub type Instant = i128;

const NANOS: i128 = 1_000_000_000;

/// Which of day and month a date in numbers gives first, where either could
/// (`05/07/2015`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// `05/07/2015` is the 5th of July, as Arabic, British and most European papers write it.
    DayFirst,
    /// `05/07/2015` is the 7th of May, as American ones do.
    MonthFirst,
}

/// The moment `value` stands for, or `None` when it is not a time this module reads.
pub fn instant(value: &str) -> Option<Instant> {
    instant_as(value, None)
}

/// The moment `value` stands for in whole seconds since 1970 (rounded down), or `None` as
/// [`instant`].
pub fn seconds(value: &str) -> Option<i64> {
    seconds_as(value, None)
}

/// [`seconds`], a date in numbers whose day and month could be either read in `order`.
pub fn seconds_as(value: &str, order: Option<DateOrder>) -> Option<i64> {
    i64::try_from(instant_as(value, order)?.div_euclid(NANOS)).ok()
}

/// [`instant`], a date in numbers whose day and month could be either read in `order`.
pub fn instant_as(value: &str, order: Option<DateOrder>) -> Option<Instant> {
    let digits = crate::text::ascii_digits(value);
    let s = digits.trim();
    if s.is_empty() {
        return None;
    }
    let unmarked = calendar_of_digits(value);
    // RFC 3339, a machine's text (and what `settled` writes), is Gregorian in any year.
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(of_utc(t.naive_utc()));
    }
    if let Some(t) = in_numbers(s, order) {
        // A year a Hijri or Solar Hijri date has, not one a news archive's times have.
        let year = DateTime::from_timestamp(i64::try_from(t.div_euclid(NANOS)).ok()?, 0)?.year();
        return if OTHER_YEARS.contains(&year) {
            other_calendar(s, order, unmarked)
        } else {
            Some(t)
        };
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(of_utc(t.naive_utc()));
    }
    named_month(s).or_else(|| other_calendar(s, order, unmarked))
}

/// The years in which a date in numbers alone (`1436/10/05`, `05-10-1436`, `14361005`) is not
/// read as a Gregorian date: they are the Hijri years of 1882–2076 and the Solar Hijri years of
/// 1921–2120, which Arab and Iranian papers print without their calendar's mark, and no
/// Gregorian year of a news archive. Such a date is read in the calendar its digits' script
/// says ([`calendar_of_digits`]), else left unread (ranked last by `dedup --keep earliest`,
/// never removed by `index remove --older-than`); read as Gregorian, it was the earliest time of
/// all, and the first removed.
const OTHER_YEARS: std::ops::RangeInclusive<i32> = 1300..=1499;

/// The calendar a date in numbers without its calendar's mark is in, by the script of its
/// digits: Persian ones (`۱۴۰۲/۰۵/۱۰`) the Solar Hijri, Arabic-Indic ones (`١٤٣٦/١٠/٠٥`) the
/// Hijri; ASCII digits say neither.
fn calendar_of_digits(value: &str) -> Option<Calendar> {
    value.chars().find_map(|c| match c {
        '\u{6f0}'..='\u{6f9}' => Some(Calendar::Persian),
        '\u{660}'..='\u{669}' => Some(Calendar::Hijri),
        _ => None,
    })
}

/// `s` (its digits ASCII) as a Gregorian time written in numbers only: ISO 8601 and its
/// compact forms, seconds since 1970, a date with its year last ([`numbered`]).
fn in_numbers(s: &str, order: Option<DateOrder>) -> Option<Instant> {
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
    let iso = s.replacen('T', " ", 1).replace('/', "-");
    // ISO 8601's year has four digits (chrono's `%Y` takes `21-07-15` as the year 21).
    if iso
        .as_bytes()
        .get(..5)
        .is_some_and(|b| b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-')
    {
        const ZONED: [&str; 2] = ["%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M%#z"];
        for f in ZONED {
            if let Ok(t) = DateTime::parse_from_str(&iso, f) {
                return Some(of_utc(t.naive_utc()));
            }
        }
        const NAIVE: [&str; 2] = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"];
        for f in NAIVE {
            if let Ok(t) = NaiveDateTime::parse_from_str(&iso, f) {
                return Some(of_utc(t));
            }
        }
        if let Ok(d) = NaiveDate::parse_from_str(&iso, "%Y-%m-%d") {
            return Some(of_utc(d.and_time(NaiveTime::MIN)));
        }
    }
    numbered(s, order)
}

/// `value` as a time that reads the same without an order: itself where [`instant`] reads it
/// (or `order` does not), else the RFC 3339 text of the moment `order` reads in it.
pub fn settled(value: String, order: Option<DateOrder>) -> String {
    if order.is_none() || instant(&value).is_some() {
        return value;
    }
    instant_as(&value, order).and_then(rfc3339).unwrap_or(value)
}

/// `t` as RFC 3339 text (`2015-07-05T10:30:00Z`), which [`instant`] reads as `t` whatever
/// order is given.
pub fn rfc3339(t: Instant) -> Option<String> {
    let secs = i64::try_from(t.div_euclid(NANOS)).ok()?;
    let nanos = t.rem_euclid(NANOS) as u32;
    let t = DateTime::from_timestamp(secs, nanos)?;
    Some(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

/// A date in numbers, year last (`21/07/2015`, `21-07-2015`, `21.07.2015`), a day's name
/// before it and a time after it allowed, as [`named_month`] allows them. Which of the first
/// two numbers is the day: the one over 12, else either if they are the same, else as `order`
/// says.
fn numbered(s: &str, order: Option<DateOrder>) -> Option<Instant> {
    let mut date = None;
    let mut rest = Vec::new();
    for w in s.split(|c: char| c.is_whitespace() || matches!(c, ',' | '،')) {
        let parts: Vec<&str> = w.split(['/', '-', '.']).collect();
        let numbers = parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if parts.len() == 3 && numbers && date.is_none() {
            let sep = w.as_bytes()[parts[0].len()];
            if w.as_bytes()[parts[0].len() + parts[1].len() + 1] != sep
                || parts[0].len() > 2
                || parts[1].len() > 2
                || parts[2].len() != 4
            {
                return None;
            }
            let (a, b): (u32, u32) = (parts[0].parse().ok()?, parts[1].parse().ok()?);
            let (day, month) = match order {
                _ if a == b || (a > 12 && b <= 12) => (a, b),
                _ if b > 12 && a <= 12 => (b, a),
                Some(DateOrder::DayFirst) => (a, b),
                Some(DateOrder::MonthFirst) => (b, a),
                None => return None,
            };
            date = Some(NaiveDate::from_ymd_opt(parts[2].parse().ok()?, month, day)?);
        } else {
            rest.push(w);
        }
    }
    at_time(date?, rest.into_iter())
}

/// `date` at the time the words `rest` give (`10:30`, `10:30:15`, with `AM`/`PM` or `ص`/`م`;
/// midnight without one), taken as UTC; a day's name and a dash among them are left out, and
/// any other word makes it no time.
fn at_time<'a>(date: NaiveDate, rest: impl Iterator<Item = &'a str>) -> Option<Instant> {
    let (mut time, mut pm) = (None, None);
    for w in rest {
        let w = letters(w);
        match w.as_str() {
            "" | "-" => {}
            w if DAYS.contains(&w)
                || (w.len() == 3 && DAYS.iter().any(|d| d.is_ascii() && d.starts_with(w))) => {}
            "am" | "ص" => pm = Some(false),
            "pm" | "م" => pm = Some(true),
            w if w.contains(':') && time.is_none() => time = Some(w.to_owned()),
            _ => return None,
        }
    }
    let time = match time {
        None => NaiveTime::MIN,
        Some(t) => {
            let t = NaiveTime::parse_from_str(&t, "%H:%M:%S")
                .or_else(|_| NaiveTime::parse_from_str(&t, "%H:%M"))
                .ok()?;
            match pm {
                Some(pm) if (1..=12).contains(&chrono::Timelike::hour(&t)) => {
                    let h = chrono::Timelike::hour(&t) % 12 + if pm { 12 } else { 0 };
                    chrono::Timelike::with_hour(&t, h)?
                }
                Some(_) => return None,
                None => t,
            }
        }
    };
    Some(of_utc(date.and_time(time)))
}

/// Month names, English and Arabic (the Egyptian and Gulf names, and the Levantine ones, which
/// are matched first: `كانون الثاني` holds `الثاني`), their letters as [`letters`] leaves them.
const MONTHS: [(&str, u32); 38] = [
    ("كانون الثاني", 1),
    ("تشرين الاول", 10),
    ("تشرين الثاني", 11),
    ("كانون الاول", 12),
    ("شباط", 2),
    ("اذار", 3),
    ("نيسان", 4),
    ("ايار", 5),
    ("حزيران", 6),
    ("تموز", 7),
    ("اب", 8),
    ("ايلول", 9),
    ("يناير", 1),
    ("فبراير", 2),
    ("مارس", 3),
    ("ابريل", 4),
    ("مايو", 5),
    ("يونيو", 6),
    ("يونيه", 6),
    ("يوليو", 7),
    ("يوليه", 7),
    ("اغسطس", 8),
    ("سبتمبر", 9),
    ("اكتوبر", 10),
    ("نوفمبر", 11),
    ("ديسمبر", 12),
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
];

/// Day names, left out of a date (`الثلاثاء 21 يوليو 2015`, `Tuesday, July 21, 2015`,
/// `سه‌شنبه ۱۰ مرداد ۱۴۰۲`).
const DAYS: [&str; 21] = [
    "الاثنين",
    "الثلاثاء",
    "الاربعاء",
    "الخميس",
    "الجمعه",
    "السبت",
    "الاحد",
    "شنبه",
    "يكشنبه",
    "دوشنبه",
    "سهشنبه",
    "چهارشنبه",
    "پنجشنبه",
    "جمعه",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// `s` lower-cased, its Arabic alef forms as `ا`, `ة` as `ه`, `ى` and Persian `ی` as `ي`, `ک` as
/// `ك`, tatweel and the zero-width non-joiner left out (`هـ` is `ه`, `سه‌شنبه` is `سهشنبه`), so
/// names match however they are written.
fn letters(s: &str) -> String {
    s.chars()
        .filter(|&c| c != '\u{640}' && c != '\u{200c}')
        .map(|c| match c {
            'أ' | 'إ' | 'آ' => 'ا',
            'ة' => 'ه',
            'ى' | 'ی' => 'ي',
            'ک' => 'ك',
            c => c.to_lowercase().next().unwrap_or(c),
        })
        .collect()
}

/// A date written with its month's name, as news pages print it: a day, a month (English, or
/// Arabic in its Egyptian, Gulf or Levantine name; English names also as their first three
/// letters), a year, in either order of day and month, a day's name before them left out, and
/// a time after them (`10:30`, `10:30:15`, with `AM`/`PM` or `ص`/`م`) taken as UTC:
/// `21 يوليو 2015`, `الثلاثاء، 21 تموز 2015 - 10:30 م`, `July 21, 2015`, `21 Jul 2015 10:30`.
fn named_month(s: &str) -> Option<Instant> {
    let mut text = letters(s);
    let month = MONTHS.iter().find_map(|&(name, m)| {
        let at = word_at(&text, name)?;
        text.replace_range(at..at + name.len(), " ");
        Some(m)
    });
    let month = month.or_else(|| {
        let (at, m) = text.split(|c: char| !c.is_alphabetic()).find_map(|w| {
            // An English name's first three letters (`Jul`).
            let short = |n: &&(&str, u32)| n.0.is_ascii() && w.len() == 3 && n.0.starts_with(w);
            let m = MONTHS.iter().find(short)?.1;
            Some((word_at(&text, w)?, m))
        })?;
        text.replace_range(at..at + 3, " ");
        Some(m)
    })?;
    let (mut day, mut year, mut rest) = (None, None, Vec::new());
    for w in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '،' | '-' | '.')) {
        match w {
            w if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) && year.is_none() => {
                year = Some(w.parse::<i32>().ok()?)
            }
            w if (1..=2).contains(&w.len())
                && w.bytes().all(|b| b.is_ascii_digit())
                && day.is_none() =>
            {
                day = Some(w.parse::<u32>().ok()?)
            }
            w => rest.push(w),
        }
    }
    at_time(NaiveDate::from_ymd_opt(year?, month, day?)?, rest.into_iter())
}

/// Where `word` stands in `text` as a whole word (not inside a longer one).
fn word_at(text: &str, word: &str) -> Option<usize> {
    text.match_indices(word).map(|(at, _)| at).find(|&at| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphabetic) && !after.is_some_and(char::is_alphabetic)
    })
}

/// A calendar other than the Gregorian that news pages print their dates in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Calendar {
    /// The Hijri (lunar) calendar as Umm al-Qura reckons it: Saudi and Gulf papers.
    Hijri,
    /// The Solar Hijri calendar: Iranian and Afghan papers.
    Persian,
}

/// Month names of the other calendars as papers print them, their letters as [`letters`]
/// leaves them (`جمادى الآخرة` is `جمادي الاخره`, `اردیبهشت` is `ارديبهشت`); a name that
/// holds another (`جمادي الاولي`, `جمادي الاول`) comes first.
const OTHER_MONTHS: [(&str, u8, Calendar); 87] = [
    ("المحرم", 1, Calendar::Hijri),
    ("محرم", 1, Calendar::Hijri),
    ("صفر", 2, Calendar::Hijri),
    ("ربيع الاول", 3, Calendar::Hijri),
    ("ربيع الاخر", 4, Calendar::Hijri),
    ("ربيع الثاني", 4, Calendar::Hijri),
    ("جمادي الاولي", 5, Calendar::Hijri),
    ("جمادي الاول", 5, Calendar::Hijri),
    ("جمادي الاخره", 6, Calendar::Hijri),
    ("جمادي الاخر", 6, Calendar::Hijri),
    ("جمادي الثانيه", 6, Calendar::Hijri),
    ("جمادي الثاني", 6, Calendar::Hijri),
    ("رجب", 7, Calendar::Hijri),
    ("شعبان", 8, Calendar::Hijri),
    ("رمضان", 9, Calendar::Hijri),
    ("شوال", 10, Calendar::Hijri),
    ("ذو القعده", 11, Calendar::Hijri),
    ("ذي القعده", 11, Calendar::Hijri),
    ("ذو الحجه", 12, Calendar::Hijri),
    ("ذي الحجه", 12, Calendar::Hijri),
    ("فروردين", 1, Calendar::Persian),
    ("ارديبهشت", 2, Calendar::Persian),
    ("خرداد", 3, Calendar::Persian),
    ("تير", 4, Calendar::Persian),
    ("مرداد", 5, Calendar::Persian),
    ("امرداد", 5, Calendar::Persian),
    ("شهريور", 6, Calendar::Persian),
    ("مهر", 7, Calendar::Persian),
    ("ابان", 8, Calendar::Persian),
    ("اذر", 9, Calendar::Persian),
    ("دي", 10, Calendar::Persian),
    ("بهمن", 11, Calendar::Persian),
    ("اسفند", 12, Calendar::Persian),
    // English transliterations, as [`spelled`] leaves them.
    ("muharram", 1, Calendar::Hijri),
    ("muharam", 1, Calendar::Hijri),
    ("safar", 2, Calendar::Hijri),
    ("rabi al awwal", 3, Calendar::Hijri),
    ("rabi al awal", 3, Calendar::Hijri),
    ("rabi ul awwal", 3, Calendar::Hijri),
    ("rabi i", 3, Calendar::Hijri),
    ("rabi al thani", 4, Calendar::Hijri),
    ("rabi al akhir", 4, Calendar::Hijri),
    ("rabi ul akhir", 4, Calendar::Hijri),
    ("rabi ul thani", 4, Calendar::Hijri),
    ("rabi us sani", 4, Calendar::Hijri),
    ("rabi ii", 4, Calendar::Hijri),
    ("jumada al ula", 5, Calendar::Hijri),
    ("jumada al awwal", 5, Calendar::Hijri),
    ("jumada al oula", 5, Calendar::Hijri),
    ("jumada i", 5, Calendar::Hijri),
    ("jumada al akhirah", 6, Calendar::Hijri),
    ("jumada al akhira", 6, Calendar::Hijri),
    ("jumada al thani", 6, Calendar::Hijri),
    ("jumada al thaniyah", 6, Calendar::Hijri),
    ("jumada ii", 6, Calendar::Hijri),
    ("rajab", 7, Calendar::Hijri),
    ("shaban", 8, Calendar::Hijri),
    ("shaaban", 8, Calendar::Hijri),
    ("ramadan", 9, Calendar::Hijri),
    ("ramadhan", 9, Calendar::Hijri),
    ("ramazan", 9, Calendar::Hijri),
    ("shawwal", 10, Calendar::Hijri),
    ("shawal", 10, Calendar::Hijri),
    ("dhu al qadah", 11, Calendar::Hijri),
    ("dhu al qidah", 11, Calendar::Hijri),
    ("dhul qadah", 11, Calendar::Hijri),
    ("dhul qidah", 11, Calendar::Hijri),
    ("zul qadah", 11, Calendar::Hijri),
    ("dhu al hijjah", 12, Calendar::Hijri),
    ("dhu al hijja", 12, Calendar::Hijri),
    ("dhul hijjah", 12, Calendar::Hijri),
    ("dhul hijja", 12, Calendar::Hijri),
    ("zul hijjah", 12, Calendar::Hijri),
    ("farvardin", 1, Calendar::Persian),
    ("ordibehesht", 2, Calendar::Persian),
    ("khordad", 3, Calendar::Persian),
    ("tir", 4, Calendar::Persian),
    ("mordad", 5, Calendar::Persian),
    ("amordad", 5, Calendar::Persian),
    ("shahrivar", 6, Calendar::Persian),
    ("mehr", 7, Calendar::Persian),
    ("aban", 8, Calendar::Persian),
    ("azar", 9, Calendar::Persian),
    ("dey", 10, Calendar::Persian),
    ("dei", 10, Calendar::Persian),
    ("bahman", 11, Calendar::Persian),
    ("esfand", 12, Calendar::Persian),
];

/// The calendar a word after a year marks it as of, and how many words the mark is: `هـ`,
/// `هجرية`, `AH`, `A.H.`, `H` (Hijri); `ه.ش`, `هـ ش`, `شمسی`, `هجری شمسی`, `SH`, `AP`
/// (Solar Hijri).
fn calendar_mark(words: &[&str]) -> Option<(Calendar, usize)> {
    match words {
        ["ه" | "هجري" | "هجريه", "ش" | "شمسي", ..] => Some((Calendar::Persian, 2)),
        ["ه.ش" | "هش" | "شمسي" | "sh" | "ap" | "hs", ..] => Some((Calendar::Persian, 1)),
        ["ه" | "هجري" | "هجريه" | "ah" | "a.h." | "a.h" | "h", ..] => {
            Some((Calendar::Hijri, 1))
        }
        _ => None,
    }
}

/// `text` with the marks English transliterations spell months with made plain: apostrophes
/// and ayn signs left out, a hyphen between letters a space (`Rabi' al-Awwal` is
/// `rabi al awwal`, `Dhul-Hijjah` is `dhul hijjah`, `Sha'ban` is `shaban`).
fn spelled(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\'' | '\u{2019}' | '\u{2018}' | '\u{2bf}' | '\u{2be}' | '`' => {}
            '-' if i > 0
                && chars[i - 1].is_alphabetic()
                && chars.get(i + 1).is_some_and(|c| c.is_alphabetic()) =>
            {
                out.push(' ')
            }
            c => out.push(c),
        }
    }
    out
}

/// A date in another calendar: the Hijri as the Umm al-Qura calendar of Saudi Arabia reckons
/// it (what Saudi and Gulf papers print), or the Solar Hijri of Iran and Afghanistan. With its
/// month's name (`5 شوال 1436 هـ`, `الثلاثاء 5 شوال 1436`, `۱۰ مرداد ۱۴۰۲`) or in numbers with
/// the calendar's mark (`1436/10/05 هـ`, `05/10/1436هـ`, `۱۴۰۲/۰۵/۱۰ ه.ش`, day before month),
/// a day's name and a time allowed as [`at_time`] allows them. Where the value gives the
/// Gregorian date too (`5 شوال 1436 هـ - 21 يوليو 2015 م`, `… الموافق 21/07/2015م`), that is the
/// date read, and only if the two are at most two days apart (papers follow the sighted moon,
/// which can differ from Umm al-Qura by a day or two); further apart, the value is not read.
/// A date in numbers without a mark is read in `unmarked`, the calendar of its digits, when its
/// year is one of [`OTHER_YEARS`].
fn other_calendar(
    s: &str,
    order: Option<DateOrder>,
    unmarked: Option<Calendar>,
) -> Option<Instant> {
    let text = spelled(&letters(s));
    let mut words: Vec<&str> = Vec::new();
    for w in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '،')) {
        // A mark or an era's letter written onto its year (`1436ه`, `2015م`).
        let cut = w.trim_end_matches(|c: char| c.is_alphabetic() || c == '.').len();
        if cut > 0 && cut < w.len() && w.as_bytes()[cut - 1].is_ascii_digit() {
            words.extend([&w[..cut], &w[cut..]]);
        } else if !w.is_empty() {
            words.push(w);
        }
    }
    let digits = |w: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&w.len()) && w.bytes().all(|b| b.is_ascii_digit())
    };
    let mut used = vec![false; words.len()];
    let mut date = None;
    'name: for i in 0..words.len() {
        for &(name, month, calendar) in &OTHER_MONTHS {
            let n = name.split(' ').count();
            if !words[i..].iter().take(n).copied().eq(name.split(' ')) {
                continue;
            }
            // The day before the name (`5 شوال 1436`, `5 Shawwal 1436`) or after it, as English
            // writes it too (`Shawwal 5, 1436`); the year after both.
            let day_first = i > 0 && digits(words[i - 1], 1..=2);
            let (day_at, year_at) = if day_first { (i - 1, i + n) } else { (i + n, i + n + 1) };
            let (Some(&day), Some(&year)) = (words.get(day_at), words.get(year_at)) else {
                return None;
            };
            if !digits(day, 1..=2) || !digits(year, 3..=4) {
                return None;
            }
            date = Some((calendar, year.parse().ok()?, month, day.parse().ok()?));
            used[day_at.min(i)..=year_at].fill(true);
            if let Some((marked, len)) = calendar_mark(&words[year_at + 1..]) {
                if marked != calendar {
                    return None;
                }
                used[year_at + 1..year_at + 1 + len].fill(true);
            }
            break 'name;
        }
    }
    if date.is_none() {
        // In numbers: year first or last, the mark after it; without a mark, a year of
        // OTHER_YEARS in the calendar's digits (`unmarked`).
        let marked = (1..words.len()).find_map(|i| Some((i - 1, calendar_mark(&words[i..])?)));
        let (i, (calendar, len)) = match marked {
            Some(found) => found,
            None => {
                let date = |w: &&str| {
                    w.starts_with(|c: char| c.is_ascii_digit()) && w.contains(['/', '-', '.'])
                };
                (words.iter().position(date)?, (unmarked?, 0))
            }
        };
        let sep = words[i].chars().find(|c| matches!(c, '/' | '-' | '.'))?;
        let parts: Vec<&str> = words[i].split(sep).collect();
        if parts.len() != 3 || !digits(parts[1], 1..=2) {
            return None;
        }
        let (year, day) = match (parts[0], parts[2]) {
            (y, d) if digits(y, 3..=4) && digits(d, 1..=2) => (y, d),
            (d, y) if digits(y, 3..=4) && digits(d, 1..=2) => (y, d),
            _ => return None,
        };
        let year: i32 = year.parse().ok()?;
        if marked.is_none() && !OTHER_YEARS.contains(&year) {
            return None;
        }
        date = Some((calendar, year, parts[1].parse().ok()?, day.parse().ok()?));
        used[i..=i + len].fill(true);
    }
    let (calendar, year, month, day) = date?;
    let iso = match calendar {
        Calendar::Hijri => icu_calendar::Date::try_new_hijri_with_calendar(
            year,
            month,
            day,
            icu_calendar::cal::Hijri::new_umm_al_qura(),
        )
        .ok()?
        .to_calendar(icu_calendar::Iso),
        Calendar::Persian => icu_calendar::Date::try_new_persian(year, month, day)
            .ok()?
            .to_calendar(icu_calendar::Iso),
    };
    let date = NaiveDate::from_ymd_opt(
        iso.era_year().year,
        u32::from(iso.month().ordinal),
        u32::from(iso.day_of_month().0),
    )?;
    // `الموافق` ("which is") before the Gregorian date, and its era `م` after its year, which
    // elsewhere would be the evening's.
    let era = |i: usize| words[i] == "م" && i > 0 && digits(words[i - 1], 4..=4);
    let rest: Vec<&str> = (0..words.len())
        .filter(|&i| !used[i] && words[i] != "الموافق" && !era(i))
        .map(|i| words[i])
        .collect();
    let gregorian = rest.join(" ");
    match numbered(&gregorian, order).or_else(|| named_month(&gregorian)) {
        Some(t) => {
            let day = |t: Instant| t.div_euclid(86_400 * NANOS);
            ((day(of_utc(date.into())) - day(t)).abs() <= 2).then_some(t)
        }
        None => at_time(date, rest.into_iter()),
    }
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

    /// Every one of `forms` is read as `t`.
    fn all_read_as(t: Instant, forms: &[&str]) {
        for s in forms {
            assert_eq!(instant(s), Some(t), "{s}");
        }
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

    /// Dates as news pages print them, with the month's name: English, or Arabic in its
    /// Egyptian, Gulf or Levantine name, however its hamza is written.
    #[test]
    fn dates_with_month_names_read_as_news_pages_print_them() {
        let day = at("2015-07-21");
        all_read_as(
            day,
            &[
                "21 يوليو 2015",
                "٢١ يوليه ٢٠١٥",
                "الثلاثاء، 21 تموز 2015",
                "July 21, 2015",
                "Tuesday, July 21, 2015",
                "21 Jul 2015",
                "Tue 21 July 2015",
            ],
        );
        assert_eq!(at("21 أغسطس 2015"), at("2015-08-21"));
        assert_eq!(at("1 آب 2015"), at("2015-08-01"));
        assert_eq!(at("3 كانون الثاني 2016"), at("2016-01-03"));
        assert_eq!(at("3 كانون الأول 2016"), at("2016-12-03"));
        assert_eq!(at("3 تشرين الثاني 2016"), at("2016-11-03"));
        assert_eq!(at("الثلاثاء 21 يوليو 2015 - 10:30 م"), at("2015-07-21T22:30:00Z"));
        assert_eq!(at("July 21, 2015 9:05 AM"), at("2015-07-21T09:05:00Z"));
        assert_eq!(at("21 July 2015 09:05:30"), at("2015-07-21T09:05:30Z"));
        for s in
            ["31 فبراير 2015", "July 2015", "21 July", "May I go 21 2015", "13:00 PM 1 May 2015"]
        {
            assert_eq!(instant(s), None, "{s}");
        }
    }

    #[test]
    fn dates_in_numbers_are_read_where_day_and_month_are_known() {
        let day = at("2015-07-21");
        for s in
            ["21/07/2015", "07/21/2015", "21-7-2015", "21.07.2015", "٢١/٠٧/٢٠١٥", "Tue 21/07/2015"]
        {
            for order in [None, Some(DateOrder::DayFirst), Some(DateOrder::MonthFirst)] {
                assert_eq!(instant_as(s, order), Some(day), "{s} {order:?}");
            }
        }
        assert_eq!(at("05/05/2015"), at("2015-05-05"));
        assert_eq!(at("21/07/2015 - 10:30 م"), at("2015-07-21T22:30:00Z"));
        assert_eq!(at("الثلاثاء 21/07/2015 10:30:15"), at("2015-07-21T10:30:15Z"));
        // Either could come first: read only in an order given.
        assert_eq!(instant("05/07/2015"), None);
        assert_eq!(instant_as("05/07/2015", Some(DateOrder::DayFirst)), Some(at("2015-07-05")));
        assert_eq!(instant_as("05/07/2015", Some(DateOrder::MonthFirst)), Some(at("2015-05-07")));
        let order = Some(DateOrder::DayFirst);
        for s in
            ["32/07/2015", "21/13/2015", "21/07-2015", "21/07/15", "121/07/2015", "21/07/2015 soon"]
        {
            assert_eq!(instant_as(s, order), None, "{s}");
        }
        // Written back as RFC 3339, it is read as the same moment in any order.
        let t = instant_as("05/07/2015 10:30", order).unwrap();
        let text = rfc3339(t).unwrap();
        assert_eq!(text, "2015-07-05T10:30:00Z");
        assert_eq!(instant_as(&text, Some(DateOrder::MonthFirst)), Some(t));
        assert_eq!(
            rfc3339(at("1969-12-31T23:59:59.5Z")).as_deref(),
            Some("1969-12-31T23:59:59.500Z")
        );
    }

    /// Hijri dates as Saudi and Gulf papers print them, reckoned by Umm al-Qura: 1 Ramadan 1436
    /// was 18 June 2015, 1 Shawwal (the Eid) 17 July, so 5 Shawwal the 21st.
    #[test]
    fn hijri_dates_read_as_umm_al_qura_reckons_them() {
        let day = at("2015-07-21");
        all_read_as(
            day,
            &[
                "5 شوال 1436 هـ",
                "5 شوال 1436هـ",
                "٥ شوال ١٤٣٦ هـ",
                "الثلاثاء 5 شوال 1436",
                "الثلاثاء، 5 شوال 1436 هجرية",
                "1436/10/05 هـ",
                "05/10/1436هـ",
                "5-10-1436 هـ",
                "1436/10/5 AH",
            ],
        );
        assert_eq!(at("1 رمضان 1436"), at("2015-06-18"));
        assert_eq!(at("1 المحرم 1447 هـ"), at("2025-06-26"));
        assert_eq!(at("1 رمضان 1445"), at("2024-03-11"));
        assert_eq!(at("10 ذو الحجة 1445 هـ"), at("2024-06-16"));
        assert_eq!(at("10 ذي الحجة 1445 هـ"), at("2024-06-16"));
        // Each name is its month, however it is spelled.
        for (name, month) in [
            ("صفر", 2),
            ("ربيع الأول", 3),
            ("ربيع الآخر", 4),
            ("ربيع الثاني", 4),
            ("جمادى الأولى", 5),
            ("جمادى الأول", 5),
            ("جمادى الآخرة", 6),
            ("جمادى الثانية", 6),
            ("رجب", 7),
            ("شعبان", 8),
            ("ذو القعدة", 11),
        ] {
            assert_eq!(
                at(&format!("15 {name} 1446")),
                at(&format!("1446/{month}/15 هـ")),
                "{name}"
            );
        }
        assert_eq!(at("الثلاثاء 5 شوال 1436 هـ - 10:30 م"), at("2015-07-21T22:30:00Z"));
        // Both calendars: the Gregorian date is read, where the two agree within two days.
        assert_eq!(at("الثلاثاء 5 شوال 1436 هـ - 21 يوليو 2015 م"), day);
        assert_eq!(at("5 شوال 1436هـ الموافق 21/07/2015م"), day);
        assert_eq!(at("23 شوال 1445 هـ - 2 مايو 2024 م"), at("2024-05-02"));
        assert_eq!(at("4 شوال 1436 هـ - 21 يوليو 2015 م 10:30"), at("2015-07-21T10:30:00Z"));
        for s in [
            "5 شوال 1436 هـ - 21 أغسطس 2015 م", // a month apart
            "30 ذو القعدة 1436 هـ",             // that month had 29 days
            "شوال 1436 هـ",
            "5 شوال",
            "5 شوال 1436 قريبا",
            "1436/13/05 هـ",
            "1436/10-05 هـ",
            "5 شوال 1436 هـ 21 يوليو",
        ] {
            assert_eq!(instant(s), None, "{s}");
        }
        assert_eq!(instant("5 شوال 1436 ه.ش"), None, "a Hijri month marked solar");
    }

    /// Hijri and Solar Hijri months in English transliteration, as Gulf and Iranian papers in
    /// English print them, however the apostrophes and hyphens fall: the day before the month
    /// or after it, `AH`, `A.H.`, `H` or `SH` after the year.
    #[test]
    fn hijri_months_spelled_in_english_are_read() {
        all_read_as(
            at("5 شوال 1436 هـ"),
            &[
                "5 Shawwal 1436 AH",
                "Shawwal 5, 1436 AH",
                "Tuesday, 5 Shawwal 1436 AH",
                "5 Shawal 1436",
                "5 Shawwal 1436H",
                "5 Shawwal 1436 A.H.",
                "5 shawwal 1436 ah - July 21, 2015",
            ],
        );
        assert_eq!(at("Shawwal 5, 1436 AH 10:30 PM"), at("2015-07-21T22:30:00Z"));
        for (english, arabic) in [
            ("15 Rabi' al-Awwal 1446 AH", "15 ربيع الأول 1446 هـ"),
            ("15 Rabi\u{2019} al-Awwal 1446", "15 ربيع الأول 1446 هـ"),
            ("15 Rabi al-Thani 1446", "15 ربيع الآخر 1446 هـ"),
            ("15 Jumada al-Ula 1446", "15 جمادى الأولى 1446 هـ"),
            ("15 Jumada al-Akhirah 1446", "15 جمادى الآخرة 1446 هـ"),
            ("1 Sha'ban 1446", "1 شعبان 1446 هـ"),
            ("1 Ramadan 1445", "1 رمضان 1445 هـ"),
            ("1 Dhu al-Qa'dah 1445", "1 ذو القعدة 1445 هـ"),
            ("10 Dhul-Hijjah 1445 AH", "10 ذو الحجة 1445 هـ"),
            ("10 Dhu al-Hijjah 1445", "10 ذو الحجة 1445 هـ"),
            ("1 Muharram 1447", "1 المحرم 1447 هـ"),
            ("10 Mordad 1402", "۱۰ مرداد ۱۴۰۲"),
            ("10 Mordad 1402 SH", "۱۰ مرداد ۱۴۰۲"),
            ("1 Farvardin 1403 AP", "1 فروردين 1403"),
            ("5 Dey 1402", "5 دی 1402"),
        ] {
            assert_eq!(at(english), at(arabic), "{english}");
        }
        for s in ["5 Shawwal 1436 SH", "10 Mordad 1402 AH", "Ramadan Kareem", "Shawwal 1436"] {
            assert_eq!(instant(s), None, "{s}");
        }
    }

    /// A date in numbers alone whose year is a Hijri or Solar Hijri one (1300–1499) is not read
    /// as a Gregorian date of that year (the earliest time of an archive, the first that
    /// `index remove --older-than` removed): in Arabic-Indic digits it is Hijri, in Persian
    /// digits Solar Hijri, in ASCII digits unread. Gregorian years either side, and a
    /// Gregorian month's name, are read as before.
    #[test]
    fn dates_in_numbers_of_hijri_years_are_not_read_as_gregorian() {
        for s in ["1436/10/05", "1436-10-05", "05/10/1436", "1436-10-05 10:30", "14361005", "1436"]
        {
            assert_eq!(instant(s), None, "{s}");
        }
        all_read_as(
            at("5 شوال 1436 هـ"),
            &["١٤٣٦/١٠/٠٥", "٠٥/١٠/١٤٣٦", "١٤٣٦-١٠-٠٥", "الثلاثاء ١٤٣٦/١٠/٠٥"],
        );
        assert_eq!(at("١٤٣٦/١٠/٠٥ ١٠:٣٠"), at("2015-07-21T10:30:00Z"));
        // The 30th of Safar: no Gregorian February has it.
        assert_eq!(at("١٤٤٦/٠٢/٢٩"), at("29 صفر 1446 هـ"));
        all_read_as(at("۱۰ مرداد ۱۴۰۲"), &["۱۴۰۲/۰۵/۱۰", "۱۰/۰۵/۱۴۰۲"]);
        assert_eq!(at("۱۴۰۲/۰۵/۱۰"), at("2023-08-01"));
        // Gregorian years, in any digits; a marked date in its mark's calendar.
        assert_eq!(at("1299-12-31"), at("1299-12-31T00:00:00Z"));
        assert_eq!(at("1500-01-01"), at("1500-01-01T00:00:00Z"));
        all_read_as(at("2015-07-21"), &["٢١/٠٧/٢٠١٥", "۲۰۱۵/۰۷/۲۱", "21/07/2015"]);
        assert_eq!(instant("٠٥/٠٧/٢٠١٥"), None, "either order, not a Hijri year");
        assert_eq!(instant_as("٠٥/٠٧/٢٠١٥", Some(DateOrder::DayFirst)), Some(at("2015-07-05")));
        assert_eq!(at("١٤٠٢/٠٥/١٠ ه.ش"), at("۱۴۰۲/۰۵/۱۰"));
        // A Gregorian month's name, or RFC 3339 (a machine's text, `rfc3339`), says Gregorian.
        assert_eq!(at("21 July 1436"), at("1436-07-21T00:00:00Z"));
        assert_eq!(rfc3339(at("21 July 1436")).as_deref(), Some("1436-07-21T00:00:00Z"));
    }

    /// Solar Hijri dates as Iranian and Afghan papers print them: Nowruz, 1 Farvardin, is the
    /// March equinox's day (1403: 20 March 2024; 1402: 21 March 2023).
    #[test]
    fn solar_hijri_dates_read_as_the_persian_calendar_reckons_them() {
        let nowruz = at("2024-03-20");
        all_read_as(
            nowruz,
            &[
                "۱ فروردین ۱۴۰۳",
                "1 فروردين 1403",
                "چهارشنبه ۱ فروردین ۱۴۰۳",
                "۱۴۰۳/۰۱/۰۱ ه.ش",
                "1403/1/1 هـ ش",
                "01-01-1403 هجری شمسی",
                "1403/01/01ه.ش",
            ],
        );
        assert_eq!(at("۱ فروردین ۱۴۰۲"), at("2023-03-21"));
        assert_eq!(at("۱۲ اردیبهشت ۱۴۰۳"), at("2024-05-01"));
        assert_eq!(at("سه‌شنبه ۱۰ مرداد ۱۴۰۲ ۱۰:۳۰"), at("2023-08-01T10:30:00Z"));
        assert_eq!(at("۱۰ امرداد ۱۴۰۲"), at("۱۰ مرداد ۱۴۰۲"));
        for (name, month) in [("اردیبهشت", 2), ("آبان", 8), ("آذر", 9), ("دی", 10), ("اسفند", 12)]
        {
            assert_eq!(at(&format!("5 {name} 1402")), at(&format!("1402/{month}/5 ه.ش")), "{name}");
        }
        for s in ["۳۱ مهر ۱۴۰۲", "۱ فروردین ۱۴۰۳ هـ", "مهر ۱۴۰۲", "1403/01/01"]
        {
            assert_ne!(instant(s), Some(nowruz), "{s}");
        }
        assert_eq!(instant("۳۱ مهر ۱۴۰۲"), None, "Mehr has 30 days");
        assert_eq!(instant("۱ فروردین ۱۴۰۳ هـ"), None, "a solar month marked lunar");
    }

    proptest::proptest! {
        /// Any text is read or not without a panic; a date in numbers is read in the order
        /// given as the ISO date it is, and its RFC 3339 text reads back as the same moment.
        #[test]
        fn dates_in_numbers_read_as_their_iso_dates(
            d in 1u32..=31, m in 1u32..=12, y in 1000i32..=9999, h in 0u32..24, min in 0u32..60,
            sep in "[/.-]", noise in "\\PC{0,24}",
        ) {
            let _ = instant_as(&noise, Some(DateOrder::DayFirst));
            let iso = NaiveDate::from_ymd_opt(y, m, d).map(|date| {
                of_utc(date.and_time(NaiveTime::from_hms_opt(h, min, 0).unwrap()))
            });
            let day_first = format!("{d:02}{sep}{m}{sep}{y} {h}:{min:02}");
            let month_first = format!("{m}{sep}{d}{sep}{y} {h}:{min:02}");
            // A year of a Hijri calendar in ASCII digits is left unread.
            let read = iso.filter(|_| !OTHER_YEARS.contains(&y));
            proptest::prop_assert_eq!(instant_as(&day_first, Some(DateOrder::DayFirst)), read);
            proptest::prop_assert_eq!(instant_as(&month_first, Some(DateOrder::MonthFirst)), read);
            if let Some(t) = iso {
                let text = rfc3339(t).unwrap();
                proptest::prop_assert_eq!(instant_as(&text, Some(DateOrder::MonthFirst)), Some(t));
            }
        }
    }

    proptest::proptest! {
        /// A Hijri or Solar Hijri date reads the same by its month's name as in numbers, the
        /// next day one day later; with words around it, any text is read or not without a
        /// panic.
        #[test]
        fn hijri_dates_read_alike_in_names_and_numbers(
            y in 1300i32..=1600, m in 0usize..24, d in 1u32..=28, noise in "\\PC{0,12}",
        ) {
            let name = ["محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة",
                "رجب", "شعبان", "رمضان", "شوال", "ذو القعدة", "ذو الحجة", "فروردین", "اردیبهشت",
                "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"][m];
            let mark = if m < 12 { "هـ" } else { "ه.ش" };
            let by_name = instant(&format!("{d} {name} {y} {mark}"));
            proptest::prop_assert!(by_name.is_some());
            let by_number = instant(&format!("{y}/{}/{d:02}{mark}", m % 12 + 1));
            proptest::prop_assert_eq!(by_name, by_number);
            let next = instant(&format!("{} {name} {y}", d + 1)).unwrap();
            proptest::prop_assert_eq!(next - by_name.unwrap(), 86_400 * NANOS);
            let _ = instant(&format!("{noise} {d} {name} {noise}"));
            let _ = instant(&format!("{d} {name} {y} {noise}"));
        }
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
