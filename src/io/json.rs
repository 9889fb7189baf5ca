//! The fields a JSON Lines record is read for, picked out of its line without building the
//! whole object.
//!
//! Parsing a line into a [`serde_json::Value`] made a map, a string for every key and value, and
//! the text through serde_json's scratch buffer, which grows by doubling for every line whose text
//! has an escape (most articles: their paragraphs are `\n`): about a tenth of a one-thread run.
//! Here only the wanted fields are kept, as the raw JSON the line holds for them; the others are
//! skipped. A string is unescaped in one pass into a string of its final size.
//!
//! Anything unusual in a field it reads (a line that is not an object, a field of an unexpected
//! type, an escape that is no character, a number past `f64`'s range) gives `None`, and the
//! caller reads the line in full, so that a bad record is told what it was told before. The
//! fields it skips are checked for their syntax only: a lone surrogate escape, or a number past
//! `f64`'s range, in a field no option names no longer rejects the record. A field named by a
//! dotted path (`article.text`) that is not a key of the line is left to the full read too,
//! which looks inside objects.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::ReadOptions;

/// A record's fields as read from its line: what [`super::read`] makes a record of.
#[derive(Debug, PartialEq)]
pub(super) struct Picked {
    /// The id, when the line has one (a string or a number; `null` counts as none).
    pub id: Option<Value>,
    pub text: String,
    /// The title, when it is a string.
    pub title: Option<String>,
    /// The time, when it is a string or a number (as its JSON text).
    pub time: Option<String>,
    /// The language, when it is a string.
    pub lang: Option<String>,
}

/// The places of the fields in [`Fields`].
const ID: usize = 0;
const TEXT: usize = 1;
const TITLE: usize = 2;
const TIME: usize = 3;
const LANG: usize = 4;

/// The raw JSON of each wanted field (the last of a repeated key, as a map keeps it).
type Fields<'a> = [Option<&'a RawValue>; 5];

/// The wanted fields of `line`, or `None` when the line must be read in full (see the module).
///
/// A field named like the text field is read as the text only: reading a line in full took
/// the text out of the object before it looked for the title, time and language.
pub(super) fn pick(line: &str, o: &ReadOptions) -> Option<Picked> {
    let text_field = o.text_field.as_str();
    fn other<'a>(f: Option<&'a str>, text_field: &str) -> Option<&'a str> {
        f.filter(|&f| f != text_field)
    }
    let names = [
        Some(o.id_field.as_str()),
        Some(text_field),
        other(o.title_field.as_deref(), text_field),
        other(o.time_field.as_deref(), text_field),
        other(Some(o.lang_field.as_str()), text_field),
    ];
    let mut de = serde_json::Deserializer::from_str(line);
    let fields = Picker { names }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    // A field named by a dotted path that is no key of the line may be inside an object.
    if fields.iter().zip(&names).any(|(f, n)| f.is_none() && n.is_some_and(|n| n.contains('.'))) {
        return None;
    }
    // A string with an escape that is no character, or a number past f64's range, fails the
    // whole line when it is read in full: such a line is read in full.
    let string = |k: usize| -> Option<Option<String>> {
        match fields[k] {
            Some(raw) if raw.get().starts_with('"') => Some(Some(unescape(raw.get())?)),
            _ => Some(None),
        }
    };
    let number = |raw: &RawValue| serde_json::from_str::<serde_json::Number>(raw.get()).ok();
    let id = match fields[ID] {
        None => None,
        Some(raw) => match raw.get().as_bytes()[0] {
            b'n' => None,
            b'"' => Some(Value::String(unescape(raw.get())?)),
            b'-' | b'0'..=b'9' => Some(Value::Number(number(raw)?)),
            _ => return None,
        },
    };
    let text = string(TEXT)??;
    let time = match fields[TIME] {
        Some(raw) if matches!(raw.get().as_bytes()[0], b'-' | b'0'..=b'9') => {
            Some(number(raw)?.to_string())
        }
        _ => string(TIME)?,
    };
    let (title, lang) = (string(TITLE)?, string(LANG)?);
    Some(Picked { id, text, title, time, lang })
}

/// The visitor of a line's object: keeps the raw JSON of the wanted keys, skips the rest.
struct Picker<'n> {
    names: [Option<&'n str>; 5],
}

impl<'de> DeserializeSeed<'de> for Picker<'_> {
    type Value = Fields<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Fields<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Picker<'_> {
    type Value = Fields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
        let mut fields: Fields<'de> = [None; 5];
        while let Some(Key(key)) = map.next_key::<Key>()? {
            let wanted = |n: &Option<&str>| *n == Some(&*key);
            if self.names.iter().any(wanted) {
                let raw: &'de RawValue = map.next_value()?;
                for (field, name) in fields.iter_mut().zip(&self.names) {
                    if wanted(name) {
                        *field = Some(raw);
                    }
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(fields)
    }
}

/// An object's key, borrowed from the line unless it has an escape.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(s.into()))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(s.to_owned().into()))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// The string a JSON string literal (`raw`, with its quotes; its escapes well formed, as the
/// parser checked) stands for; `None` when `raw` is not a string or an escape is not a
/// character (a surrogate without its other half).
fn unescape(raw: &str) -> Option<String> {
    let s = raw.strip_prefix('"')?.strip_suffix('"')?;
    let b = s.as_bytes();
    // Every escape is longer than what it stands for.
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    while let Some(k) = memchr::memchr(b'\\', &b[at..]) {
        out.push_str(&s[at..at + k]);
        at += k + 2;
        let c = match *b.get(at - 1)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = hex4(b, at)?;
                at += 4;
                match unit {
                    0xD800..=0xDBFF => {
                        if b.get(at..at + 2) != Some(b"\\u") {
                            return None;
                        }
                        let low = hex4(b, at + 2)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        at += 6;
                        char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?
                    }
                    _ => char::from_u32(unit)?,
                }
            }
            _ => return None,
        };
        out.push(c);
    }
    out.push_str(&s[at..]);
    Some(out)
}

/// The four hex digits at `b[at..]`.
fn hex4(b: &[u8], at: usize) -> Option<u32> {
    let digits = std::str::from_utf8(b.get(at..at + 4)?).ok()?;
    u32::from_str_radix(digits, 16).ok()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn options() -> ReadOptions {
        ReadOptions {
            title_field: Some("title".into()),
            time_field: Some("date".into()),
            ..ReadOptions::default()
        }
    }

    #[test]
    fn picks_the_wanted_fields_and_skips_the_rest() {
        let line = r#"{"url": {"a": [1, "x"]}, "id": "a\"1", "title": "T\u00e9", "text": "x\ny",
            "date": 20240101, "lang": "ar", "text2": "no"}"#;
        let p = pick(line, &options()).expect("an ordinary line");
        assert_eq!(p.id, Some(Value::String("a\"1".into())));
        assert_eq!(p.text, "x\ny");
        assert_eq!(p.title.as_deref(), Some("Té"));
        assert_eq!(p.time.as_deref(), Some("20240101"));
        assert_eq!(p.lang.as_deref(), Some("ar"));
    }

    #[test]
    fn absent_null_and_repeated_fields() {
        let p = pick(r#"{"id": null, "text": "a", "text": "b"}"#, &options()).unwrap();
        assert_eq!((p.id, p.text.as_str(), p.title, p.time, p.lang), (None, "b", None, None, None));
        // A title that is not a string is no title, as `Value::as_str` had it.
        let p = pick(r#"{"id": 7, "text": "a", "title": 3, "date": "d"}"#, &options()).unwrap();
        assert_eq!((p.id, p.title, p.time), (Some(Value::from(7)), None, Some("d".into())));
        // A title field named like the text field is no title.
        let o = ReadOptions { title_field: Some("text".into()), ..options() };
        assert_eq!(pick(r#"{"text": "a"}"#, &o).unwrap().title, None);
    }

    #[test]
    fn skipped_fields_are_checked_for_syntax_only() {
        let line = r#"{"text": "a", "url": "\ud800", "n": 1e400}"#;
        assert_eq!(pick(line, &options()).unwrap().text, "a");
        assert_eq!(pick(r#"{"text": "a", "url": "\q"}"#, &options()), None);
    }

    #[test]
    fn unusual_lines_are_left_to_the_full_read() {
        for line in [
            r#"["text"]"#,
            r#"{"text": 1}"#,
            r#"{"id": "x"}"#,
            r#"{"id": [1], "text": "a"}"#,
            r#"{"id": 1, "text": "a"} x"#,
            r#"{"id": 1, "text": "a""#,
            r#"{"text": "\ud800"}"#,
            r#"{"text": "a", "title": "\udc00"}"#,
            r#"{"text": "a\q"}"#,
            r#"{"text": "a", "date": 1e400}"#,
        ] {
            assert_eq!(pick(line, &options()), None, "{line}");
        }
    }

    #[test]
    fn a_dotted_name_that_is_no_key_is_left_to_the_full_read() {
        let o = ReadOptions { title_field: Some("meta.title".into()), ..options() };
        // The key itself is picked as any other.
        let p = pick(r#"{"text": "a", "meta.title": "T"}"#, &o).unwrap();
        assert_eq!(p.title.as_deref(), Some("T"));
        // Not a key: it may be inside an object, which only the full read looks into.
        assert_eq!(pick(r#"{"text": "a", "meta": {"title": "T"}}"#, &o), None);
        assert_eq!(pick(r#"{"text": "a"}"#, &o), None);
    }

    proptest! {
        /// Whatever a string holds, its JSON form unescapes to it, as serde_json reads it.
        #[test]
        fn unescapes_as_serde_json_reads(s in any::<String>(), ascii in any::<bool>()) {
            // The JSON form without its quotes.
            let inner = |s: &str| {
                let t = serde_json::to_string(s).unwrap();
                t[1..t.len() - 1].to_owned()
            };
            let raw = if ascii {
                // Every character outside ASCII as `\u` escapes (pairs past the BMP).
                s.chars().map(|c| {
                    if c.is_ascii() {
                        inner(&c.to_string())
                    } else {
                        c.encode_utf16(&mut [0; 2]).iter().map(|u| format!("\\u{u:04X}")).collect()
                    }
                }).collect::<String>()
            } else {
                inner(&s)
            };
            let raw = format!("\"{raw}\"");
            prop_assert_eq!(unescape(&raw), Some(serde_json::from_str::<String>(&raw).unwrap()));
        }
    }
}
