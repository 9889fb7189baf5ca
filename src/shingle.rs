//! Normalized tokens → a set of hashed shingles (the document's features).
//!
//! Three families, because texts come in two sizes:
//! - **mixed** (`mixed:N`, the default for short texts such as headlines): character n-grams
//!   inside each word (padded with a space at both ends), character n-grams across the boundary
//!   of two neighbouring words in space-separated scripts other than Arabic, the words
//!   themselves, and for Arabic words their consonant skeleton (the stem without `ا و ي`). A
//!   headline of eight words has too few word pairs to compare, but it has fifty character
//!   n-grams, and they survive the inflections that make words differ (`apologises`,
//!   `apologizes`). Across a word boundary, n-grams keep English phrases (`ic vi` of `olympic
//!   village`) but in Arabic they only record which clitic came first, so Arabic words stand
//!   alone; the skeleton lets the verb `يعتذر` meet the noun `اعتذار` (both `عتذر`). Measured on
//!   the OG2021 headlines (see `EVALUATION.md`), each part adds to the next;
//! - **character n-grams** over the whole token string (`char:N`), the textbook feature;
//! - **word n-grams** (`word:N`): cheaper and more selective on long articles, the classic
//!   near-duplicate feature.
//!
//! A text shorter than one shingle still yields one feature (the whole padded text), so nothing
//! short is left without a signature and nothing panics on short input.
//!
//! Hashes are 64-bit and frozen (xxh3 for words, a fixed multiply–xor mix for characters): they
//! are stored in indexes, so changing them is a format change.

use std::fmt;
use std::str::FromStr;

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::text::{Normalized, Reading, arabic};

/// A concrete shingle family and width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shingle {
    /// Character n-grams of this width over the whole token string.
    Char(usize),
    /// Word n-grams of this width. A token of a script written without spaces between words
    /// (Thai, Lao, Khmer, Myanmar, …: a phrase of several words) longer than
    /// [`UNSPACED_WORD_CHARS`] × `n` characters also gives its character windows of that
    /// width, about `n` of its words.
    Word(usize),
    /// Character n-grams of this width inside words and across non-Arabic word boundaries, plus
    /// words, Arabic consonant skeletons, and pairs of Han or Kana characters in a row; Hangul
    /// words in pairs of syllables (see [`crate::text::Reading`]).
    Mixed(usize),
}

/// Which shingles to take, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShingleSpec {
    /// Mixed shingles for a collection of short texts, word n-grams for long ones; decided
    /// once per collection (see [`ShingleSpec::resolve`]) so all its texts stay comparable.
    Auto,
    /// Always this family.
    Fixed(Shingle),
}

/// Median token count at or below which [`ShingleSpec::Auto`] picks [`AUTO_SHORT`].
pub const AUTO_SHORT_TOKENS: usize = 120;
/// What [`ShingleSpec::Auto`] picks for short texts.
pub const AUTO_SHORT: Shingle = Shingle::Mixed(4);
/// What [`ShingleSpec::Auto`] picks for long texts.
pub const AUTO_LONG: Shingle = Shingle::Word(3);

impl ShingleSpec {
    /// The concrete family for a collection with these token counts (`Auto` looks at the median).
    pub fn resolve(self, token_counts: &[usize]) -> Shingle {
        match self {
            ShingleSpec::Fixed(s) => s,
            ShingleSpec::Auto => {
                if token_counts.is_empty() {
                    return AUTO_SHORT;
                }
                let mut v = token_counts.to_vec();
                let mid = v.len() / 2;
                let (_, median, _) = v.select_nth_unstable(mid);
                if *median <= AUTO_SHORT_TOKENS { AUTO_SHORT } else { AUTO_LONG }
            }
        }
    }
}

impl fmt::Display for Shingle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shingle::Char(n) => write!(f, "char:{n}"),
            Shingle::Word(n) => write!(f, "word:{n}"),
            Shingle::Mixed(n) => write!(f, "mixed:{n}"),
        }
    }
}

impl fmt::Display for ShingleSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShingleSpec::Auto => write!(f, "auto"),
            ShingleSpec::Fixed(s) => s.fmt(f),
        }
    }
}

impl FromStr for Shingle {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("shingle '{s}': expected char:N, word:N or mixed:N (N from 1 to 16)");
        let (kind, n) = s.split_once(':').ok_or_else(bad)?;
        let n: usize = n.parse().map_err(|_| bad())?;
        if !(1..=16).contains(&n) {
            return Err(bad());
        }
        match kind {
            "char" => Ok(Shingle::Char(n)),
            "word" => Ok(Shingle::Word(n)),
            "mixed" => Ok(Shingle::Mixed(n)),
            _ => Err(bad()),
        }
    }
}

impl FromStr for ShingleSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s == "auto" {
            return Ok(ShingleSpec::Auto);
        }
        s.parse()
            .map(ShingleSpec::Fixed)
            .map_err(|e: String| e.replace("expected", "expected auto,"))
    }
}

const CHAR_SEED: u64 = 0x9E37_79B9_7F4A_7C15;
const WORD_SEED: u64 = 0xC2B2_AE3D_27D4_EB4F;
const SKELETON_SEED: u64 = 0x1656_67B1_9E37_79F9;

/// Finalizer of MurmurHash3: spreads every input bit over the output.
#[inline]
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[inline]
fn hash_chars(window: &[char]) -> u64 {
    let mut h = CHAR_SEED ^ window.len() as u64;
    for &c in window {
        h = (h ^ c as u64).wrapping_mul(0x0000_0100_0000_01B3).rotate_left(23);
    }
    fmix64(h)
}

#[inline]
fn hash_word_gram(w: &[u64]) -> u64 {
    let mut h = WORD_SEED ^ w.len() as u64;
    for &x in w {
        h = fmix64(h ^ x).wrapping_add(0x9E37_79B9);
    }
    h
}

/// Number of script classes a feature can belong to (see [`script_class`]).
pub const SCRIPT_CLASSES: usize = 8;

/// The script class of a letter: 0 digits and the rest, 1 Latin, 2 Arabic, 3 Cyrillic, 4 Greek,
/// 5 Han and Kana, 6 Hebrew and Hangul, 7 other scripts (Indic, Thai, …). Eight classes fit
/// the three bits a feature has for it, so two scripts that seldom meet in one collection share
/// one. Hangul is in `hangul`'s class: [`HANGUL`], or 5 (with Han) where an index stored it so
/// (see [`Reading::hangul_apart`]).
#[inline]
fn class_of_char(c: char, hangul: u64) -> u64 {
    match c {
        'a'..='z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => 1,
        _ if c.is_ascii() => 0,
        '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' => 2,
        '\u{0400}'..='\u{052F}' => 3,
        '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => 4,
        '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3134F}' => HAN,
        '\u{1100}'..='\u{11FF}' | '\u{AC00}'..='\u{D7AF}' => hangul,
        '\u{0590}'..='\u{05FF}' => 6,
        _ if c.is_alphabetic() => 7,
        _ => 0,
    }
}

/// The script class of Han and Kana.
const HAN: u64 = 5;
/// The script class of Hangul (shared with Hebrew).
const HANGUL: u64 = 6;

/// The class Hangul is in for a text read as `reading` says.
#[inline]
fn hangul_class(reading: Reading) -> u64 {
    if reading.hangul_apart() { HANGUL } else { HAN }
}

/// The script class most of the letters of a raw text's first 2,000 characters belong to (0
/// when they hold none): a quick census, the start of a text tells its script.
pub fn text_script(text: &str) -> u8 {
    let mut counts = [0u32; SCRIPT_CLASSES];
    let bytes = text.as_bytes();
    let mut i = 0;
    for _ in 0..2000 {
        let Some(&b) = bytes.get(i) else { break };
        if b.is_ascii() {
            counts[1] += u32::from(b.is_ascii_alphabetic());
            i += 1;
        } else if (0xD8..=0xDB).contains(&b) {
            // The lead bytes of U+0600..U+06FF, all Arabic: the bulk of Arabic text, read
            // without decoding.
            counts[2] += 1;
            i += 2;
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            counts[class_of_char(c, HANGUL) as usize] += 1;
            i += c.len_utf8();
        }
    }
    counts[0] = 0;
    let best = (1..SCRIPT_CLASSES).max_by_key(|&k| (counts[k], std::cmp::Reverse(k))).unwrap_or(0);
    if counts[best] == 0 { 0 } else { best as u8 }
}

/// [`class_of`] a token: Arabic straight from its first byte (the lead bytes 0xD8..=0xDB are
/// those of U+0600..U+06FF), any other by its characters.
#[inline(always)]
fn class_of_token(token: &str, hangul: u64) -> u64 {
    match token.as_bytes().first() {
        Some(0xD8..=0xDB) => 2,
        _ => class_of_chars(token, hangul),
    }
}

/// [`class_of`] a token's characters: out of line, so that the Arabic test above is inlined
/// into the shingling loops.
#[inline(never)]
fn class_of_chars(token: &str, hangul: u64) -> u64 {
    class_of(token.chars(), hangul)
}

/// Class of the first letter among `chars` (0 when there is none), Hangul in `hangul`'s.
#[inline]
fn class_of(chars: impl IntoIterator<Item = char>, hangul: u64) -> u64 {
    chars.into_iter().map(|c| class_of_char(c, hangul)).find(|&k| k != 0).unwrap_or(0)
}

/// Puts a script class into the top three bits of a feature hash.
#[inline]
fn tag(h: u64, class: u64) -> u64 {
    (h & (u64::MAX >> 3)) | (class << 61)
}

/// The script class of a feature: which script's documents its rarity is measured against.
///
/// A shingle of Arabic letters is rare or common *among Arabic texts*; in a collection that is
/// 1% Arabic, counting it against all documents would make every Arabic shingle look rare and
/// every Arabic text look like every other.
#[inline]
pub fn script_class(feature: u64) -> usize {
    (feature >> 61) as usize
}

/// A token of one Han or Kana character (see [`crate::text::is_ideograph`]).
fn is_ideograph_token(token: &str) -> bool {
    let mut c = token.chars();
    c.next().is_some_and(crate::text::is_ideograph) && c.next().is_none()
}

/// A token that begins with a Hangul syllable.
fn is_hangul(token: &str) -> bool {
    token.chars().next().is_some_and(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

#[inline]
fn is_arabic(token: &str) -> bool {
    token.chars().next().is_some_and(arabic::is_arabic_letter)
}

/// Receives shingles; `describe` renders the shingle's text and is only called by explainers.
trait Sink {
    fn push(&mut self, hash: u64, describe: &dyn Fn() -> String);
}

impl Sink for Vec<u64> {
    #[inline]
    fn push(&mut self, hash: u64, _: &dyn Fn() -> String) {
        Vec::push(self, hash);
    }
}

impl Sink for Vec<(u64, String)> {
    fn push(&mut self, hash: u64, describe: &dyn Fn() -> String) {
        Vec::push(self, (hash, describe()));
    }
}

/// Every window of width `n` over `units` (or all of `units`, if there are no more than `n`).
fn windows<U>(units: &[U], n: usize) -> std::slice::Windows<'_, U> {
    units.windows(n.min(units.len()).max(1))
}

/// Characters of a word, about, in the scripts written without spaces (a Thai word is one to
/// three syllables of two to four characters each): word n-grams read their phrases in
/// windows of this many characters per word.
pub const UNSPACED_WORD_CHARS: usize = 4;

/// Scripts written without spaces between words, whose tokens are phrases: Thai, Lao, Myanmar,
/// Khmer, Tai Le, New Tai Lue, Tai Tham, Balinese, Javanese, Tai Viet (Han and Kana, also
/// written so, are a token a character: see [`crate::text::is_ideograph`]).
fn is_unspaced(c: char) -> bool {
    matches!(c, '\u{0E00}'..='\u{0EFF}' | '\u{1000}'..='\u{109F}' | '\u{1780}'..='\u{17FF}'
        | '\u{1950}'..='\u{19DF}' | '\u{1A20}'..='\u{1AAF}' | '\u{1B00}'..='\u{1B7F}'
        | '\u{A980}'..='\u{A9DF}' | '\u{AA60}'..='\u{AADF}')
}

/// Scratch buffers for [`shingle_into`], reused between documents.
#[derive(Debug, Default)]
pub struct Scratch {
    chars: Vec<char>,
    words: Vec<u64>,
    classes: Vec<u64>,
    skeleton: String,
}

/// The feature that records the number `n` (see [`crate::text::token_number`]): `n + 1`, far
/// below every hashed feature (a hash falls under 2³² once in four billion), so number
/// features sort first and are told apart by value. They weigh almost nothing
/// ([`crate::verify::WeightedSet::new`]); verification reads them (see
/// [`crate::verify::NUMBER_PENALTY`]).
pub fn number_feature(n: u64) -> u64 {
    n + 1
}

/// True for a feature made by [`number_feature`].
#[inline]
pub fn is_number_feature(f: u64) -> bool {
    f <= 1 << 31
}

fn shingles(text: &Normalized, shingle: Shingle, scratch: &mut Scratch, out: &mut impl Sink) {
    if text.is_empty() {
        return;
    }
    // Number features first (word shingles find them in their own pass over the tokens).
    if !matches!(shingle, Shingle::Word(_)) {
        for t in text.tokens() {
            if let Some(n) = crate::text::token_number(t) {
                out.push(number_feature(n), &|| format!("#{n}"));
            }
        }
    }
    let s = scratch;
    let hangul = hangul_class(text.reading());
    match shingle {
        Shingle::Char(n) => {
            s.chars.clear();
            s.chars.push(' ');
            s.chars.extend(text.as_str().chars());
            s.chars.push(' ');
            for w in windows(&s.chars, n) {
                out.push(tag(hash_chars(w), class_of(w.iter().copied(), hangul)), &|| {
                    w.iter().collect()
                });
            }
        }
        Shingle::Word(n) => {
            // One pass hashes each token once, for its word grams and its number check; the
            // number features still come first, as for the other families.
            s.words.clear();
            s.classes.clear();
            // Whether a token may be a phrase of a script without spaces: their letters start at
            // U+0E00 (three bytes in UTF-8, the first 0xE0 or more).
            let mut wide = false;
            for t in text.tokens() {
                let h = xxh3_64(t.as_bytes());
                if let Some(n) = crate::text::token_number_hashed(t, || h) {
                    out.push(number_feature(n), &|| format!("#{n}"));
                }
                s.words.push(h);
                s.classes.push(class_of_token(t, hangul));
                wide |= t.as_bytes()[0] >= 0xE0;
            }
            for (i, w) in windows(&s.words, n).enumerate() {
                let class =
                    s.classes[i..i + w.len()].iter().copied().find(|&k| k != 0).unwrap_or(0);
                let describe = || text.tokens().skip(i).take(w.len()).collect::<Vec<_>>().join(" ");
                out.push(tag(hash_word_gram(w), class), &describe);
            }
            // Phrases of the scripts without spaces, in windows of about `n` words.
            if wide && text.reading().unspaced_windows() {
                let width = UNSPACED_WORD_CHARS * n;
                for (t, &class) in text.tokens().zip(&s.classes) {
                    if t.as_bytes()[0] < 0xE0 || !t.chars().next().is_some_and(is_unspaced) {
                        continue;
                    }
                    s.chars.clear();
                    s.chars.extend(t.chars());
                    if s.chars.len() > width {
                        for w in s.chars.windows(width) {
                            out.push(tag(hash_chars(w), class), &|| w.iter().collect());
                        }
                    }
                }
            }
        }
        Shingle::Mixed(n) => {
            let mut prev: Option<&str> = None;
            for t in text.tokens() {
                let class = class_of_token(t, hangul);
                // Inside the word, padded; a Hangul syllable is a few letters, so its words are
                // read in pairs of syllables (their endings change with the particle after them).
                let width = match class == hangul && text.reading().cjk_pairs() && is_hangul(t) {
                    true => n.min(2),
                    false => n,
                };
                s.chars.clear();
                s.chars.push(' ');
                s.chars.extend(t.chars());
                s.chars.push(' ');
                for w in windows(&s.chars, width) {
                    out.push(tag(hash_chars(w), class), &|| w.iter().collect());
                }
                // Han and Kana are written without spaces, each character its own token: two
                // in a row also make their bigram (most Chinese words are two characters; alone,
                // the characters are a bag in which unrelated headlines share `国` and `大`).
                if let Some(p) = prev.filter(|p| {
                    class == HAN
                        && text.reading().cjk_pairs()
                        && is_ideograph_token(p)
                        && is_ideograph_token(t)
                }) {
                    s.chars.clear();
                    s.chars.extend(p.chars().chain(t.chars()));
                    out.push(tag(hash_chars(&s.chars), class), &|| format!("{p}{t}"));
                }
                // Across the boundary with the previous word: windows that hold the space and at
                // least one letter of each word.
                else if let Some(p) = prev.filter(|p| n >= 3 && !is_arabic(p) && !is_arabic(t)) {
                    s.chars.clear();
                    let tail = p.chars().count().min(n - 2);
                    s.chars.extend(p.chars().skip(p.chars().count() - tail));
                    s.chars.push(' ');
                    s.chars.extend(t.chars().take(n - 2));
                    if s.chars.len() >= n {
                        for w in s.chars.windows(n) {
                            let space = w.iter().position(|&c| c == ' ').unwrap_or(0);
                            if space > 0 && space + 1 < n {
                                out.push(tag(hash_chars(w), class), &|| w.iter().collect());
                            }
                        }
                    }
                }
                // The word itself.
                out.push(tag(hash_word_gram(&[xxh3_64(t.as_bytes())]), class), &|| t.to_string());
                // Its consonant skeleton (Arabic).
                if is_arabic(t) {
                    s.skeleton.clear();
                    s.skeleton.extend(t.chars().filter(|c| !matches!(c, 'ا' | 'و' | 'ي')));
                    if s.skeleton.chars().nth(1).is_some() {
                        let sk = &s.skeleton;
                        out.push(tag(xxh3_64_with_seed(sk.as_bytes(), SKELETON_SEED), 2), &|| {
                            format!("~{sk}")
                        });
                    }
                }
                prev = Some(t);
            }
        }
    }
}

/// Fills `out` with the sorted, deduplicated hashed shingles of `text` (empty text: none).
pub fn shingle_into(
    text: &Normalized,
    shingle: Shingle,
    scratch: &mut Scratch,
    out: &mut Vec<u64>,
) {
    shingles_into(text, shingle, scratch, out);
    make_set(out);
}

/// Fills `out` with the hashed shingles of `text` as they are made: in text order, repeats
/// kept. Enough for a MinHash signature (a minimum does not see order or repeats); a set to
/// compare is [`make_set`] of them, what [`shingle_into`] gives.
pub fn shingles_into(
    text: &Normalized,
    shingle: Shingle,
    scratch: &mut Scratch,
    out: &mut Vec<u64>,
) {
    out.clear();
    shingles(text, shingle, scratch, out);
}

/// Sorts `features` and drops repeats: the set they make.
pub fn make_set(features: &mut Vec<u64>) {
    features.sort_unstable();
    features.dedup();
}

/// True when `features` are a set as [`make_set`] leaves one: strictly increasing.
pub fn is_set(features: &[u64]) -> bool {
    features.windows(2).all(|w| w[0] < w[1])
}

/// The shingles of `text` with their text, in text order, for explanations (`similar --explain`).
/// Skeletons are shown with a leading `~`.
pub fn shingle_strings(text: &Normalized, shingle: Shingle) -> Vec<(u64, String)> {
    let mut v: Vec<(u64, String)> = Vec::new();
    shingles(text, shingle, &mut Scratch::default(), &mut v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Normalizer;

    /// [`text_script`] by decoding every character: the definition its byte loop must keep.
    fn text_script_by_chars(text: &str) -> u8 {
        let mut counts = [0u32; SCRIPT_CLASSES];
        for c in text.chars().take(2000) {
            if c.is_ascii() {
                counts[1] += u32::from(c.is_ascii_alphabetic());
            } else {
                counts[class_of_char(c, HANGUL) as usize] += 1;
            }
        }
        counts[0] = 0;
        let best =
            (1..SCRIPT_CLASSES).max_by_key(|&k| (counts[k], std::cmp::Reverse(k))).unwrap_or(0);
        if counts[best] == 0 { 0 } else { best as u8 }
    }

    proptest::proptest! {
        #[test]
        fn text_script_reads_bytes_as_it_would_characters(
            s in "([a-z ]|[\u{0600}-\u{06FF}]|[\u{0400}-\u{04FF}]|\\PC){0,2100}"
        ) {
            proptest::prop_assert_eq!(text_script(&s), text_script_by_chars(&s));
        }

        #[test]
        fn a_token_class_from_its_first_byte_is_that_of_its_characters(
            s in "([\u{0600}-\u{06FF}]|[\u{0750}-\u{077F}]|[0-9a-z]|\\PC){0,6}"
        ) {
            for hangul in [HAN, HANGUL] {
                proptest::prop_assert_eq!(class_of_token(&s, hangul), class_of(s.chars(), hangul));
            }
        }
    }

    fn set(s: &str, sh: Shingle) -> Vec<u64> {
        let mut out = Vec::new();
        shingle_into(&Normalizer::default().normalize(s), sh, &mut Scratch::default(), &mut out);
        out
    }

    fn strings(s: &str, sh: Shingle) -> Vec<String> {
        shingle_strings(&Normalizer::default().normalize(s), sh).into_iter().map(|p| p.1).collect()
    }

    #[test]
    fn short_text_has_one_feature_and_empty_has_none() {
        assert_eq!(set("a", Shingle::Word(3)).len(), 1);
        assert_eq!(set("ab", Shingle::Char(5)).len(), 1);
        for sh in [Shingle::Char(4), Shingle::Word(2), Shingle::Mixed(4)] {
            assert!(set("!!!", sh).is_empty());
        }
    }

    #[test]
    fn sets_are_sorted_unique_and_order_sensitive_for_words() {
        let a = set("the cat sat on the mat the cat sat", Shingle::Word(2));
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_ne!(set("a b c", Shingle::Word(2)), set("c b a", Shingle::Word(2)));
        assert_eq!(set("a b", Shingle::Word(1)), set("b a", Shingle::Word(1)));
    }

    #[test]
    fn shingles_as_made_are_the_set_in_text_order_with_repeats() {
        let norm = Normalizer::default().normalize("the cat sat on the mat the cat sat");
        for sh in [Shingle::Word(2), Shingle::Word(3), Shingle::Char(4), Shingle::Mixed(4)] {
            let mut made = Vec::new();
            shingles_into(&norm, sh, &mut Scratch::default(), &mut made);
            let mut set = Vec::new();
            shingle_into(&norm, sh, &mut Scratch::default(), &mut set);
            assert!(is_set(&set), "{sh}");
            assert!(!is_set(&made), "{sh}: text order, with repeats");
            assert!(made.len() > set.len(), "{sh}: 'the cat sat' is made twice");
            make_set(&mut made);
            assert_eq!(made, set, "{sh}");
        }
        assert!(is_set(&[]) && is_set(&[7]) && !is_set(&[7, 7]) && !is_set(&[8, 7]));
    }

    #[test]
    fn mixed_has_words_grams_boundaries_and_skeletons() {
        let s = strings("Olympic village", Shingle::Mixed(4));
        for want in [" oly", "pic ", "olympic", "village", "ic v", "c vi"] {
            assert!(s.iter().any(|x| x == want), "{want} missing from {s:?}");
        }
        // Arabic words do not cross boundaries, and carry skeletons.
        let a = strings("يعتذر الاعتذار", Shingle::Mixed(4));
        assert!(a.iter().filter(|x| x.as_str() == "~عتذر").count() == 2, "{a:?}");
        assert!(!a.iter().any(|x| x.trim().contains(' ')), "{a:?}");
    }

    #[test]
    fn han_kana_and_hangul_are_read_in_pairs_unless_turned_off() {
        let s = strings("韩国总统 Moon 向朝鲜道歉", Shingle::Mixed(4));
        for want in ["韩国", "国总", "总统", "向朝", "道歉", "韩", "歉"] {
            assert!(s.iter().any(|x| x == want), "{want} missing from {s:?}");
        }
        // Not across a word of another script.
        assert!(!s.iter().any(|x| x == "统向" || x.contains("moon") && x.contains('统')), "{s:?}");
        // Kana too; not in other families.
        assert!(strings("カタカナ", Shingle::Mixed(4)).iter().any(|x| x == "タカ"));
        assert!(!strings("韩国总统", Shingle::Word(3)).iter().any(|x| x == "韩国"));
        // Hangul words in pairs of syllables: `대통령이` and `대통령은` share `대통` and `통령`.
        let ko = strings("대통령이 사과", Shingle::Mixed(4));
        for want in [" 대", "대통", "통령", "령이", "이 ", "대통령이", " 사", "사과"]
        {
            assert!(ko.iter().any(|x| x == want), "{want} missing from {ko:?}");
        }
        // Off: the characters alone, the features an index made before the pairs stored; the
        // three pairs are all that differs.
        let norm = Normalizer::default().with_reading(Reading::Characters).normalize("韩国总统");
        let mut off = Vec::new();
        shingle_into(&norm, Shingle::Mixed(4), &mut Scratch::default(), &mut off);
        let on = set("韩国总统", Shingle::Mixed(4));
        assert!(off.iter().all(|f| on.contains(f)) && on.len() == off.len() + 3, "{on:?} {off:?}");
    }

    #[test]
    fn unspaced_phrases_are_read_in_windows_under_word_grams() {
        // Thai: spaces between phrases only. A phrase longer than 4 × n characters gives its
        // windows of that width; a short one is a word as before; Latin gives none.
        let text = "นายกรัฐมนตรีเดินทางไปเยือน ที่นี่ Rutte said";
        let s = strings(text, Shingle::Word(3));
        let phrase: Vec<char> = "นายกรัฐมนตรีเดินทางไปเยือน".chars().collect();
        for w in phrase.windows(12) {
            let w: String = w.iter().collect();
            assert!(s.contains(&w), "{w} missing from {s:?}");
        }
        assert!(!s.iter().any(|x| x.chars().count() == 12 && x.contains("ที่")), "{s:?}");
        assert_eq!(s.len(), 2 + phrase.len() - 11, "{s:?}");
        // Khmer and Myanmar too; not under the mixed family, not in an index's older reading.
        assert!(strings("នាយករដ្ឋមន្ត្រីបានធ្វើដំណើរ", Shingle::Word(2)).len() > 1);
        assert!(strings("ဝန်ကြီးချုပ်ခရီးထွက်ခဲ့သည်", Shingle::Word(2)).len() > 1);
        let old = Normalizer::default().with_reading(Reading::HangulApart).normalize(text);
        let mut before = Vec::new();
        shingle_into(&old, Shingle::Word(3), &mut Scratch::default(), &mut before);
        assert_eq!(before.len(), 2);
    }

    #[test]
    fn strings_hash_like_sets() {
        for sh in [Shingle::Char(4), Shingle::Word(2), Shingle::Word(5), Shingle::Mixed(4)] {
            let t = Normalizer::default().normalize("Rutte said: NATO will decide، قال روته");
            let mut from_strings: Vec<u64> = shingle_strings(&t, sh).iter().map(|p| p.0).collect();
            from_strings.sort_unstable();
            from_strings.dedup();
            assert_eq!(from_strings, set("Rutte said: NATO will decide، قال روته", sh), "{sh}");
        }
    }

    #[test]
    fn features_carry_their_script() {
        let classes = |s: &str| {
            let mut v: Vec<usize> =
                set(s, Shingle::Mixed(4)).into_iter().map(script_class).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        assert_eq!(classes("Olympic village"), [1]);
        assert_eq!(classes("الناتو"), [2]);
        assert_eq!(classes("Токио 2020"), [0, 3]);
        // Korean apart from Chinese and Japanese, in every family; where an index stored it
        // with them, with them.
        assert_eq!(classes("韩国总统 ニュース"), [5]);
        assert_eq!(classes("대통령이 사과"), [6]);
        let old = Normalizer::default().with_reading(Reading::CjkPairs);
        for sh in [Shingle::Mixed(4), Shingle::Char(3), Shingle::Word(1)] {
            let of = |n: &Normalizer| {
                let mut out = Vec::new();
                shingle_into(&n.normalize("대통령이 사과"), sh, &mut Scratch::default(), &mut out);
                out.into_iter().map(script_class).collect::<std::collections::BTreeSet<_>>()
            };
            assert_eq!(of(&Normalizer::default()), [6].into(), "{sh}");
            assert_eq!(of(&old), [5].into(), "{sh}");
        }
        assert_eq!(text_script("대통령이 사과"), 6);
    }

    #[test]
    fn parses_specs() {
        assert_eq!("auto".parse(), Ok(ShingleSpec::Auto));
        assert_eq!("char:4".parse(), Ok(ShingleSpec::Fixed(Shingle::Char(4))));
        assert_eq!("mixed:3".parse(), Ok(ShingleSpec::Fixed(Shingle::Mixed(3))));
        assert!("word:0".parse::<ShingleSpec>().is_err());
        assert!("bytes:3".parse::<ShingleSpec>().is_err());
    }
}
